// The page's "steps to within 1% of the theory optimum" (analysis/convergence.ts
// convergence(), which the headless runner puts in its result), computed as the
// readbacks arrive, without keeping the run's per-step losses.
//
// The tracker keeps the trailing window (a ring of convergenceWindow(batch,
// steps) losses) and its running sum, updated in the same order as
// convergence(), so every window mean is the same double. The target is only
// known after the evaluation (softmax attention's debiased GD is measured
// then), so it cannot be compared with as the run goes; instead the tracker
// keeps the window means that were new lows (each lower than every earlier
// one). The first step whose window mean is within the limit is always such a
// low (every earlier mean was above the limit, so above it), so the first kept
// low within the limit is exactly convergence()'s stepsToTarget, for whatever
// target. The lows come dense while the loss falls and sparse once it levels
// off; past MAX_LOWS of them every other one is dropped, and the step found can
// then come late by up to the gap left (flagged `approximate`).
//
// An imported experiment brings only its loss curve (bucket means). seedMeans()
// stands each bucket's mean in for every step of its bucket: exact where the
// buckets are one step wide (the page's curve keeps single steps up to 2048
// steps), otherwise an approximation of the window's mean (the step found can
// be off by about a bucket's width), also flagged `approximate`.
import { CONVERGENCE_TOLERANCE, convergenceTarget, convergenceWindow, meanModelTest, type Convergence } from '../analysis/convergence.ts';
import type { TestResult, TheoryNumbers } from '../analysis/evaluation.ts';

/** Window-mean lows kept before they are thinned (16 bytes each). */
export const MAX_LOWS = 1 << 16;

/** convergence()'s result as the page shows it, and whether it is exact. */
export type ConvergenceReadout = Convergence & {
  /** False where the step rests on an imported curve's bucket means, or on thinned lows. */
  exact: boolean;
  /** Why it is not exact (null when it is). */
  approximation: string | null;
};

export class ConvergenceTracker {
  readonly window: number;
  readonly totalSteps: number;
  private readonly ring: Float64Array;
  private sum = 0;
  /** Steps consumed so far (steps are 0-based: the next one is `seen`). */
  private seen = 0;
  /** A push left steps out: nothing exact can be said. */
  private broken = false;
  /** Widest imported bucket (1 when every step is known on its own). */
  private widestBucket = 1;
  private thinned = false;
  /** Window-mean lows: the step count at which each was reached, and the mean. */
  private lowSteps = new Float64Array(256);
  private lowMeans = new Float64Array(256);
  private lows = 0;

  constructor(batch: number, totalSteps: number) {
    this.totalSteps = totalSteps;
    this.window = convergenceWindow(batch, totalSteps);
    this.ring = new Float64Array(this.window);
  }

  /** Steps seen so far. */
  get steps(): number {
    return this.seen;
  }

  /**
   * The batch losses of steps [first, first + losses.length) (0-based: a
   * readback's step − losses.length). Steps already seen are skipped: after a
   * device loss the run replays them from a snapshot, with the same numbers.
   */
  push(first: number, losses: ArrayLike<number>): void {
    if (first > this.seen) this.broken = true;
    for (let i = Math.max(0, this.seen - first); i < losses.length; i++) this.add(losses[i]);
  }

  /** An imported loss curve: bucket means ending at steps `ends` (1-based, increasing); each mean stands for every step of its bucket. */
  seedMeans(ends: ArrayLike<number>, means: ArrayLike<number>): void {
    for (let i = 0; i < ends.length; i++) {
      const width = ends[i] - this.seen;
      if (width > this.widestBucket) this.widestBucket = width;
      for (let j = 0; j < width; j++) this.add(means[i]);
    }
  }

  private add(x: number): void {
    const t = this.seen++;
    if (t >= this.totalSteps) return;
    const W = this.window;
    const slot = t % W;
    // As convergence(): add the new loss, then take away the one leaving the window.
    this.sum += x;
    if (t >= W) this.sum -= this.ring[slot];
    this.ring[slot] = x;
    if (t + 1 < W) return;
    const mean = this.sum / W;
    if (this.lows === 0 || mean < this.lowMeans[this.lows - 1]) this.keepLow(t + 1, mean);
  }

  private keepLow(step: number, mean: number): void {
    if (this.lows === this.lowMeans.length) {
      if (this.lows < MAX_LOWS) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(2 * a.length);
          b.set(a);
          return b;
        };
        this.lowSteps = grow(this.lowSteps);
        this.lowMeans = grow(this.lowMeans);
      } else {
        // Keep every other low, the latest among them.
        const half = this.lows / 2;
        for (let i = 0; i < half; i++) {
          this.lowSteps[i] = this.lowSteps[2 * i + 1];
          this.lowMeans[i] = this.lowMeans[2 * i + 1];
        }
        this.lows = half;
        this.thinned = true;
      }
    }
    this.lowSteps[this.lows] = step;
    this.lowMeans[this.lows] = mean;
    this.lows++;
  }

  /**
   * convergence(losses, batch, target, label, finalTest) for the steps seen;
   * null unless every step of the run was seen.
   */
  result(target: number, label: string, finalTest: number): ConvergenceReadout | null {
    if (this.broken || this.seen < this.totalSteps) return null;
    const limit = (1 + CONVERGENCE_TOLERANCE) * target;
    let stepsToTarget: number | null = null;
    for (let i = 0; i < this.lows; i++) {
      if (this.lowMeans[i] <= limit) {
        stepsToTarget = this.lowSteps[i];
        break;
      }
    }
    const why = [
      this.widestBucket > 1 ? `the imported loss curve averages up to ${this.widestBucket} steps per point` : null,
      this.thinned ? `more than ${MAX_LOWS} window-mean lows were kept, so some were dropped` : null,
    ].filter((w) => w !== null);
    return {
      target,
      targetLabel: label,
      tolerance: CONVERGENCE_TOLERANCE,
      window: this.window,
      stepsToTarget,
      finalRatio: finalTest / target,
      exact: why.length === 0,
      approximation: why.length > 0 ? why.join('; ') : null,
    };
  }
}

/** What the end-of-run evaluation gives the readout (orchestration/run.ts finishRun's evaluation). */
export interface EvaluationForConvergence {
  /** Every output's theory and test (one for a single task). */
  outputs: readonly { theory: TheoryNumbers; test: TestResult }[];
  shift?: unknown;
}

/**
 * The readout the headless runner (orchestration/run.ts runExperiment) puts in
 * its result as `convergence`: against convergenceTarget's target, only where
 * training and test share a distribution; null where there is no target.
 */
export function convergenceReadout(model: 'lsa' | 'softmax', evaluation: EvaluationForConvergence, tracker: ConvergenceTracker): ConvergenceReadout | null {
  const goal = evaluation.shift ? null : convergenceTarget(model, evaluation.outputs);
  return goal ? tracker.result(goal.target, goal.label, meanModelTest(evaluation.outputs)) : null;
}
