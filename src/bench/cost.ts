// What one training step costs, counted from the algebra (DESIGN.md §3): the
// floating-point operations of the forward and backward passes, the batch
// reduction and the optimizer (sampling excluded: it is the floor, counted
// separately as normals), and the normals one step draws.
import { normalsPerPrompt, trainFlopsPerPrompt } from '../engine/cost.ts';
import { laLayout, laShapeOf } from '../models/linearAttention.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';

/** Normals the sampler draws per step: B prompts × (k + 1 + n) records × 4·⌈(d + k)/4⌉. */
export function normalsPerStep(spec: ExperimentSpec): number {
  return spec.train.batch * normalsPerPrompt(spec);
}

/** Parameter count of the spec's model. */
export function paramCount(spec: ExperimentSpec): number {
  const { d, tasks: k } = spec.task;
  const D = d + k;
  if (isGeneralLinearAttention(spec.model)) return laLayout(laShapeOf(spec)).paramCount;
  return spec.model.type === 'lsa' ? 2 * D * D : spec.model.heads * 3 * D * D + k * spec.model.heads * D;
}

/**
 * Floating-point operations per step (a multiply-add counts 2, an exp 1),
 * forward and backward, per the kernels' algebra.
 */
export function flopsPerStep(spec: ExperimentSpec): number {
  const { d, tasks: k } = spec.task;
  const B = spec.train.batch;
  const D = d + k;
  const np = paramCount(spec);
  const optimizer = (spec.optimizer.kind === 'adam' ? 12 : 5) * np;
  const perPrompt = trainFlopsPerPrompt(spec);
  if (isGeneralLinearAttention(spec.model)) return B * perPrompt + B * np + optimizer;
  if (spec.model.type === 'lsa') {
    // Batch sums: W_KQ's D×d entries (a product each), W_PV's k rows.
    const reduce = B * (2 * D * d + k * D + 1);
    return B * perPrompt + reduce + optimizer;
  }
  const H = spec.model.heads;
  // Per-step constants (M^h, ov^{h,t}), batch sums (u^{h,t}, P^h), parameter gradients.
  const prep = H * (D * d + k * D) * 2 * D;
  const sums = B * H * (k * D + 2 * D * D);
  const grads = np * 2 * D;
  return B * perPrompt + prep + sums + grads + optimizer;
}
