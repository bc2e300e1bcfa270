// The in-context predictors against each other and against their defining
// properties, on random prompts.
import { describe, expect, it } from 'vitest';
import { debiasedGd, heApproximateLoss, kStepGd, ols, reducedSoftmax, ridge } from '../src/theory/predictors.ts';
import { predictGd } from '../src/theory/closedForms.ts';
import { monteCarloLoss } from '../src/theory/monteCarlo.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { samplePrompt } from '../src/tasks/sampler.ts';
import { buildTask } from '../src/tasks/task.ts';

function task(d: number, n: number, over: (s: ReturnType<typeof defaultSpec>) => void = () => {}) {
  const s = defaultSpec();
  Object.assign(s.task, { d, n, noiseVar: 0.1 });
  over(s);
  return buildTask(s.task);
}

describe('predictors', () => {
  it('one step of k-step GD is one-step GD; many small steps reach least squares (n > d)', () => {
    const ctx = task(4, 30, (s) => (s.task.covariance = { ...s.task.covariance, kind: 'ar1', rho: 0.5 }));
    for (let p = 0; p < 20; p++) {
      const pr = samplePrompt(ctx, 3, 1, p);
      expect(kStepGd(pr, 0.37, 1)).toBeCloseTo(predictGd(pr, 0.37, 4, 30), 12);
      expect(kStepGd(pr, 0.3, 3000)).toBeCloseTo(ols(pr), 6);
    }
  });

  it('ridge tends to least squares as λ → 0, and shrinks toward 0 as λ grows', () => {
    const ctx = task(5, 12);
    for (let p = 0; p < 20; p++) {
      const pr = samplePrompt(ctx, 4, 1, p);
      expect(ridge(pr, 1e-9)).toBeCloseTo(ols(pr), 6);
      expect(Math.abs(ridge(pr, 1e9))).toBeLessThan(1e-6);
    }
  });

  it('minimum-norm least squares interpolates the context when n < d', () => {
    const ctx = task(8, 3);
    for (let p = 0; p < 20; p++) {
      const pr = samplePrompt(ctx, 5, 1, p);
      const i = p % 3;
      const atPoint = { ...pr, xq: pr.xs.slice(i * 8, (i + 1) * 8) };
      expect(ols(atPoint)).toBeCloseTo(pr.ys[i], 9);
    }
  });

  it('a ±(ω, μ) pair of reduced softmax heads is debiased GD with c = 2ωμ/n, to first order in ω', () => {
    const ctx = task(5, 40);
    const omega = 1e-4;
    const mu = 3;
    for (let p = 0; p < 20; p++) {
      const pr = samplePrompt(ctx, 6, 1, p);
      const pair = reducedSoftmax(pr, [omega, -omega], [mu, -mu]);
      const debiased = debiasedGd(pr, (2 * omega * mu) / 40);
      expect(Math.abs(pair - debiased)).toBeLessThan(1e-3 * Math.abs(debiased) + 1e-9);
    }
  });

  it("He et al.'s approximate loss reads below the Monte Carlo loss of the reduced predictor, within 20% (d = 5, L = 40)", () => {
    const ctx = task(5, 40, (s) => (s.task.prior.tau2 = 0.2));
    const omega = [0.16, -0.16];
    const mu = [2.7, -2.7];
    const mc = monteCarloLoss(ctx, (pr) => reducedSoftmax(pr, omega, mu), 20_000, 7);
    const approx = heApproximateLoss(omega, mu, 5, 40, 0.1);
    expect(approx).toBeLessThan(mc.mean);
    expect(approx).toBeGreaterThan(0.8 * mc.mean);
  });
});
