// The page's steps-to-target readout, tracked readback by readback, against the
// runner's convergence() on the same per-step losses.
import { describe, expect, it } from 'vitest';
import { convergence, convergenceTarget } from '../src/analysis/convergence.ts';
import type { TestResult, TheoryNumbers } from '../src/analysis/evaluation.ts';
import { ConvergenceTracker, convergenceReadout, MAX_LOWS } from '../src/store/convergenceReadout.ts';
import { LossHistory } from '../src/store/lossHistory.ts';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A noisy decaying batch loss: target·(1 + a·e^(−t/τ)) with multiplicative noise, as float32 (what readbacks carry). */
function lossCurve(T: number, seed: number, target = 2, tau = T / 8, noise = 0.2): Float32Array {
  const r = lcg(seed);
  const a = 1 + 4 * r();
  return Float32Array.from({ length: T }, (_, t) => target * (1 + a * Math.exp(-t / tau)) * (1 + noise * (r() - 0.5)));
}

/** Feeds `losses` to a tracker in readbacks of random sizes, as the page gets them. */
function track(losses: Float32Array, batch: number, seed: number, maxChunk = 100): ConvergenceTracker {
  const tr = new ConvergenceTracker(batch, losses.length);
  const r = lcg(seed);
  for (let first = 0; first < losses.length; ) {
    const k = Math.min(losses.length - first, 1 + Math.floor(r() * maxChunk));
    tr.push(first, losses.subarray(first, first + k));
    first += k;
  }
  return tr;
}

describe('convergence tracker', () => {
  it('equals convergence() on the same losses for any target, batch and run length, readbacks of any size', () => {
    let reached = 0;
    let never = 0;
    for (let trial = 0; trial < 60; trial++) {
      const r = lcg(1000 + trial);
      const T = 1 + Math.floor(r() * 3000);
      const batch = [1, 16, 64, 256, 1024, 65536][Math.floor(r() * 6)];
      const losses = lossCurve(T, trial);
      const tr = track(losses, batch, trial);
      // Targets around, below and above where the curve ends (the target is only known after the evaluation).
      for (const target of [1.9, 1.98, 2, 2.02, 2.1, 2.5, 5, 0.5]) {
        const want = convergence(losses, batch, target, 'L*', 2.05);
        const got = tr.result(target, 'L*', 2.05)!;
        expect(got.exact).toBe(true);
        expect(got.approximation).toBeNull();
        const { exact: _e, approximation: _a, ...same } = got;
        expect(same).toEqual(want);
        if (want.stepsToTarget === null) never++;
        else reached++;
      }
    }
    expect(reached).toBeGreaterThan(50);
    expect(never).toBeGreaterThan(50);
  });

  it('a target met exactly by a window mean counts (≤), and the first full window can be the step', () => {
    const losses = Float32Array.from({ length: 400 }, () => 1);
    const c = convergence(losses, 256, 1 / 1.01, 'L*', 1);
    const tr = track(losses, 256, 1);
    expect(tr.result(1 / 1.01, 'L*', 1)!.stepsToTarget).toBe(c.stepsToTarget);
    expect(tr.result(1, 'L*', 1)!.stepsToTarget).toBe(tr.window);
    expect(tr.result(0.9, 'L*', 1)!.stepsToTarget).toBeNull();
    expect(tr.result(0.9, 'L*', 1)!.finalRatio).toBeCloseTo(1 / 0.9, 12);
  });

  it('skips steps replayed after a device loss, and says nothing for an unfinished run or one with a gap', () => {
    const losses = lossCurve(2000, 7);
    const want = convergence(losses, 64, 2.02, 'L*', 2.03);
    const tr = new ConvergenceTracker(64, 2000);
    tr.push(0, losses.subarray(0, 900));
    expect(tr.result(2.02, 'L*', 2.03)).toBeNull(); // unfinished
    // Resumed from a snapshot at step 700: steps 700… come again.
    tr.push(700, losses.subarray(700, 1000));
    tr.push(1000, losses.subarray(1000));
    expect(tr.result(2.02, 'L*', 2.03)!.stepsToTarget).toBe(want.stepsToTarget);
    const gap = new ConvergenceTracker(64, 2000);
    gap.push(0, losses.subarray(0, 500));
    gap.push(600, losses.subarray(600));
    expect(gap.result(2.02, 'L*', 2.03)).toBeNull();
  });

  it('an imported curve of single steps (the page\'s own, ≤ 2048 steps) gives the exact step; wider buckets are flagged approximate', () => {
    const T = 1500;
    const losses = lossCurve(T, 11);
    const want = convergence(losses, 256, 2.02, 'L*', 2.03);
    expect(want.stepsToTarget).not.toBeNull();
    // Imported at step 1000 as the page exports its curve, then trained on.
    const h = new LossHistory();
    h.push(losses.subarray(0, 1000));
    const { x, y } = h.points();
    expect(h.bucketWidth).toBe(1);
    const tr = new ConvergenceTracker(256, T);
    tr.seedMeans(x, y);
    tr.push(1000, losses.subarray(1000));
    const got = tr.result(2.02, 'L*', 2.03)!;
    expect(got.exact).toBe(true);
    expect(got.stepsToTarget).toBe(want.stepsToTarget);
    // A long run's curve has buckets of several steps: close, but flagged.
    const long = lossCurve(20_000, 12);
    const wantLong = convergence(long, 256, 2.02, 'L*', 2.03);
    const hl = new LossHistory();
    hl.push(long);
    expect(hl.bucketWidth).toBeGreaterThan(1);
    const pl = hl.points();
    const tl = new ConvergenceTracker(256, long.length);
    tl.seedMeans(pl.x, pl.y);
    const gotLong = tl.result(2.02, 'L*', 2.03)!;
    expect(gotLong.exact).toBe(false);
    expect(gotLong.approximation).toMatch(/averages up to 16 steps per point/);
    expect(Math.abs(gotLong.stepsToTarget! - wantLong.stepsToTarget!)).toBeLessThanOrEqual(2 * hl.bucketWidth);
  });

  it(`past ${MAX_LOWS} window-mean lows keeps every other one: the step found is at or shortly after the exact one, flagged approximate`, () => {
    // A strictly falling loss makes every step a new low.
    const T = 3 * MAX_LOWS;
    const losses = Float32Array.from({ length: T }, (_, t) => 1 + (T - t) / T);
    const tr = track(losses, 1 << 20, 3, 5000);
    for (const target of [1.9, 1.5, 1.2, 1.0]) {
      const want = convergence(losses, 1 << 20, target, 'L*', 1);
      const got = tr.result(target, 'L*', 1)!;
      expect(got.exact).toBe(false);
      expect(got.approximation).toMatch(/lows were kept/);
      expect(got.stepsToTarget!).toBeGreaterThanOrEqual(want.stepsToTarget!);
      // Each thinning doubles the gaps: at most about 4·lows/MAX_LOWS steps late here (16).
      expect(got.stepsToTarget! - want.stepsToTarget!).toBeLessThanOrEqual((4 * T) / MAX_LOWS + 4);
    }
  });
});

