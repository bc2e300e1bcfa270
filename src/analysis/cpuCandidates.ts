// Candidates for the algorithm identification that run on the CPU, on the
// evaluation's own prompts regenerated in float64 (the sampler is the GPU's
// mirror): the ones the evaluation kernel does not compute. Which apply
// depends on the model:
//   - L ≥ 2 layers of linear attention: L steps of GD with a step size per
//     step (Ahn et al.'s a_ℓ Σ⁻¹ where Σ is not a multiple of I), L steps of
//     preconditioned GD with every Γ_ℓ fitted, GD++ (theory/multiStep.ts);
//   - one layer of linear attention on anisotropic Σ: PCR with k = 1 … d − 1
//     components (k = d is preconditioned GD with Γ*);
//   - softmax attention: He et al.'s reduced kernel predictor at the model's
//     own learned (ω_h, μ_h).
import { readSoftmax } from './softmax.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { promptOutput, samplePrompt, type Prompt } from '../tasks/sampler.ts';
import { hasClosedForm, momentView, taskView, type TaskContext } from '../tasks/task.ts';
import { isScaledIdentity, symmetricEigen } from '../linalg/dense.ts';
import { reducedSoftmax } from '../theory/predictors.ts';
import { pcrGamma } from '../theory/pcr.ts';
import {
  fitGdPlusPlus,
  fitPreconditionedSteps,
  fitScaledSteps,
  fitStats,
  gdPlusPlus,
  MAX_PGD_FIT_PARAMS,
  preconditionedSteps,
  promptStats,
  sigmaInverse,
  type PromptStats,
} from '../theory/multiStep.ts';

/** Evaluation prompts the CPU candidates are compared on (the first ones of the evaluation). */
export const CPU_MATCH_PROMPTS = 2048;

export interface CpuCandidate {
  predictor: `pcr${number}` | 'stepsGd' | 'stepsPgd' | 'stepsAhn' | 'gdpp' | 'reducedSoftmax';
  label: string;
  predict: (p: Prompt, st: PromptStats) => number;
  /** The fitted or read constants, for the result (γ_ℓ, η_ℓ, a_ℓ, Γ_ℓ, ω_h, μ_h, k). */
  fitted: Record<string, number | number[]>;
  /** Mean squared error on the fitting prompts, where it was fitted. */
  fitLoss?: number;
}

/** The layers of a linear-attention spec (1 for softmax attention). */
function layersOf(spec: ExperimentSpec): number {
  return spec.model.type === 'softmax' ? 1 : spec.model.layers;
}

/** The multi-step family for L layers of linear attention on output t's distribution. */
export function multiStepCandidates(view: TaskContext, L: number): CpuCandidate[] {
  const d = view.d;
  const stats = fitStats(view);
  const out: CpuCandidate[] = [];
  const plain = fitScaledSteps(stats, L, null);
  out.push({
    predictor: 'stepsGd',
    label: `${L}-step GD (η_ℓ fitted)`,
    predict: (_p, st) => preconditionedSteps(st, plain.gammas, L),
    fitted: { eta: plain.scales },
    fitLoss: plain.loss,
  });
  const closed = hasClosedForm(view);
  const sigma = momentView(view).sigma;
  if (closed && !isScaledIdentity(sigma, d)) {
    const ahn = fitScaledSteps(stats, L, sigmaInverse(view));
    out.push({
      predictor: 'stepsAhn',
      label: `${L}-step GD with Γ_ℓ = a_ℓ Σ⁻¹ (Ahn et al.)`,
      predict: (_p, st) => preconditionedSteps(st, ahn.gammas, L),
      fitted: { a: ahn.scales },
      fitLoss: ahn.loss,
    });
  }
  if (L * d * d <= MAX_PGD_FIT_PARAMS) {
    const pgd = fitPreconditionedSteps(stats, L, plain.gammas);
    out.push({
      predictor: 'stepsPgd',
      label: `${L}-step preconditioned GD (Γ_ℓ fitted)`,
      predict: (_p, st) => preconditionedSteps(st, pgd.gammas, L),
      fitted: { gammas: Array.from(pgd.gammas) },
      fitLoss: pgd.loss,
    });
  }
  const pp = fitGdPlusPlus(stats, L, plain.scales);
  out.push({
    predictor: 'gdpp',
    label: `GD++ (${L} steps, γ_ℓ and η_ℓ fitted)`,
    predict: (_p, st) => gdPlusPlus(st, pp.gamma, pp.eta),
    fitted: { gamma: pp.gamma, eta: pp.eta },
    fitLoss: pp.loss,
  });
  return out;
}

/** PCR with k = 1 … d − 1 components, where Σ's spectrum has distinct leading eigenvalues. */
function pcrCandidates(view: TaskContext): CpuCandidate[] {
  if (!hasClosedForm(view)) return [];
  const d = view.d;
  const values = symmetricEigen(momentView(view).sigma, d).values;
  const out: CpuCandidate[] = [];
  for (let k = 1; k < d; k++) {
    // Only a gap between the k-th and (k+1)-th eigenvalue makes "the top k" a subspace.
    if (values[k - 1] - values[k] <= 1e-9 * values[0]) continue;
    const g = pcrGamma(view, k);
    out.push({
      predictor: `pcr${k}`,
      label: `PCR (${k} component${k === 1 ? '' : 's'})`,
      predict: (p) => {
        let y = 0;
        const n = p.ys.length;
        const u = new Float64Array(d);
        for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) u[a] += (p.ys[i] * p.xs[i * d + a]) / n;
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) y += p.xq[a] * g[a * d + b] * u[b];
        return y;
      },
      fitted: { k },
    });
  }
  return out;
}

/** The CPU candidates for output t of a trained model with parameters `params`. */
export function cpuCandidates(spec: ExperimentSpec, task: TaskContext, params: ArrayLike<number>, t: number): CpuCandidate[] {
  const view = taskView(task, t);
  if (spec.model.type === 'softmax') {
    const r = readSoftmax(params, spec.task.d, spec.model.heads, spec.task.tasks);
    const omega = r.omega;
    const mu = r.muByOutput[t];
    return [
      {
        predictor: 'reducedSoftmax',
        label: "He et al.'s reduced kernel predictor",
        predict: (p) => reducedSoftmax(p, omega, mu),
        fitted: { omega, mu },
      },
    ];
  }
  const L = layersOf(spec);
  if (L >= 2) return multiStepCandidates(view, L);
  // One layer: the one-step family is on the GPU; PCR where Σ has distinct eigenvalues.
  return pcrCandidates(view);
}

/** The first `count` evaluation prompts of the stream, seen through output t. */
export function evaluationPrompts(task: TaskContext, seed: number, stepWord: number, count: number, nCtx: number, t: number): Prompt[] {
  return Array.from({ length: count }, (_, i) => promptOutput(samplePrompt(task, seed, stepWord, i, nCtx), t));
}

/** Each candidate's predictions on the prompts. */
export function candidatePredictions(cands: CpuCandidate[], prompts: Prompt[]): Float64Array[] {
  const stats = prompts.map(promptStats);
  return cands.map((c) => Float64Array.from(prompts, (p, i) => c.predict(p, stats[i])));
}
