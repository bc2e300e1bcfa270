// Which principal components of Σ a one-layer linear attention has learned:
// the learned preconditioner Γ_eff read along Σ's eigenvectors v_i, against
// the optimal one-step Γ* along the same v_i. Separate-K/Q attention learns
// them one per loss drop (Zhang et al. 2025), so on the staircase's k-th
// plateau the first k fractions v_iᵀΓ_eff v_i / v_iᵀΓ* v_i sit near 1 and the
// rest near 0; merged attention takes them in all at once.
import { symmetricEigen } from '../linalg/dense.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import { buildTask, hasClosedForm, momentView, type TaskContext } from '../tasks/task.ts';
import { pcrGamma } from '../theory/pcr.ts';
import { readLayer } from './linearAttention.ts';
import { laLayout, laShapeOf } from '../models/linearAttention.ts';
import { readLsa } from './lsa.ts';

export interface ComponentReading {
  /** Σ's eigenvalue λ_i (descending in i). */
  eigenvalue: number;
  /** v_iᵀ Γ_eff v_i. */
  learned: number;
  /** v_iᵀ Γ* v_i. */
  target: number;
  /** learned / target: 0 before the component is learned, ≈ 1 after. */
  fraction: number;
}

/** Σ's eigenvectors (columns, by descending eigenvalue) and Γ*, once per task. */
export interface ComponentBasis {
  d: number;
  eigenvalues: Float64Array;
  vectors: Float64Array;
  targets: number[];
}

export function componentBasis(task: TaskContext): ComponentBasis {
  const view = momentView(task);
  const { d } = view;
  const { values, vectors } = symmetricEigen(view.sigma, d);
  const star = pcrGamma(task, d);
  return { d, eigenvalues: values, vectors, targets: Array.from({ length: d }, (_, i) => quadratic(vectors, star, d, i)) };
}

function quadratic(vectors: ArrayLike<number>, M: ArrayLike<number>, d: number, i: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += vectors[a * d + i] * M[a * d + b] * vectors[b * d + i];
  return s;
}

/** The components of a learned Γ_eff (d×d, row-major) in a basis. */
export function componentsOf(basis: ComponentBasis, gammaEff: ArrayLike<number>): ComponentReading[] {
  const { d, eigenvalues, vectors, targets } = basis;
  return targets.map((target, i) => {
    const learned = quadratic(vectors, gammaEff, d, i);
    return { eigenvalue: eigenvalues[i], learned, target, fraction: target !== 0 ? learned / target : NaN };
  });
}

/** The spec's task basis where the reading applies (one-layer linear attention, closed-form task); else null. */
export function componentBasisFor(spec: Pick<ExperimentSpec, 'task' | 'model'>): ComponentBasis | null {
  if (spec.model.type !== 'lsa' || spec.model.layers !== 1) return null;
  try {
    const task = buildTask(spec.task);
    return hasClosedForm(task) ? componentBasis(task) : null;
  } catch {
    return null;
  }
}

/** Γ_eff of output t of a one-layer linear attention, for either parametrization. */
export function oneLayerGamma(spec: Pick<ExperimentSpec, 'task' | 'model'>, params: ArrayLike<number>, t = 0): number[] {
  const { d, tasks: k } = spec.task;
  return isGeneralLinearAttention(spec.model) ? readLayer(laLayout(laShapeOf(spec as ExperimentSpec)), params, 0, t).gammaEff : readLsa(params, d, k, t).gammaEff;
}

/** How many components count as learned: fraction above a half. */
export function learnedCount(components: ComponentReading[], at = 0.5): number {
  return components.filter((c) => c.fraction > at).length;
}
