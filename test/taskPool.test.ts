// The theory of the literature's other data, against Monte Carlo on the CPU
// sampler: a finite task pool's one-step optimum Γ*(Ω_pool) (the loss of
// x_qᵀΓu depends on the prior only through Ω = E[wwᵀ]), the loss of any Γ
// under another prior (fresh tasks), custom and uniform covariates, dMMSE as
// the pool's Bayes predictor, and the test-distribution overrides.
import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../src/spec/index.ts';
import { samplePrompt } from '../src/tasks/sampler.ts';
import { buildTask, buildTestTask, momentView, spectrum, testShiftActive } from '../src/tasks/task.ts';
import { expectedLoss, oneStepGdTheory, optimalGamma, predictPreconditionedGd } from '../src/theory/closedForms.ts';
import { meanAndStderr, monteCarloLoss, THEORY_STREAM } from '../src/theory/monteCarlo.ts';
import { dmmse, dmmseNoiseVar, ridgeWithPenalty } from '../src/theory/predictors.ts';
import { fitOneStep } from '../src/theory/bestFit.ts';
import { symmetricEigen, trace } from '../src/linalg/dense.ts';
import { relError } from './helpers.ts';

const PROMPTS = 100_000;

function pooledTask(over: Partial<ReturnType<typeof defaultSpec>['task']> = {}) {
  const spec = defaultSpec();
  Object.assign(spec.task, { d: 5, n: 20, noiseVar: 0.1, pool: 3, poolSeed: 1, ...over });
  return { spec, ctx: buildTask(spec.task) };
}

