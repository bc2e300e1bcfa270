// PCR's one-step preconditioners (src/theory/pcr.ts) against Monte Carlo, its
// optimality within the span by perturbation, and its end points (k = 0: no
// prediction; k = d: Γ*).
import { describe, expect, it } from 'vitest';
import { expectedLoss, oneStepGdTheory, predictPreconditionedGd, querySecondMoment } from '../src/theory/closedForms.ts';
import { monteCarloLoss } from '../src/theory/monteCarlo.ts';
import { pcrGamma, pcrLosses } from '../src/theory/pcr.ts';
import { symmetricEigen } from '../src/linalg/dense.ts';
import { gaussians, relError, taskCtx } from './helpers.ts';
import { pcrLevelsFor } from '../src/analysis/linearAttention.ts';
import { decodeSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';

/** Zhang et al.'s data: d = 4, eigenvalues ∝ 1 … 4 rotated, noiseless, n = 31, τ² = 1/d (E[y²] = 1). */
const zhang = () => taskCtx({ d: 4, n: 31, covariance: { kind: 'custom', eigenvalues: [], rotate: true, rotationSeed: 3 }, prior: { kind: 'isotropic', tau2: 0.25 }, noiseVar: 0, queryNoise: false });
const noisy = () => taskCtx({ d: 5, n: 12, covariance: { kind: 'ar1', rho: 0.7, rotate: true, rotationSeed: 9 }, prior: { kind: 'isotropic', tau2: 1 }, noiseVar: 0.3, queryNoise: true });

describe('PCR', () => {
  for (const [name, make] of [['Zhang et al.\'s data', zhang], ['noisy rotated AR(1), n < 3d', noisy]] as const)
    it(`${name}: each level's closed form equals its Monte Carlo loss; levels fall with k; k = d is Γ*`, () => {
      const ctx = make();
      const { k, loss, eigenvalues } = pcrLosses(ctx);
      expect(k).toEqual(Array.from({ length: ctx.d + 1 }, (_, i) => i));
      expect(loss[0]).toBeCloseTo(querySecondMoment(ctx), 12);
      expect(loss[ctx.d]).toBeCloseTo(oneStepGdTheory(ctx).gammaLoss, 10);
      expect(relError(pcrGamma(ctx, ctx.d), oneStepGdTheory(ctx).gamma)).toBeLessThan(1e-9);
      for (let i = 1; i <= ctx.d; i++) expect(loss[i]).toBeLessThan(loss[i - 1]);
      for (let i = 1; i < eigenvalues.length; i++) expect(eigenvalues[i]).toBeLessThanOrEqual(eigenvalues[i - 1]);
      for (const kk of [1, 2, ctx.d - 1]) {
        const g = pcrGamma(ctx, kk);
        const mc = monteCarloLoss(ctx, (p) => predictPreconditionedGd(p, g, ctx.d, ctx.n), 40_000, 17 + kk);
        expect(Math.abs(mc.mean - loss[kk])).toBeLessThan(4 * mc.stderr);
      }
    });

  it('Γ_k is optimal within the span of the top k eigenvectors, and lies in it', () => {
    const ctx = zhang();
    const d = ctx.d;
    const { vectors } = symmetricEigen(ctx.sigma, d);
    const g = gaussians(5);
    for (const k of [1, 2, 3]) {
      const gamma = pcrGamma(ctx, k);
      const base = expectedLoss(ctx, gamma);
      // Γ V_j = 0 and V_jᵀ Γ = 0 for the eigenvectors left out.
      for (let j = k; j < d; j++)
        for (let i = 0; i < d; i++) {
          let right = 0;
          let left = 0;
          for (let m = 0; m < d; m++) {
            right += gamma[i * d + m] * vectors[m * d + j];
            left += vectors[m * d + j] * gamma[m * d + i];
          }
          expect(Math.abs(right) + Math.abs(left)).toBeLessThan(1e-12);
        }
      // Perturbing M (in the span) raises the loss, to second order.
      for (let trial = 0; trial < 5; trial++) {
        const dm = Array.from({ length: k * k }, () => g());
        const pert = Float64Array.from(gamma);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) pert[i * d + j] += 1e-3 * vectors[i * d + a] * dm[a * k + b] * vectors[j * d + b];
        expect(expectedLoss(ctx, pert)).toBeGreaterThan(base);
      }
    }
  });
});

describe('PCR levels on the loss plot', () => {
  it('are drawn for separate K, Q at one layer and one output, k = 0 … d − 1, and not for merged weights', () => {
    const spec = decodeSpec('v=1&model=lsa&H=5&param=separate&rank=1&layers=1&d=4&n=31&cov=custom&eig=1,2,3,4&rot=1&rseed=3&prior=isotropic&tau2=0.25&s2=0&qn=0').spec;
    const got = pcrLevelsFor(spec)!;
    const want = pcrLosses(buildTask(spec.task)).loss;
    expect(got).toHaveLength(4);
    got.forEach((v, k) => expect(v).toBe(want[k]));
    expect(pcrLevelsFor({ ...spec, model: { ...spec.model, param: 'merged' } })).toBeNull();
    expect(pcrLevelsFor({ ...spec, model: { ...spec.model, layers: 2 } })).toBeNull();
  });
});
