// What one prompt of a training step costs, counted from the kernels' algebra
// (DESIGN.md §3): floating-point operations of its forward and backward pass
// (a multiply-add counts 2, an exp 1) and the normals its sampling draws. The
// benchmark's FLOP counts and the trainer's dispatch split both read it.
import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';

/** Normals one prompt draws: (k + 1 + n) records × 4·⌈(d + k)/4⌉. */
export function normalsPerPrompt(spec: ExperimentSpec): number {
  const { d, n, tasks: k } = spec.task;
  return (k + 1 + n) * 4 * Math.ceil((d + k) / 4);
}

/** Forward and backward FLOPs of one prompt in the training kernel (sampling excluded). */
export function trainFlopsPerPrompt(spec: ExperimentSpec): number {
  const { d, n, tasks: k } = spec.task;
  const D = d + k;
  if (isGeneralLinearAttention(spec.model)) {
    // The context moment C (n·D² multiply-adds); per layer and head the map's
    // two D³ products (built twice: forward, and again backward), the forward's
    // T C Tᵀ, and backward's T̄, C̄ and per-head four D³ products; separate
    // weights add W_KᵀW_Q (r·D², twice) and their two gradients (2·r·D²).
    const { heads: H, layers, param, rank } = spec.model;
    const D3 = D * D * D;
    const sep = param === 'separate' ? 2 * rank * D * D * 2 : 0;
    const perLayer = H * (2 * 2 * D3 * 2 + 4 * 2 * D3 + sep) + 6 * 2 * D3;
    return n * 2 * D * D + layers * perLayer;
  }
  // q = W_KQ z_q; per token: b = q·z, v += b z, and per output a = p·z, ŷ += a b, s += a z.
  if (spec.model.type === 'lsa') return 2 * D * d + n * (4 * D + k * (4 * D + 2)) + k * 3 * D;
  // k̃ = M x_q; per token and head: logit, exp, l, c += a z, and per output s, ŷ, e += a s z.
  return spec.model.heads * (2 * D * d + n * (4 * D + 3 + k * (4 * D + 2)) + k * 6 * D);
}

/** A normal's cost in FLOPs, for weighing sampling against the algebra (a counter hash and a Box–Muller half). */
export const FLOPS_PER_NORMAL = 20;

/** One prompt's training work in FLOPs, sampling included. */
export function trainWorkPerPrompt(spec: ExperimentSpec): number {
  return trainFlopsPerPrompt(spec) + FLOPS_PER_NORMAL * normalsPerPrompt(spec);
}
