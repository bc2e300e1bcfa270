// The minimiser of He et al.'s approximate loss L̃ against its defining
// properties (stationary, below alternatives and the closed-form bound), the
// head-count facts, and a Monte Carlo reading of the true loss there.
import { describe, expect, it } from 'vitest';
import { heApproximateLoss, reducedSoftmax } from '../src/theory/predictors.ts';
import { reducedLossInfimum, reducedSoftmaxOptimum } from '../src/theory/reducedOptimum.ts';
import { monteCarloLoss } from '../src/theory/monteCarlo.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';

const [d, L, s2] = [5, 40, 0.1];
const opt = (heads: number) => reducedSoftmaxOptimum({ d, L, noiseVar: s2, heads });
const lossAt = (x: number[], H: number) => heApproximateLoss(x.slice(0, H), x.slice(H), d, L, s2);

describe('reducedSoftmaxOptimum', () => {
  it('one head: ω = 1/√d, μ = ω/(ω² + c·e), L̃ = 1 + σ² − 1/(1 + cde), computed independently', () => {
    const r = opt(1);
    const c = (1 + s2) / L;
    expect(r.omega[0]).toBeCloseTo(1 / Math.sqrt(d), 5);
    expect(r.mu[0]).toBeCloseTo(r.omega[0] / (r.omega[0] ** 2 + c * Math.E), 5);
    expect(r.approxLoss).toBeCloseTo(1 + s2 - 1 / (1 + c * d * Math.E), 10);
  });

  it('the returned point is stationary in (ω, μ), no coordinate step lowers L̃, and approxLoss is L̃ there', () => {
    for (const H of [1, 2, 4, 8]) {
      const r = opt(H);
      const x = [...r.omega, ...r.mu];
      const f = lossAt(x, H);
      expect(Math.abs(r.approxLoss - f)).toBeLessThan(1e-9);
      for (let i = 0; i < 2 * H; i++) {
        const h = 1e-5 * Math.max(Math.abs(x[i]), 1e-2);
        const up = x.map((v, j) => (j === i ? v + h : v));
        const down = x.map((v, j) => (j === i ? v - h : v));
        const fu = lossAt(up, H);
        const fd = lossAt(down, H);
        // Relative to the coordinate's scale, so the large μ ~ 1/ω of H ≥ 2 are judged fairly.
        expect(Math.abs((fu - fd) / (2 * h)) * Math.max(Math.abs(x[i]), 1e-2)).toBeLessThan(1e-5);
        for (const t of [1e-3, 1e-2, 1e-1]) {
          const step = t * Math.max(Math.abs(x[i]), 1e-2);
          for (const sgn of [1, -1]) expect(lossAt(x.map((v, j) => (j === i ? v + sgn * step : v)), H)).toBeGreaterThan(f - 1e-9);
        }
      }
      // Nor does the joint direction along which L̃ falls toward its H ≥ 2 infimum: (sω, μ/s), s < 1.
      for (const sc of [0.5, 0.9, 1.1]) expect(lossAt(x.map((v, j) => (j < H ? v * sc : v / sc)), H)).toBeGreaterThan(f - 1e-9);
    }
  });

  it('the optimum is below L̃ on a grid of (ω, μ), and every grid value is above the closed-form infimum', () => {
    const ws = [-1, -0.6, -0.3, -0.1, -0.02, 0.02, 0.1, 0.3, 0.45, 0.6, 1];
    const ms = [-20, -8, -3, -1, -0.3, 0, 0.3, 1, 1.6, 3, 8, 20];
    const one = opt(1);
    const two = opt(2);
    let min1 = Infinity;
    let min2 = Infinity;
    for (const w1 of ws)
      for (const m1 of ms) {
        min1 = Math.min(min1, heApproximateLoss([w1], [m1], d, L, s2));
        for (const w2 of ws) for (const m2 of ms) min2 = Math.min(min2, heApproximateLoss([w1, w2], [m1, m2], d, L, s2));
      }
    expect(one.approxLoss).toBeLessThanOrEqual(min1);
    expect(two.approxLoss).toBeLessThanOrEqual(min2);
    expect(min1).toBeGreaterThanOrEqual(reducedLossInfimum(d, L, s2, 1) - 1e-12);
    expect(min2).toBeGreaterThanOrEqual(reducedLossInfimum(d, L, s2, 2) - 1e-12);
    // The bound is approached: within 1e-9 for H ≥ 2, though no finite point reaches it.
    for (const H of [2, 3, 4, 8]) {
      const r = opt(H);
      expect(r.approxLoss).toBeGreaterThanOrEqual(r.infimum - 1e-12);
      expect(r.approxLoss - r.infimum).toBeLessThan(1e-9);
    }
  });

  it('two heads beat one; more heads never hurt (here they do not help either: same infimum)', () => {
    const [l1, l2, l4, l8] = [1, 2, 4, 8].map((H) => opt(H).approxLoss);
    expect(l2).toBeLessThan(l1 - 0.1);
    expect(l4).toBeLessThanOrEqual(l2 + 1e-9);
    expect(l8).toBeLessThanOrEqual(l4 + 1e-9);
  });

  it('for H ≥ 2 the output weights are zero-sum: |Σμ| / Σ|μ| ≈ 0; one head is positive', () => {
    const one = opt(1);
    expect(one.omega[0]).toBeGreaterThan(0);
    expect(one.mu[0]).toBeGreaterThan(0);
    for (const H of [2, 3, 4, 8]) {
      const r = opt(H);
      const sum = r.mu.reduce((a, b) => a + b, 0);
      const abs = r.mu.reduce((a, b) => a + Math.abs(b), 0);
      expect(Math.abs(sum) / abs).toBeLessThan(1e-6);
    }
    const two = opt(2);
    expect(two.omega[0]).toBeGreaterThan(0);
    expect(two.omega[1]).toBeLessThan(0);
    expect(two.mu[0]).toBeCloseTo(-two.mu[1], 6);
  });

  it('Monte Carlo (d = 5, L = 40, σ² = 0.1, τ² = 1/d): L̃ under-reads the true loss at its optimum, by under 15%', () => {
    const s = defaultSpec();
    Object.assign(s.task, { d, n: L, noiseVar: s2 });
    s.task.prior.tau2 = 1 / d;
    const ctx = buildTask(s.task);
    for (const H of [1, 2]) {
      const r = opt(H);
      const mc = monteCarloLoss(ctx, (p) => reducedSoftmax(p, r.omega, r.mu), 10_000, 7);
      expect(r.approxLoss).toBeLessThan(mc.mean - 3 * mc.stderr);
      expect(r.approxLoss).toBeGreaterThan(0.85 * mc.mean);
    }
  });
});
