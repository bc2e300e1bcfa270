// What one training step costs, counted from the algebra (DESIGN.md §3): the
// floating-point operations of the forward and backward passes, the batch
// reduction and the optimizer (sampling excluded: it is the floor, counted
// separately as normals), and the normals one step draws.
import { laLayout, laShapeOf } from '../models/linearAttention.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';

/** Normals the sampler draws per step: B prompts × (k + 1 + n) records × 4·⌈(d + k)/4⌉. */
export function normalsPerStep(spec: ExperimentSpec): number {
  const { d, n, tasks: k } = spec.task;
  return spec.train.batch * (k + 1 + n) * 4 * Math.ceil((d + k) / 4);
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
  const { d, n, tasks: k } = spec.task;
  const B = spec.train.batch;
  const D = d + k;
  const np = paramCount(spec);
  const optimizer = (spec.optimizer.kind === 'adam' ? 12 : 5) * np;
  if (isGeneralLinearAttention(spec.model)) {
    // The context moment C (n·D² multiply-adds); per layer and head the map's
    // two D³ products (built twice: forward, and again backward), the forward's
    // T C Tᵀ, and backward's T̄, C̄ and per-head four D³ products; separate
    // weights add W_KᵀW_Q (r·D², twice) and their two gradients (2·r·D²).
    const { heads: H, layers, param, rank } = spec.model;
    const D3 = D * D * D;
    const sep = param === 'separate' ? 2 * rank * D * D * 2 : 0;
    const perLayer = H * (2 * 2 * D3 * 2 + 4 * 2 * D3 + sep) + 6 * 2 * D3;
    const perPrompt = n * 2 * D * D + layers * perLayer;
    return B * perPrompt + B * np + optimizer;
  }
  if (spec.model.type === 'lsa') {
    // q = W_KQ z_q; per token: b = q·z, v += b z, and per output a = p·z, ŷ += a b, s += a z.
    const perPrompt = 2 * D * d + n * (4 * D + k * (4 * D + 2)) + k * 3 * D;
    // Batch sums: W_KQ's D×d entries (a product each), W_PV's k rows.
    const reduce = B * (2 * D * d + k * D + 1);
    return B * perPrompt + reduce + optimizer;
  }
  const H = spec.model.heads;
  // k̃ = M x_q; per token and head: logit, exp, l, c += a z, and per output s, ŷ, e += a s z.
  const perPrompt = H * (2 * D * d + n * (4 * D + 3 + k * (4 * D + 2)) + k * 6 * D);
  // Per-step constants (M^h, ov^{h,t}), batch sums (u^{h,t}, P^h), parameter gradients.
  const prep = H * (D * d + k * D) * 2 * D;
  const sums = B * H * (k * D + 2 * D * D);
  const grads = np * 2 * D;
  return B * perPrompt + prep + sums + grads + optimizer;
}
