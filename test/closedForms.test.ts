// The one-step GD closed forms against Monte Carlo on the CPU sampler, against
// DESIGN.md's explicit special cases, and against their own optimality claims.
import { describe, expect, it } from 'vitest';
import { add, identity, inverse, matmul, trace } from '../src/linalg/dense.ts';
import {
  contextMoment,
  expectedLoss,
  expectedLossEta,
  isotropicOptimum,
  oneStepGdTheory,
  optimalEta,
  optimalGamma,
  predictGd,
  predictPreconditionedGd,
  secondMomentU,
} from '../src/theory/closedForms.ts';
import { meanAndStderr, monteCarloLoss, THEORY_STREAM } from '../src/theory/monteCarlo.ts';
import { promptOutput, samplePrompt } from '../src/tasks/sampler.ts';
import { taskView, type TaskContext } from '../src/tasks/task.ts';
import { gaussians, randomMatrix, relError, taskCtx, type TaskOverrides } from './helpers.ts';

// Prompts per Monte Carlo estimate (10⁵): the standard error of the loss is
// then ~0.3–0.5% of the loss, so a wrong constant (e.g. n vs n+1, a dropped σ²
// or a transposed Γ) is many standard errors away; the file runs in ~15 s.
const PROMPTS = 100_000;

interface Point {
  name: string;
  task: TaskOverrides;
}

const POINTS: Point[] = [
  { name: 'isotropic Σ, τ² = 1', task: { d: 4, n: 10, noiseVar: 0.25 } },
  { name: 'power-law α = 1.5, τ² = 0.5', task: { d: 6, n: 12, noiseVar: 0.1, covariance: { kind: 'powerlaw', alpha: 1.5 }, prior: { tau2: 0.5 } } },
  {
    name: 'geometric κ = 100, rotated',
    task: { d: 5, n: 20, noiseVar: 0.5, covariance: { kind: 'geometric', kappa: 100, rotate: true, rotationSeed: 7 } },
  },
  { name: 'AR(1) ρ = 0.8, small n', task: { d: 6, n: 5, noiseVar: 0.2, covariance: { kind: 'ar1', rho: 0.8 }, prior: { tau2: 0.3 } } },
  {
    name: 'whitened prior, AR(1) ρ = −0.6 rotated',
    task: { d: 5, n: 15, noiseVar: 1, covariance: { kind: 'ar1', rho: -0.6, rotate: true, rotationSeed: 3 }, prior: { kind: 'whitened' } },
  },
  {
    name: 'noiseless query, power-law α = 1',
    task: { d: 4, n: 6, noiseVar: 0.8, queryNoise: false, covariance: { kind: 'powerlaw', alpha: 1 }, prior: { tau2: 2 } },
  },
  { name: 'd = 1, n = 1', task: { d: 1, n: 1, noiseVar: 0.3 } },
];

/** A non-symmetric, non-optimal preconditioner near Γ*: catches Γ vs Γᵀ mix-ups. */
function perturbedGamma(ctx: TaskContext, seed: number): Float64Array {
  const gs = optimalGamma(ctx);
  const scale = Math.sqrt(trace(matmul(gs, gs, ctx.d), ctx.d) / ctx.d);
  return add(gs, randomMatrix(ctx.d, gaussians(seed), 0.5 * scale));
}

