// What the views show of a flat parameter vector, the latest one or a kept
// snapshot alike: LSA's raw matrices (with W_KᵀW_Q for separate K, Q),
// softmax attention's KQ^h and OV^h with the per-head reading, and one layer
// of linear attention read as one GD step next to the theory.
import { readSoftmax, type SoftmaxReading } from '../analysis/softmax.ts';
import type { TheoryNumbers } from '../analysis/evaluation.ts';
import { oneStepSummary } from '../analysis/linearAttention.ts';
import type { Trainer } from '../engine/trainer.ts';
import { drawnMatrices } from '../orchestration/animation.ts';
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

/** What the views show of a parameter vector: LSA's raw matrices, or softmax attention's KQ^h and OV^h. */
export function paramsView(t: Pick<Trainer, 'spec' | 'model'>, params: Float32Array, reading: SoftmaxReading | null): Pick<LabState, 'matrices' | 'params' | 'softmax'> {
  return { matrices: drawnMatrices(t.spec, params, reading, t.model), params, softmax: reading };
}