describe('a finite task pool', () => {
  it('draws every prompt\'s task from the M entries, each about equally often, and Ω_pool is their second moment', () => {
    const { ctx } = pooledTask({ pool: 4 });
    const pool = ctx.pool!;
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const key = Array.from(samplePrompt(ctx, 3, THEORY_STREAM, i).w).join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    // Binomial(4000, 1/4): sd ≈ 27; 5 sd.
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(140);
    const d = ctx.d;
    const mom = new Float64Array(d * d);
    for (let m = 0; m < 4; m++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mom[i * d + j] += (pool.vectors[m * d + i] * pool.vectors[m * d + j]) / 4;
    expect(relError(pool.moments[0], mom)).toBeLessThan(1e-14);
    // Rank ≤ M.
    const ev = symmetricEigen(pool.moments[0], d).values;
    expect(ev.filter((v) => v > 1e-12 * ev[0]).length).toBe(4);
  });

  it('a sign-symmetric pool holds each vector and its negation (2M tasks) with the same Ω', () => {
    const a = pooledTask({ pool: 3 }).ctx.pool!;
    const b = pooledTask({ pool: 3, poolSymmetric: true }).ctx.pool!;
    expect(b.size).toBe(6);
    for (let i = 0; i < 15; i++) {
      expect(b.vectors[i]).toBe(a.vectors[i]);
      expect(b.vectors[15 + i]).toBe(-a.vectors[i]);
    }
    expect(Array.from(b.moments[0])).toEqual(Array.from(a.moments[0]));
  });

  for (const [name, over] of [
    ['M = 3, isotropic Σ', {}],
    ['M = 3 sign-symmetric', { poolSymmetric: true }],
    ['M = 2, rotated AR(1), whitened prior', { pool: 2, covariance: { kind: 'ar1', rho: 0.7, alpha: 1, kappa: 10, eigenvalues: [], rotate: true, rotationSeed: 5 }, prior: { kind: 'whitened', tau2: 1 } }],
    ['M = 40, geometric κ = 20', { pool: 40, covariance: { kind: 'geometric', kappa: 20, alpha: 1, rho: 0.5, eigenvalues: [], rotate: false, rotationSeed: 0 } }],
  ] as const)
    it(`${name}: L(Γ*(Ω_pool)) on pool prompts, and Γ*'s loss on fresh tasks, agree with Monte Carlo (3 SE)`, () => {
      const { spec, ctx } = pooledTask(over as never);
      const { d, n } = ctx;
      const pooled = momentView(ctx);
      const th = oneStepGdTheory(pooled);
      // Γ*(Ω_pool) = Ω_pool Σ A(Ω_pool)⁻¹ is not Γ* of the prior.
      expect(relError(th.gamma, optimalGamma(ctx))).toBeGreaterThan(0.05);
      const onPool = monteCarloLoss(ctx, (p) => predictPreconditionedGd(p, th.gamma, d, n), PROMPTS, 11);
      expect(Math.abs(onPool.mean - th.gammaLoss) / onPool.stderr, `pool: closed ${th.gammaLoss}, MC ${onPool.mean} ± ${onPool.stderr}`).toBeLessThan(3);
      // Fresh tasks: the same Γ under the prior's Ω.
      spec.eval.test.tasks = 'fresh';
      const fresh = buildTestTask(spec, ctx)!;
      expect(fresh.drawFromPool).toBe(false);
      const closedFresh = expectedLoss(fresh, th.gamma);
      const mc = monteCarloLoss(fresh, (p) => predictPreconditionedGd(p, th.gamma, d, n), PROMPTS, 12);
      expect(Math.abs(mc.mean - closedFresh) / mc.stderr, `fresh: closed ${closedFresh}, MC ${mc.mean} ± ${mc.stderr}`).toBeLessThan(3);
      // Γ*(Ω_pool) is optimal on the pool: a perturbation costs tr(ΔᵀΣΔA) > 0.
      const g2 = th.gamma.map((v, i) => v + (i % (d + 1) === 0 ? 0.05 : 0));
      expect(expectedLoss(pooled, g2)).toBeGreaterThan(th.gammaLoss);
    });
});

describe('dMMSE, the Bayes predictor of a pool', () => {
  it('a pool of one entry: dMMSE is that task vector\'s prediction, exactly', () => {
    const { ctx } = pooledTask({ pool: 1 });
    for (let i = 0; i < 20; i++) {
      const p = samplePrompt(ctx, 2, THEORY_STREAM, i);
      let want = 0;
      for (let j = 0; j < ctx.d; j++) want += ctx.pool!.vectors[j] * p.xq[j];
      expect(dmmse(p, ctx.pool!, 0.1)[0]).toBeCloseTo(want, 12);
    }
  });

  it('matches the posterior mean written out without the max shift, where the exponents are moderate', () => {
    const { ctx } = pooledTask({ pool: 7, n: 3, noiseVar: 2 });
    for (let i = 0; i < 20; i++) {
      const p = samplePrompt(ctx, 4, THEORY_STREAM, i);
      let num = 0;
      let den = 0;
      for (let m = 0; m < 7; m++) {
        const w = ctx.pool!.vectors.subarray(m * 5, m * 5 + 5);
        let r = 0;
        for (let k = 0; k < 3; k++) r += (p.ys[k] - w.reduce((s, v, j) => s + v * p.xs[k * 5 + j], 0)) ** 2;
        const a = Math.exp(-r / 4);
        num += a * w.reduce((s, v, j) => s + v * p.xq[j], 0);
        den += a;
      }
      expect(dmmse(p, ctx.pool!, 2)[0]).toBeCloseTo(num / den, 12);
    }
  });

  it('stays finite with residuals that would underflow exp (σ² = 10⁻⁸), picking the best-fitting entry', () => {
    const { ctx } = pooledTask({ pool: 50, noiseVar: 0 });
    const s2 = dmmseNoiseVar(ctx);
    expect(s2).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) {
      const p = samplePrompt(ctx, 5, THEORY_STREAM, i);
      const y = dmmse(p, ctx.pool!, s2)[0];
      expect(Number.isFinite(y)).toBe(true);
      expect(y).toBeCloseTo(p.yq, 9); // noiseless: the true entry is the only one that fits
    }
  });

  it('on pool tasks dMMSE beats Bayes ridge for fresh tasks; on fresh tasks ridge beats dMMSE (Monte Carlo, 4,000 prompts)', () => {
    const { spec, ctx } = pooledTask({ d: 8, n: 16, noiseVar: 0.25, pool: 16 });
    const s2 = dmmseNoiseVar(ctx);
    const penalty = Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 0.25 : 0));
    const paired = (c: typeof ctx) => {
      const diff = new Float64Array(4000);
      for (let i = 0; i < diff.length; i++) {
        const p = samplePrompt(c, 6, THEORY_STREAM, i);
        diff[i] = (p.yq - dmmse(p, ctx.pool!, s2)[0]) ** 2 - (p.yq - ridgeWithPenalty(p, penalty)) ** 2;
      }
      return meanAndStderr(diff);
    };
    const onPool = paired(ctx);
    expect(onPool.mean + 4 * onPool.stderr).toBeLessThan(0);
    const fresh = paired(buildTestTask(spec, ctx)!);
    expect(fresh.mean - 4 * fresh.stderr).toBeGreaterThan(0);
  });
});