describe('closed forms agree with Monte Carlo (|closed − MC| < 3 standard errors)', () => {
  POINTS.forEach((pt, k) => {
    it(pt.name, () => {
      const ctx = taskCtx(pt.task);
      const { d, n } = ctx;
      const th = oneStepGdTheory(ctx);
      const seed = 1000 + k;
      const cases: { what: string; closed: number; predict: Parameters<typeof monteCarloLoss>[1] }[] = [
        { what: 'L(η*)', closed: th.loss, predict: (p) => predictGd(p, th.eta, d, n) },
        { what: 'L(0.6 η*)', closed: expectedLossEta(ctx, 0.6 * th.eta), predict: (p) => predictGd(p, 0.6 * th.eta, d, n) },
        { what: 'L(Γ*)', closed: th.gammaLoss, predict: (p) => predictPreconditionedGd(p, th.gamma, d, n) },
      ];
      const g = perturbedGamma(ctx, seed);
      cases.push({ what: 'L(Γ* + Δ)', closed: expectedLoss(ctx, g), predict: (p) => predictPreconditionedGd(p, g, d, n) });
      for (const c of cases) {
        const mc = monteCarloLoss(ctx, c.predict, PROMPTS, seed);
        const z = (mc.mean - c.closed) / mc.stderr;
        expect(Math.abs(z), `${c.what}: closed ${c.closed}, MC ${mc.mean} ± ${mc.stderr}`).toBeLessThan(3);
      }
    });
  });

  it('multi-task: each output on its window, closed forms of its own view (2 tasks, [0,4) and [2,6))', () => {
    for (const [k, prior] of [[0, { tau2: 0.25 }], [1, { kind: 'whitened' as const }]] as const) {
      const ctx = taskCtx({ d: 6, n: 12, noiseVar: 0.2, tasks: 2, windowSize: 4, windowStride: 2, covariance: { kind: 'ar1', rho: 0.7, rotate: true, rotationSeed: 4 }, prior });
      for (let t = 0; t < 2; t++) {
        const view = taskView(ctx, t);
        const th = oneStepGdTheory(view);
        // Γ* of a windowed task maps u into the window only.
        for (let i = 0; i < 6; i++) if (i < 2 * t || i >= 2 * t + 4) for (let j = 0; j < 6; j++) expect(Math.abs(th.gamma[i * 6 + j])).toBeLessThan(1e-12);
        for (const [what, closed, g] of [['L(Γ*)', th.gammaLoss, th.gamma], ['L(η* I)', th.loss, identity(6, th.eta)]] as const) {
          const losses = new Float64Array(PROMPTS);
          for (let i = 0; i < PROMPTS; i++) {
            const p = promptOutput(samplePrompt(ctx, 77 + k, THEORY_STREAM, i), t);
            losses[i] = (p.yq - predictPreconditionedGd(p, g, 6, 12)) ** 2;
          }
          const mc = meanAndStderr(losses);
          expect(Math.abs(mc.mean - closed) / mc.stderr, `task ${t + 1} ${what}: closed ${closed}, MC ${mc.mean} ± ${mc.stderr}`).toBeLessThan(3);
        }
      }
    }
  });

  it('A = E[u uᵀ] entrywise (rotated geometric κ = 100 and whitened AR(1))', () => {
    for (const k of [2, 4]) {
      const ctx = taskCtx(POINTS[k].task);
      const { d, n } = ctx;
      const a = secondMomentU(ctx);
      const samples = Array.from({ length: d * d }, () => new Float64Array(PROMPTS));
      for (let i = 0; i < PROMPTS; i++) {
        const u = contextMoment(samplePrompt(ctx, 77, THEORY_STREAM, i), d, n);
        for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) samples[r * d + c][i] = u[r] * u[c];
      }
      // d² ≤ 25 correlated entries: 4 standard errors keeps the family-wise
      // false-alarm rate under 0.2% while a wrong coefficient is far outside.
      for (let e = 0; e < d * d; e++) {
        const mc = meanAndStderr(samples[e]);
        expect(Math.abs(mc.mean - a[e]) / mc.stderr, `A[${e}] = ${a[e]}, MC ${mc.mean} ± ${mc.stderr}`).toBeLessThan(4);
      }
    }
  });
});

