// What the views show of a flat parameter vector, the latest one or a kept
// snapshot alike: LSA's raw matrices (with W_KᵀW_Q for separate K, Q),
// softmax attention's KQ^h and OV^h with the per-head reading, and one layer
// of linear attention read as one GD step next to the theory.
import { softmaxMatrices, readSoftmax, type SoftmaxReading } from '../analysis/softmax.ts';
import type { TheoryNumbers } from '../analysis/evaluation.ts';
import { oneStepSummary } from '../analysis/linearAttention.ts';
import type { Trainer } from '../engine/trainer.ts';
import { extractMatrices, type NamedMatrix } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/index.ts';
import type { LabState, LsaReadout } from './labStore.ts';

/** The latest LSA weights read for every output, next to that output's theory. */
export function lsaReadouts(t: Pick<Trainer, 'spec'>, params: ArrayLike<number>, theories: TheoryNumbers[] | null): LsaReadout[] | null {
  if (t.spec.model.type !== 'lsa' || t.spec.model.layers > 1 || !theories) return null;
  return theories.map((theory, out) => {
    const r = oneStepSummary(t.spec, params, theory, out)!;
    return { etaEff: r.etaEff, etaRatio: r.etaRatio, gammaEff: r.gammaEff, gammaRelError: r.gammaRelError };
  });
}

export function readingOf(t: Pick<Trainer, 'spec'>, params: ArrayLike<number>): SoftmaxReading | null {
  return t.spec.model.type === 'softmax' ? readSoftmax(params, t.spec.task.d, t.spec.model.heads, t.spec.task.tasks) : null;
}

/**
 * Separate K and Q: after each head's W_Q, the product W_KᵀW_Q (D×D), the
 * head's effective W_KQ, so it reads like the merged model's.
 */
function withKeyQueryProducts(spec: ExperimentSpec, mats: NamedMatrix[]): NamedMatrix[] {
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
    out.push({ name: 'W_KᵀW_Q' + m.name.slice(3), rows: D, cols: D, data, noGradient: data.map(() => false), caption: `W_KᵀW_Q${m.name.slice(3)}: the head's effective W_KQ (rank ≤ ${r}).` });
  }
  return out;
}

/** What the views show of a parameter vector: LSA's raw matrices, or softmax attention's KQ^h and OV^h. */
export function paramsView(t: Pick<Trainer, 'spec' | 'model'>, params: Float32Array, reading: SoftmaxReading | null): Pick<LabState, 'matrices' | 'params' | 'softmax'> {
  if (!reading) return { matrices: withKeyQueryProducts(t.spec, extractMatrices(t.model, params)), params, softmax: null };
  return { matrices: softmaxMatrices(reading, t.spec.task.d), params, softmax: reading };
}