describe('custom and uniform covariates', () => {
  it('custom eigenvalues are normalized to tr Σ = d, default to 1, 2, …, d, and rotate', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 4 });
    spec.task.covariance = { ...spec.task.covariance, kind: 'custom', eigenvalues: [] };
    expect(Array.from(spectrum(spec.task.covariance, 4))).toEqual([0.4, 0.8, 1.2, 1.6]);
    spec.task.covariance.eigenvalues = [1, 1, 0.5, 0.25];
    spec.task.covariance.rotate = true;
    spec.task.covariance.rotationSeed = 3;
    const ctx = buildTask(spec.task);
    expect(trace(ctx.sigma, 4)).toBeCloseTo(4, 12);
    const ev = Array.from(symmetricEigen(ctx.sigma, 4).values).sort((a, b) => b - a);
    const want = [1, 1, 0.5, 0.25].map((v) => (v * 4) / 2.75);
    ev.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    expect(ctx.sigma[1]).not.toBe(0); // rotated: off-diagonal
  });

  it('uniform covariates have unit variance, no correlation and the uniform\'s kurtosis 1.8 (10⁵ draws)', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 3, n: 4 });
    spec.task.covariance.kind = 'uniform';
    const ctx = buildTask(spec.task);
    expect(ctx.covariates).toBe('uniform');
    const xs: number[] = [];
    let cross = 0;
    for (let i = 0; i < 20_000; i++) {
      const p = samplePrompt(ctx, 1, THEORY_STREAM, i);
      for (let k = 0; k < 5; k++) {
        const row = k < 4 ? p.xs.subarray(k * 3, k * 3 + 3) : p.xq;
        xs.push(...row);
        cross += row[0] * row[1];
      }
    }
    const m2 = xs.reduce((s, v) => s + v * v, 0) / xs.length;
    const m4 = xs.reduce((s, v) => s + v ** 4, 0) / xs.length;
    expect(xs.every((v) => Math.abs(v) < Math.sqrt(3))).toBe(true);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.01); // sd of m2 ≈ 0.0015
    expect(Math.abs(m4 / m2 ** 2 - 1.8)).toBeLessThan(0.02);
    expect(Math.abs(cross / 100_000)).toBeLessThan(0.015);
  });

  it('uniform covariates: the Gaussian closed form misses; the least-squares fit is the better one-step GD (Monte Carlo)', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 5, n: 10, noiseVar: 0 });
    spec.task.covariance.kind = 'uniform';
    const ctx = buildTask(spec.task);
    const fit = fitOneStep(ctx, 40_000);
    const gaussian = oneStepGdTheory({ ...ctx, covariates: 'gaussian' });
    // The fourth moments differ (kurtosis 1.8, not 3), so A and the optimum do.
    expect(Math.abs(fit.eta - gaussian.eta) / gaussian.eta).toBeGreaterThan(0.02);
    const lossOf = (eta: number) => monteCarloLoss(ctx, (p) => predictPreconditionedGd(p, Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? eta : 0)), 5, 10), 40_000, 21);
    expect(lossOf(fit.eta).mean).toBeLessThan(lossOf(gaussian.eta).mean);
  });
});

describe('the test distribution', () => {
  it('is off by default, and each override switches it on and applies', () => {
    const spec = defaultSpec();
    expect(testShiftActive(spec)).toBe(false);
    const train = buildTask(spec.task);
    expect(buildTestTask(spec, train)).toBeNull();
    spec.eval.test.noiseVar = 0.5;
    spec.eval.test.scale = 2;
    spec.eval.test.n = 40;
    spec.eval.test.covariance = { ...spec.eval.test.covariance, kind: 'geometric', kappa: 9 };
    const t = buildTestTask(spec, train)!;
    expect(t.noiseVar).toBe(0.5);
    expect(t.n).toBe(40);
    // Σ ← c²Σ: tr = c²·d, the geometric spectrum's κ kept.
    expect(trace(t.sigma, 5)).toBeCloseTo(20, 10);
    const ev = symmetricEigen(t.sigma, 5).values;
    expect(Math.max(...ev) / Math.min(...ev)).toBeCloseTo(9, 8);
    const p = samplePrompt(t, 1, THEORY_STREAM, 0, 40);
    expect(p.xs.length).toBe(200);
    // The same response function as training.
    expect(t.outputs[0].responseScale).toBe(train.outputs[0].responseScale);
  });

  it('a pooled run tests on fresh tasks by default, or on the pool', () => {
    const { spec, ctx } = pooledTask();
    expect(testShiftActive(spec)).toBe(true);
    expect(buildTestTask(spec, ctx)!.drawFromPool).toBe(false);
    spec.eval.test.tasks = 'pool';
    expect(testShiftActive(spec)).toBe(false);
    spec.eval.test.noiseVar = 1;
    const t = buildTestTask(spec, ctx)!;
    expect(t.drawFromPool).toBe(true);
    expect(t.pool).toBe(ctx.pool);
  });
});