describe('special cases of DESIGN.md', () => {
  it('isotropic prior: Γ* = [((n+1)/n) Σ + ((tr Σ + σ²/τ²)/n) I]⁻¹ and A = (1/n)[τ²(n+1)Σ² + (τ² tr Σ + σ²) Σ]', () => {
    for (const k of [1, 2, 3, 5]) {
      const ctx = taskCtx(POINTS[k].task);
      const { d, n, sigma, noiseVar } = ctx;
      const tau2 = ctx.prior[0];
      const trS = trace(sigma, d);
      const m = add(sigma, identity(d, (trS + noiseVar / tau2) / n), (n + 1) / n, 1);
      expect(relError(optimalGamma(ctx), inverse(m, d))).toBeLessThan(1e-10);
      const aDesign = add(matmul(sigma, sigma, d), sigma, (tau2 * (n + 1)) / n, (tau2 * trS + noiseVar) / n);
      expect(relError(secondMomentU(ctx), aDesign)).toBeLessThan(1e-12);
    }
  });

  it('whitened prior: Γ* = n / (n + d + 1 + σ²) · Σ⁻¹', () => {
    for (const cov of [
      { kind: 'geometric', kappa: 100, rotate: true, rotationSeed: 11 },
      { kind: 'ar1', rho: 0.8 },
      { kind: 'powerlaw', alpha: 2 },
    ] as const) {
      const ctx = taskCtx({ d: 7, n: 9, noiseVar: 0.4, covariance: cov, prior: { kind: 'whitened' } });
      const expected = inverse(ctx.sigma, 7).map((v) => (v * 9) / (9 + 7 + 1 + 0.4));
      expect(relError(optimalGamma(ctx), expected)).toBeLessThan(1e-9);
    }
  });

  it('Σ = I: the isotropic formulas equal the general ones, and Γ* = η* I', () => {
    const next = gaussians(5);
    for (let trial = 0; trial < 20; trial++) {
      const d = 1 + Math.floor(Math.abs(next()) * 10);
      const n = 1 + Math.floor(Math.abs(next()) * 40);
      const tau2 = Math.exp(next());
      const noiseVar = Math.abs(next());
      const queryNoise = trial % 2 === 0;
      const ctx = taskCtx({ d, n, noiseVar, queryNoise, prior: { tau2 } });
      const iso = isotropicOptimum(d, n, tau2, noiseVar, queryNoise);
      const th = oneStepGdTheory(ctx);
      expect(Math.abs(th.eta - iso.eta) / iso.eta).toBeLessThan(1e-12);
      expect(Math.abs(th.loss - iso.loss) / iso.loss).toBeLessThan(1e-12);
      expect(Math.abs(th.gammaLoss - iso.loss) / iso.loss).toBeLessThan(1e-12);
      expect(relError(th.gamma, identity(d, iso.eta))).toBeLessThan(1e-12);
    }
  });

  it('isotropic prior, Σ = I: noiseless optimum is τ² d (d+1)/(n+d+1)', () => {
    // σ² = 0 makes r = 0: the formula then needs no noise bookkeeping at all.
    expect(isotropicOptimum(3, 10, 2, 0).loss).toBeCloseTo((2 * 3 * 4) / 14, 14);
    expect(isotropicOptimum(3, 10, 2, 0).eta).toBeCloseTo(10 / 14, 14);
  });
});

