// Reading linear attention with heads, separate key–query weights or layers
// (src/models/linearAttention.ts) as an algorithm. Layer ℓ's prediction path
// through the label slot is ŷ += Σ_h (W_PV^h)_{y,·} C (W_KQ^h)_{·,x} x_q, so once
// the other blocks have gone to ~0 the layer is one preconditioned GD step
// with Γ_ℓ = Σ_h (W_PV^h)_{y,y} (W_KQ^h)_{x,x} + (W_PV^h)_{y,x}ᵀ (W_KQ^h)_{y,x}:
// the first term is src/analysis/lsa.ts's reading, the second the mirror path
// through C's label column, which separate rank-one heads learn as often.
import { headMatrices, laLayout, laShapeOf, type LaLayout } from '../models/linearAttention.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { NamedMatrix } from '../models/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import type { TheoryNumbers } from './evaluation.ts';
import { readLsa, type LsaReading } from './lsa.ts';
import { buildTask, hasClosedForm, taskView } from '../tasks/task.ts';
import { pcrLosses } from '../theory/pcr.ts';
import { multiStepCandidates } from './cpuCandidates.ts';

/** Layer ℓ's reading for output t; with one layer, the model's one-step reading. */
export function readLayer(L: LaLayout, params: ArrayLike<number>, layer: number, t = 0): LsaReading {
  const { d, D } = L;
  const y = d + t;
  const gamma = new Float64Array(d * d);
  let kqLabel2 = 0;
  let pvLabel2 = 0;
  for (let h = 0; h < L.H; h++) {
    const { kq, pv } = headMatrices(L, params, L.weightsOf(layer), h);
    const pyy = pv[y * D + y];
    let kqX2 = 0;
    let kqL2 = 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        // Two paths carry u = (1/n)Σ y_i x_i: C's label row through W_PV's (y, y)
        // entry and W_KQ's x-block, or C's label column through W_PV's x-entries
        // of row y and W_KQ's label row. Separate rank-one heads take either.
        gamma[i * d + j] += pyy * kq[i * D + j] + pv[y * D + i] * kq[y * D + j];
        kqX2 += kq[i * D + j] ** 2;
      }
    for (let r = d; r < D; r++) for (let c = 0; c < d; c++) kqL2 += kq[r * D + c] ** 2;
    let pvX2 = 0;
    for (let c = 0; c < d; c++) pvX2 += pv[y * D + c] ** 2;
    // Each head's off-path blocks, weighted by the factor they would multiply.
    kqLabel2 += pyy * pyy * kqL2;
    pvLabel2 += pvX2 * kqX2;
  }
  let tr = 0;
  let fro2 = 0;
  for (let i = 0; i < d; i++) {
    tr += gamma[i * d + i];
    for (let j = 0; j < d; j++) fro2 += gamma[i * d + j] ** 2;
  }
  const fro = Math.sqrt(fro2);
  return {
    gammaEff: Array.from(gamma),
    etaEff: tr / d,
    xBlockIdentityShare: fro2 > 0 ? (tr * tr) / d / fro2 : 0,
    kqLastRowRatio: fro > 0 ? Math.sqrt(kqLabel2) / fro : 0,
    pvLastRowRatio: fro > 0 ? Math.sqrt(pvLabel2) / fro : 0,
    kqLastRowNorm: Math.sqrt(kqLabel2),
    pvLastRowNorm: Math.sqrt(pvLabel2),
  };
}

/** Every layer's reading of a spec's linear-attention parameters (output t). */
export function readLayers(spec: ExperimentSpec, params: ArrayLike<number>, t = 0): LsaReading[] {
  const L = laLayout(laShapeOf(spec));
  return Array.from({ length: L.layers }, (_, l) => readLayer(L, params, l, t));
}

/**
 * The one-step reading of output t beside its theory (η_eff/η*, ‖Γ_eff − Γ*‖/‖Γ*‖)
 * for either linear-attention model; null for L ≥ 2 layers, which are no one-step method.
 */
