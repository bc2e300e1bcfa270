// Float64 reference of the optimizer step in shaders/update.wgsl.
import type { OptimizerSpec } from '../spec/types.ts';

export interface OptimizerState {
  /** Adam's first moment, or SGD's momentum buffer. */
  m: Float64Array;
  /** Adam's second moment. */
  v: Float64Array;
}

export function newOptimizerState(size: number): OptimizerState {
  return { m: new Float64Array(size), v: new Float64Array(size) };
}

/** Learning rate at 0-based step `step` of `total`. */
export function learningRate(opt: OptimizerSpec, step: number, total: number): number {
  if (opt.schedule === 'cosine') return opt.lr * 0.5 * (1 + Math.cos((Math.PI * step) / total));
  return opt.lr;
}

/** Applies one step in place; `grad` is the batch-mean gradient. */
export function optimizerStep(
  opt: OptimizerSpec,
  params: Float64Array,
  grad: ArrayLike<number>,
  state: OptimizerState,
  step: number,
  totalSteps: number,
): void {
  const lr = learningRate(opt, step, totalSteps);
  const t = step + 1;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    if (opt.kind === 'adam') {
      const m = opt.beta1 * state.m[i] + (1 - opt.beta1) * g;
      const v = opt.beta2 * state.v[i] + (1 - opt.beta2) * g * g;
      state.m[i] = m;
      state.v[i] = v;
      const mhat = m / (1 - Math.pow(opt.beta1, t));
      const vhat = v / (1 - Math.pow(opt.beta2, t));
      params[i] -= lr * (mhat / (Math.sqrt(vhat) + opt.eps) + opt.weightDecay * params[i]);
    } else {
      const m = opt.momentum * state.m[i] + g;
      state.m[i] = m;
      params[i] -= lr * (m + opt.weightDecay * params[i]);
    }
  }
}