describe('optimality', () => {
  const contexts = POINTS.map((p) => taskCtx(p.task));

  it('L(Γ*) ≤ L(η* I) ≤ L(η I) for every other η', () => {
    for (const ctx of contexts) {
      const th = oneStepGdTheory(ctx);
      expect(th.gammaLoss).toBeLessThanOrEqual(th.loss * (1 + 1e-12));
      expect(expectedLoss(ctx, identity(ctx.d, th.eta))).toBeCloseTo(th.loss, 10);
      for (const f of [0, 0.5, 0.9, 0.99, 1.01, 1.1, 2, -1]) {
        expect(th.loss).toBeLessThanOrEqual(expectedLossEta(ctx, f * th.eta) * (1 + 1e-12));
      }
      // The best loss is at least the query noise and below predicting 0.
      const floor = ctx.queryNoise ? ctx.noiseVar : 0;
      expect(th.gammaLoss).toBeGreaterThan(floor);
      expect(th.loss).toBeLessThan(expectedLossEta(ctx, 0));
    }
  });

  it('∇L(Γ*) = 0 by central differences, and L(Γ* + Δ) − L(Γ*) = tr(Δᵀ Σ Δ A)', () => {
    const next = gaussians(9);
    for (const ctx of contexts) {
      const { d } = ctx;
      const gs = optimalGamma(ctx);
      const l0 = expectedLoss(ctx, gs);
      // Gradient scale: |∂L/∂Γ_ij| at Γ = 0 is 2 |(ΣΩΣ)_ij|, of order tr(ΣΩ).
      const scale = 2 * Math.max(...matmul(matmul(ctx.sigma, ctx.prior, d), ctx.sigma, d).map(Math.abs));
      const h = 1e-4;
      for (let e = 0; e < d * d; e++) {
        const gp = Float64Array.from(gs);
        const gm = Float64Array.from(gs);
        gp[e] += h;
        gm[e] -= h;
        const grad = (expectedLoss(ctx, gp) - expectedLoss(ctx, gm)) / (2 * h);
        // L is quadratic, so the central difference is exact up to rounding (~1e-16 · L / h).
        expect(Math.abs(grad) / scale).toBeLessThan(1e-8);
      }
      const delta = randomMatrix(d, next, 0.3);
      const a = secondMomentU(ctx);
      const dtsd = matmul(matmul(transposeOf(delta, d), ctx.sigma, d), delta, d);
      const predicted = trace(matmul(dtsd, a, d), d);
      expect(predicted).toBeGreaterThan(0);
      expect(Math.abs(expectedLoss(ctx, add(gs, delta)) - l0 - predicted) / predicted).toBeLessThan(1e-8);
    }
  });
});

describe('predictors and guards', () => {
  it('predictGd(η) = predictPreconditionedGd(η I) = η x_qᵀ Xᵀy / n', () => {
    const ctx = taskCtx(POINTS[2].task);
    const { d, n } = ctx;
    for (let i = 0; i < 20; i++) {
      const p = samplePrompt(ctx, 4, 12, i);
      let direct = 0;
      for (let r = 0; r < n; r++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += p.xs[r * d + j] * p.xq[j];
        direct += p.ys[r] * dot;
      }
      direct = (0.7 * direct) / n;
      expect(predictGd(p, 0.7, d, n)).toBeCloseTo(direct, 10);
      expect(predictPreconditionedGd(p, identity(d, 0.7), d, n)).toBeCloseTo(direct, 10);
    }
  });

  it('x_qᵀ Γ u uses Γ, not Γᵀ', () => {
    const ctx = taskCtx({ d: 3, n: 4 });
    const p = samplePrompt(ctx, 1, 2, 3);
    const u = contextMoment(p, 3, 4);
    const g = new Float64Array(9);
    g[0 * 3 + 2] = 1; // Γ = e_0 e_2ᵀ: ŷ = x_q[0] u[2]
    expect(predictPreconditionedGd(p, g, 3, 4)).toBeCloseTo(p.xq[0] * u[2], 14);
  });

  it('closed forms refuse nonlinear responses', () => {
    for (const response of ['tanh', 'relu', 'cubic'] as const) {
      const ctx = taskCtx({ response });
      expect(() => optimalEta(ctx)).toThrow(/identity response/);
      expect(() => optimalGamma(ctx)).toThrow(/identity response/);
      expect(() => secondMomentU(ctx)).toThrow(/identity response/);
      expect(() => expectedLoss(ctx, identity(ctx.d))).toThrow(/identity response/);
      expect(() => oneStepGdTheory(ctx)).toThrow(/identity response/);
    }
  });

  it('expectedLoss rejects a Γ of the wrong size', () => {
    expect(() => expectedLoss(taskCtx({ d: 3 }), new Float64Array(4))).toThrow(/d² = 9/);
  });
});

function transposeOf(a: Float64Array, m: number): Float64Array {
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) t[j * m + i] = a[i * m + j];
  return t;
}
