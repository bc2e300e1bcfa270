// How fast a run reached what theory says is the best its model class can do:
// the first step at which the batch loss, averaged over a trailing window,
// came within 1% of the target — the optimal one-step (preconditioned) GD loss
// L* for linear self-attention, He et al.'s debiased GD for softmax attention.
// Fresh prompts every step make the batch loss an unbiased estimate of the
// test loss before that step's update; the window averages enough prompts
// (about 32,768) that its noise is under 1%.
import type { TestResult, TheoryNumbers } from './evaluation.ts';

export const CONVERGENCE_TOLERANCE = 0.01;
/** Prompts averaged by the trailing window (its relative noise is about √(2/that) for Gaussian residuals: 0.8%). */
export const CONVERGENCE_PROMPTS = 32_768;

export interface Convergence {
  /** The loss the run is compared with, and what it is. */
  target: number;
  targetLabel: string;
  tolerance: number;
  /** Steps in the trailing window. */
  window: number;
  /** The first step count at which the window's mean batch loss was within the tolerance of the target; null if never. */
  stepsToTarget: number | null;
  /** Final test MSE over the target. */
  finalRatio: number;
}

/** The target for one output: L* where there is a closed form (LSA), debiased GD (softmax), else none. */
function outputTarget(model: 'lsa' | 'softmax', theory: TheoryNumbers, test: TestResult): { target: number; label: string } | null {
  if (model === 'lsa') {
    const closed = theory.pgdLoss ?? theory.gdLoss;
    if (closed !== undefined && theory.source !== 'trained distribution') return { target: closed, label: theory.pgdLoss !== undefined ? 'L* (optimal preconditioned one-step GD)' : 'L* (optimal one-step GD)' };
    const fitted = test.preconditionedGd?.mean ?? test.oneStepGd.mean;
    return Number.isFinite(fitted) ? { target: fitted, label: 'best one-step GD (fitted)' } : null;
  }
  const deb = test.debiasedGd?.mean;
  return deb !== undefined && Number.isFinite(deb) ? { target: deb, label: "debiased GD (He et al.), its best scale" } : null;
}

/**
 * The target for a run, given every output's theory and test: one output's
 * target, or with k outputs the mean of theirs, since the batch loss is the
 * mean over the outputs (and so is the loss plot's dashed L*). None where an
 * output has none.
 */
export function convergenceTarget(model: 'lsa' | 'softmax', outputs: readonly { theory: TheoryNumbers; test: TestResult }[]): { target: number; label: string } | null {
  const each = outputs.map((o) => outputTarget(model, o.theory, o.test));
  if (each.length === 0 || each.some((g) => g === null)) return null;
  const goals = each as { target: number; label: string }[];
  if (goals.length === 1) return goals[0];
  const target = goals.reduce((a, g) => a + g.target, 0) / goals.length;
  const labels = new Set(goals.map((g) => g.label));
  if (labels.size > 1) return { target, label: `mean over ${goals.length} tasks of their targets` };
  // "L* (optimal one-step GD)" → "mean L* over 2 tasks (optimal one-step GD)".
  const [head, ...rest] = goals[0].label.split(' (');
  return { target, label: `mean ${head} over ${goals.length} tasks${rest.length ? ` (${rest.join(' (')}` : ''}` };
}

/** The final test MSE that convergence() sets against the target: the mean over the outputs, as the batch loss is. */
export function meanModelTest(outputs: readonly { test: TestResult }[]): number {
  return outputs.reduce((a, o) => a + o.test.model.mean, 0) / outputs.length;
}

/** The window for a batch size and run length: CONVERGENCE_PROMPTS prompts, at least 10 steps, at most a twentieth of the run. */
export function convergenceWindow(batch: number, steps: number): number {
  return Math.max(1, Math.min(Math.max(10, Math.ceil(CONVERGENCE_PROMPTS / batch)), Math.floor(steps / 20)));
}

export function convergence(losses: ArrayLike<number>, batch: number, target: number, label: string, finalTest: number): Convergence {
  const W = convergenceWindow(batch, losses.length);
  const limit = (1 + CONVERGENCE_TOLERANCE) * target;
  let sum = 0;
  let stepsToTarget: number | null = null;
  for (let t = 0; t < losses.length; t++) {
    sum += losses[t];
    if (t >= W) sum -= losses[t - W];
    if (t + 1 >= W && sum / W <= limit) {
      stepsToTarget = t + 1;
      break;
    }
  }
  return { target, targetLabel: label, tolerance: CONVERGENCE_TOLERANCE, window: W, stepsToTarget, finalRatio: finalTest / target };
}