export function oneStepSummary(spec: ExperimentSpec, params: ArrayLike<number>, theory: TheoryNumbers, t = 0): (LsaReading & { etaRatio?: number; gammaRelError?: number }) | null {
  if (spec.model.type !== 'lsa' || spec.model.layers > 1) return null;
  const { d, tasks: k } = spec.task;
  const r = isGeneralLinearAttention(spec.model) ? readLayer(laLayout(laShapeOf(spec)), params, 0, t) : readLsa(params, d, k, t);
  const out: LsaReading & { etaRatio?: number; gammaRelError?: number } = { ...r };
  if (theory.etaStar !== undefined) out.etaRatio = r.etaEff / theory.etaStar;
  if (theory.gammaStar) {
    let num = 0;
    let den = 0;
    theory.gammaStar.forEach((g, i) => {
      num += (r.gammaEff[i] - g) ** 2;
      den += g * g;
    });
    out.gammaRelError = Math.sqrt(num / den);
  }
  return out;
}

/** PCR's levels for k = 0 … d − 1 where they are the plateaus to expect (separate K, Q; one output; closed forms); else null. */
export function pcrLevelsFor(spec: ExperimentSpec): number[] | null {
  if (spec.model.type === 'softmax' || spec.model.param !== 'separate' || spec.model.layers !== 1 || spec.task.tasks !== 1) return null;
  try {
    const task = buildTask(spec.task);
    if (!hasClosedForm(task)) return null;
    return pcrLosses(task).loss.slice(0, -1);
  } catch {
    return null;
  }
}


/** A multi-step candidate's loss at its fitted constants: a reference line for L ≥ 2 layers. */
export interface MultiStepLevel {
  predictor: 'stepsGd' | 'stepsPgd' | 'stepsAhn' | 'gdpp';
  label: string;
  /** Mean squared error against the noisy y_q on the fitting prompts (as the batch loss). */
  loss: number;
}

/** Whether a spec gets the multi-step reference lines: linear attention with L ≥ 2 layers, one output. */
export function hasMultiStepLevels(spec: ExperimentSpec): boolean {
  return spec.model.type === 'lsa' && spec.model.layers >= 2 && spec.task.tasks === 1;
}

/**
 * The L-step candidates' losses, fitted by least squares on Monte Carlo prompts
 * of the training distribution (src/theory/multiStep.ts): L-step GD with η_ℓ,
 * Ahn et al.'s a_ℓ Σ⁻¹ where Σ is not a multiple of I, L-step preconditioned GD
 * with every Γ_ℓ, and GD++. The levels an L-layer model is compared with; null
 * where they do not apply. A second or so of CPU time.
 */
export function multiStepLevels(spec: ExperimentSpec): MultiStepLevel[] | null {
  if (!hasMultiStepLevels(spec)) return null;
  const task = buildTask(spec.task);
  return multiStepCandidates(taskView(task, 0), spec.model.layers).flatMap((c) =>
    c.fitLoss !== undefined && Number.isFinite(c.fitLoss) ? [{ predictor: c.predictor as MultiStepLevel['predictor'], label: c.label, loss: c.fitLoss }] : [],
  );
}

/**
 * Separate K and Q: after each head's W_Q, the product W_KᵀW_Q (D×D), the
 * head's effective W_KQ, so it reads like the merged model's.
 */
export function withKeyQueryProducts(spec: ExperimentSpec, mats: NamedMatrix[]): NamedMatrix[] {
  if (spec.model.type === 'softmax' || spec.model.param !== 'separate') return mats;
  const out: NamedMatrix[] = [];
  for (const m of mats) {
    out.push(m);
    if (!m.name.startsWith('W_Q')) continue;
    const k = mats.find((x) => x.name === 'W_K' + m.name.slice(3));
    if (!k) continue;
    const r = m.rows;
    const D = m.cols;
    const data: number[] = [];
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) {
        let s = 0;
        for (let i = 0; i < r; i++) s += k.data[i * D + a] * m.data[i * D + b];
        data.push(s);
      }
    out.push({
      name: 'W_KᵀW_Q' + m.name.slice(3),
      rows: D,
      cols: D,
      data,
      noGradient: data.map(() => false),
      caption: `W_KᵀW_Q${m.name.slice(3)}: the head's effective W_KQ (rank ≤ ${r}).`,
      captionTex: String.raw`\(W_K^\top W_Q\): the head's effective \(W_{KQ}\) (rank \(\le ${r}\)).`,
    });
  }
  return out;
}
