// Monte Carlo estimates of a predictor's MSE on fresh prompts from the CPU
// sampler: the check every closed form is held to, and the fallback where
// none exists (nonlinear responses).
import { samplePrompt, type Prompt } from '../tasks/sampler.ts';
import type { TaskContext } from '../tasks/task.ts';

/**
 * Step word of the prompts drawn here: apart from training steps (< 2^31) and
 * from the engine's reserved streams (EVAL 0x80000000 + batch, INIT 0xc0000000,
 * ROTATION 0xd0000000).
 */
export const THEORY_STREAM = 0x90000000;

export interface MonteCarloEstimate {
  /** Mean of (y_q − ŷ)² over the prompts. */
  mean: number;
  /** Standard error of that mean (sample standard deviation / √prompts). */
  stderr: number;
}

/** Mean and standard error of a list of samples (two-pass, so large means do not cancel). */
export function meanAndStderr(values: ArrayLike<number>): MonteCarloEstimate {
  const m = values.length;
  if (m < 2) throw new Error('at least two samples are needed for a standard error');
  let sum = 0;
  for (let i = 0; i < m; i++) sum += values[i];
  const mean = sum / m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (values[i] - mean) ** 2;
  return { mean, stderr: Math.sqrt(ss / (m - 1) / m) };
}

/** MSE of `predict` on prompts 0..prompts−1 of (seed, THEORY_STREAM). */
export function monteCarloLoss(ctx: TaskContext, predict: (p: Prompt) => number, prompts: number, seed: number): MonteCarloEstimate {
  if (!Number.isInteger(prompts) || prompts < 2 || prompts > 2 ** 32) throw new Error(`prompts must be an integer from 2 to 2^32, got ${prompts}`);
  const losses = new Float64Array(prompts);
  for (let i = 0; i < prompts; i++) {
    const p = samplePrompt(ctx, seed >>> 0, THEORY_STREAM, i >>> 0);
    losses[i] = (p.yq - predict(p)) ** 2;
  }
  return meanAndStderr(losses);
}