describe('convergenceReadout', () => {
  const theory = { available: true, source: 'closed form', gdLoss: 2.2, pgdLoss: 2 } as unknown as TheoryNumbers;
  const test = { model: { mean: 2.04, stderr: 0.01 }, oneStepGd: { mean: 2.2, stderr: 0.01 }, debiasedGd: { mean: 1.5, stderr: 0.01 } } as unknown as TestResult;

  it("picks the runner's target (L* for LSA, debiased GD for softmax) and none where the test distribution differs", () => {
    const losses = lossCurve(1000, 5);
    const tr = track(losses, 256, 5);
    const lsa = convergenceReadout('lsa', { outputs: [{ theory, test }] }, tr)!;
    const goal = convergenceTarget('lsa', [{ theory, test }])!;
    expect(lsa.target).toBe(2);
    expect(lsa.targetLabel).toBe(goal.label);
    expect(lsa.stepsToTarget).toBe(convergence(losses, 256, goal.target, goal.label, 2.04).stepsToTarget);
    expect(lsa.finalRatio).toBeCloseTo(1.02, 12);
    const soft = convergenceReadout('softmax', { outputs: [{ theory, test }] }, tr)!;
    expect(soft.target).toBe(1.5);
    expect(soft.stepsToTarget).toBeNull();
    expect(convergenceReadout('lsa', { outputs: [{ theory, test }], shift: {} }, tr)).toBeNull();
    const noDeb = { ...test, debiasedGd: undefined } as unknown as TestResult;
    expect(convergenceReadout('softmax', { outputs: [{ theory, test: noDeb }] }, tr)).toBeNull();
  });

  it('with several tasks, sets the batch loss (the mean over outputs) against the mean of the outputs\' targets, and the mean test MSE against it', () => {
    // Task 2 reads a wider window: a higher L* and test MSE than task 1.
    const theory2 = { ...theory, gdLoss: 3.3, pgdLoss: 3 } as unknown as TheoryNumbers;
    const test2 = { ...test, model: { mean: 3.1, stderr: 0.01 }, debiasedGd: { mean: 2.5, stderr: 0.01 } } as unknown as TestResult;
    const outputs = [{ theory, test }, { theory: theory2, test: test2 }];
    const goal = convergenceTarget('lsa', outputs)!;
    expect(goal.target).toBe(2.5);
    expect(goal.label).toBe('mean L* over 2 tasks (optimal preconditioned one-step GD)');
    const losses = lossCurve(1000, 7, 2.5);
    const tr = track(losses, 256, 7);
    const r = convergenceReadout('lsa', { outputs }, tr)!;
    expect(r.target).toBe(2.5);
    expect(r.stepsToTarget).toBe(convergence(losses, 256, 2.5, goal.label, 2.57).stepsToTarget);
    expect(r.stepsToTarget).not.toBeNull();
    expect(r.finalRatio).toBeCloseTo((2.04 + 3.1) / 2 / 2.5, 12);
    // Against task 1's target alone the curve would never get there.
    expect(convergence(losses, 256, 2, 'L*', 2.04).stepsToTarget).toBeNull();
    expect(convergenceTarget('softmax', outputs)).toEqual({ target: 2, label: 'mean debiased GD over 2 tasks (He et al.), its best scale' });
    // One output without a target: none for the run.
    expect(convergenceTarget('softmax', [{ theory, test }, { theory: theory2, test: { ...test2, debiasedGd: undefined } as unknown as TestResult }])).toBeNull();
  });
});
