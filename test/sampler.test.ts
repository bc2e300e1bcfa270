// The CPU prompt sampler: its draws have the covariances the task promises
// (Σ for x, Ω for w, σ² for the label noise), it consumes the normal stream in
// the documented order, and it is a pure function of its key.
//
// Entrywise covariance checks use z-scores against the Gaussian standard error
// of a sample covariance, √((C_ii C_jj + C_ij²)/N), with a 5-sigma bound: with
// ≤ 64 entries per matrix the chance of a false alarm is < 1e-4, while a
// wrong factor (L vs Lᵀ, Σ vs Σ⁻¹, a missing normalization) is tens of sigmas off.
import { describe, expect, it } from 'vitest';
import { inverse, matmul, symmetricEigen, type Mat } from '../src/linalg/dense.ts';
import { samplePrompt, type Prompt } from '../src/tasks/sampler.ts';
import { normals4, pcg4d } from '../src/rng/rng.ts';
import type { TaskContext } from '../src/tasks/task.ts';
import { relError, taskCtx, type TaskOverrides } from './helpers.ts';

const SEED = 2024;
const STEP = 31;

function sampleCovariance(rows: Float64Array[], d: number): Mat {
  const c = new Float64Array(d * d);
  for (const x of rows) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += x[i] * x[j];
  return c.map((v) => v / rows.length); // mean is 0 by construction, so no centering
}

function expectCovariance(sample: Mat, truth: Mat, d: number, count: number, what: string): void {
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      const se = Math.sqrt((truth[i * d + i] * truth[j * d + j] + truth[i * d + j] ** 2) / count);
      const z = (sample[i * d + j] - truth[i * d + j]) / se;
      expect(Math.abs(z), `${what}[${i},${j}]: sample ${sample[i * d + j]}, expected ${truth[i * d + j]}`).toBeLessThan(5);
    }
}

function xRows(p: Prompt, d: number): Float64Array[] {
  const rows = [p.xq];
  for (let i = 0; i < p.ys.length; i++) rows.push(p.xs.subarray(i * d, (i + 1) * d));
  return rows;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, off = 0) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[off + i];
  return s;
};

const ROTATED_GEOMETRIC: TaskOverrides = { d: 6, n: 15, covariance: { kind: 'geometric', kappa: 100, rotate: true, rotationSeed: 12345 } };
const AR1: TaskOverrides = { d: 7, n: 15, covariance: { kind: 'ar1', rho: 0.8 } };

describe('covariate covariance', () => {
  it('Σ of the rotated geometric family has spectrum κ^(−i/(d−1)) normalized to mean 1', () => {
    const ctx = taskCtx(ROTATED_GEOMETRIC);
    const d = 6;
    const raw = Array.from({ length: d }, (_, i) => Math.pow(100, -i / (d - 1)));
    const mean = raw.reduce((a, b) => a + b) / d;
    const { values } = symmetricEigen(ctx.sigma, d);
    expect(relError(values, raw.map((v) => v / mean))).toBeLessThan(1e-10);
    // Rotated: genuinely non-diagonal.
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) off = Math.max(off, Math.abs(ctx.sigma[i * d + j]));
    expect(off).toBeGreaterThan(0.05);
  });

  it('Σ of AR(1) is ρ^|i−j|', () => {
    const ctx = taskCtx(AR1);
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) expect(ctx.sigma[i * 7 + j]).toBeCloseTo(0.8 ** Math.abs(i - j), 14);
  });

  for (const [name, o] of [
    ['rotated geometric κ = 100', ROTATED_GEOMETRIC],
    ['AR(1) ρ = 0.8', AR1],
  ] as const) {
    it(`sample covariance of x matches Σ: ${name}`, () => {
      const ctx = taskCtx(o);
      const { d } = ctx;
      const rows: Float64Array[] = [];
      for (let p = 0; p < 4000; p++) rows.push(...xRows(samplePrompt(ctx, SEED, STEP, p), d));
      expectCovariance(sampleCovariance(rows, d), ctx.sigma, d, rows.length, 'Cov(x)');
    });
  }

  it('context and query covariates are uncorrelated', () => {
    const ctx = taskCtx(ROTATED_GEOMETRIC);
    const { d } = ctx;
    const N = 20000;
    const cross = new Float64Array(d * d);
    for (let p = 0; p < N; p++) {
      const pr = samplePrompt(ctx, SEED, STEP, p, 2);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cross[i * d + j] += pr.xq[i] * pr.xs[d + j];
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const se = Math.sqrt((ctx.sigma[i * d + i] * ctx.sigma[j * d + j]) / N);
        expect(Math.abs(cross[i * d + j] / N) / se).toBeLessThan(5);
      }
  });
});

describe('task prior', () => {
  const N = 40_000;
  function wCovariance(ctx: TaskContext): Mat {
    const rows: Float64Array[] = [];
    for (let p = 0; p < N; p++) rows.push(samplePrompt(ctx, SEED, STEP, p, 1).w);
    return sampleCovariance(rows, ctx.d);
  }

  it('isotropic prior: Cov(w) = τ² I', () => {
    const ctx = taskCtx({ ...ROTATED_GEOMETRIC, prior: { kind: 'isotropic', tau2: 0.3 } });
    const omega = new Float64Array(36);
    for (let i = 0; i < 6; i++) omega[i * 6 + i] = 0.3;
    expectCovariance(wCovariance(ctx), omega, 6, N, 'Cov(w)');
  });

  for (const [name, o] of [
    ['rotated geometric κ = 100', ROTATED_GEOMETRIC],
    ['AR(1) ρ = 0.8', AR1],
  ] as const) {
    it(`whitened prior: Cov(w) = Σ⁻¹ (${name})`, () => {
      const ctx = taskCtx({ ...o, prior: { kind: 'whitened' } });
      const { d } = ctx;
      const sigmaInv = inverse(ctx.sigma, d);
      expect(relError(ctx.prior, sigmaInv)).toBeLessThan(1e-9);
      expectCovariance(wCovariance(ctx), sigmaInv, d, N, 'Cov(w)');
      // The signal t = wᵀx then has E[t²] = tr(Σ Σ⁻¹) = d whatever Σ is; given w,
      // t ~ N(0, χ²_d), so Var(t²) = 3 E[(χ²_d)²] − d² = 2d² + 6d.
      const M = 20000;
      let s = 0;
      for (let p = 0; p < M; p++) {
        const pr = samplePrompt(ctx, SEED + 1, STEP, p, 1);
        s += dot(pr.w, pr.xq) ** 2;
      }
      expect(Math.abs(s / M - d) / Math.sqrt((2 * d * d + 6 * d) / M)).toBeLessThan(5);
    });
  }
});

describe('labels', () => {
  it('label noise y − wᵀx has mean 0, variance σ², and is uncorrelated with the signal', () => {
    for (const noiseVar of [0.05, 1.7]) {
      const ctx = taskCtx({ ...AR1, noiseVar, prior: { tau2: 0.5 } });
      const { d, n } = ctx;
      const P = 4000;
      let s = 0;
      let s2 = 0;
      let cross = 0;
      let sig2 = 0;
      let q2 = 0;
      for (let p = 0; p < P; p++) {
        const pr = samplePrompt(ctx, SEED, STEP, p);
        for (let i = 0; i < n; i++) {
          const t = dot(pr.w, pr.xs, i * d);
          const e = pr.ys[i] - t;
          s += e;
          s2 += e * e;
          cross += e * t;
          sig2 += t * t;
        }
        q2 += (pr.yq - dot(pr.w, pr.xq)) ** 2;
      }
      const N = P * n;
      const sd = Math.sqrt(noiseVar);
      expect(Math.abs(s / N) / (sd / Math.sqrt(N))).toBeLessThan(5);
      expect(Math.abs(s2 / N - noiseVar) / (noiseVar * Math.sqrt(2 / N))).toBeLessThan(5);
      expect(Math.abs(q2 / P - noiseVar) / (noiseVar * Math.sqrt(2 / P))).toBeLessThan(5);
      // Correlation of noise and signal: sd 1/√N under independence.
      expect(Math.abs(cross / Math.sqrt(s2 * sig2))).toBeLessThan(5 / Math.sqrt(N));
    }
  });

  it('a noiseless query target is exactly wᵀx_q, and switching it off changes nothing else', () => {
    const noisy = taskCtx({ ...ROTATED_GEOMETRIC, noiseVar: 0.4, queryNoise: true });
    const clean = taskCtx({ ...ROTATED_GEOMETRIC, noiseVar: 0.4, queryNoise: false });
    let differs = 0;
    for (let p = 0; p < 200; p++) {
      const a = samplePrompt(noisy, SEED, STEP, p);
      const b = samplePrompt(clean, SEED, STEP, p);
      expect(b.yq).toBeCloseTo(dot(b.w, b.xq), 12);
      // Same stream: the query noise is drawn (and discarded) either way.
      expect(b.w).toEqual(a.w);
      expect(b.xq).toEqual(a.xq);
      expect(b.xs).toEqual(a.xs);
      expect(b.ys).toEqual(a.ys);
      if (Math.abs(a.yq - b.yq) > 1e-9) differs++;
    }
    expect(differs).toBe(200);
  });
});

describe('nonlinear responses', () => {
  // E[g(Z)²] for Z ~ N(0, 1) by the trapezoid rule on a fine grid (independent of task.ts).
  function gaussianSecondMoment(g: (z: number) => number): number {
    let s = 0;
    const h = 1e-3;
    for (let z = -14; z <= 14; z += h) s += g(z) ** 2 * Math.exp(-0.5 * z * z);
    return (s * h) / Math.sqrt(2 * Math.PI);
  }
  const SHAPES = {
    tanh: { g: Math.tanh, m2: gaussianSecondMoment(Math.tanh) },
    relu: { g: (z: number) => Math.max(z, 0), m2: 0.5 },
    cubic: { g: (z: number) => z ** 3, m2: 15 },
  };
  const base: TaskOverrides = { ...ROTATED_GEOMETRIC, noiseVar: 0, prior: { tau2: 0.7 } };

  it('y = s·g(wᵀx / s)/c with s² = tr(ΣΩ), pointwise', () => {
    for (const [response, { g }] of Object.entries(SHAPES)) {
      const ctx = taskCtx({ ...base, response: response as 'tanh' | 'relu' | 'cubic' });
      const { d, n } = ctx;
      let trSO = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) trSO += ctx.sigma[i * d + j] * ctx.prior[j * d + i];
      const s = Math.sqrt(trSO);
      for (let p = 0; p < 50; p++) {
        const pr = samplePrompt(ctx, SEED, STEP, p);
        const f = (t: number) => (s * g(t / s)) / ctx.responseNorm;
        for (let i = 0; i < n; i++) {
          const expected = f(dot(pr.w, pr.xs, i * d));
          expect(Math.abs(pr.ys[i] - expected), response).toBeLessThan(1e-9 * (1 + Math.abs(expected)));
        }
        expect(Math.abs(pr.yq - f(dot(pr.w, pr.xq)))).toBeLessThan(1e-9 * (1 + Math.abs(pr.yq)));
      }
    }
  });

  /** E[y_q²]/tr(ΣΩ) with its standard error, noise off. */
  function signalRatio(response: 'tanh' | 'relu' | 'cubic'): { ratio: number; se: number } {
    const ctx = taskCtx({ ...base, response });
    const N = 40_000;
    const v = new Float64Array(N);
    for (let p = 0; p < N; p++) v[p] = samplePrompt(ctx, SEED, STEP, p, 1).yq ** 2;
    const mean = v.reduce((a, b) => a + b) / N;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
    const s2 = ctx.responseScale ** 2;
    return { ratio: mean / s2, se: sd / Math.sqrt(N) / s2 };
  }

  it('relu: E[y²] (noise off) = tr(ΣΩ)', () => {
    // Exact for any positively homogeneous g: E[relu(t)²] = E[t²]/2 for symmetric t.
    const { ratio, se } = signalRatio('relu');
    expect(Math.abs(ratio - 1) / se).toBeLessThan(5);
  });

  // t = wᵀx is a Gaussian scale mixture over w, so the normalization must
  // average over it (E[g(Z)²] for a standard normal Z would be wrong).
  it('tanh: E[y²] (noise off) = tr(ΣΩ)', () => {
    const { ratio, se } = signalRatio('tanh');
    expect(Math.abs(ratio - 1) / se).toBeLessThan(5);
  });

  it('cubic: E[y²] (noise off) = tr(ΣΩ)', () => {
    const { ratio, se } = signalRatio('cubic');
    expect(Math.abs(ratio - 1) / se).toBeLessThan(5);
  });
});

describe('determinism and stream layout', () => {
  it('the same key gives the identical prompt; any other key a different one', () => {
    const ctx = taskCtx({ ...ROTATED_GEOMETRIC, response: 'tanh', noiseVar: 0.2 });
    const a = samplePrompt(ctx, 9, 100, 7);
    expect(samplePrompt(ctx, 9, 100, 7)).toEqual(a);
    expect(samplePrompt(taskCtx({ ...ROTATED_GEOMETRIC, response: 'tanh', noiseVar: 0.2 }), 9, 100, 7)).toEqual(a);
    for (const [s, t, p] of [
      [10, 100, 7],
      [9, 101, 7],
      [9, 100, 8],
    ]) {
      const b = samplePrompt(ctx, s, t, p);
      expect(b.w).not.toEqual(a.w);
      expect(b.xq).not.toEqual(a.xq);
    }
  });

  it('normals come in records of d + 1: w (record 0), query (1), context pair i (2 + i)', () => {
    const ctx = taskCtx({ ...AR1, noiseVar: 0.3, prior: { kind: 'whitened' } });
    const { d, n } = ctx;
    const sd = Math.sqrt(0.3);
    const nb = Math.ceil((d + 1) / 4);
    for (let p = 0; p < 10; p++) {
      const pr = samplePrompt(ctx, SEED, STEP, p);
      const [k0, k1, k2] = pcg4d(SEED, STEP, p, 0x9e3779b9);
      const record = (r: number) => Array.from({ length: nb }, (_, j) => normals4(k0, k1, k2, r * nb + j)).flat().slice(0, d + 1);
      const gw = record(0);
      const w = Array.from({ length: d }, (_, i) => dot(gw.slice(0, d), ctx.priorFactor, i * d));
      expect(relError(pr.w, w)).toBeLessThan(1e-12);
      const gq = record(1);
      const xq = Array.from({ length: d }, (_, i) => dot(gq.slice(0, d), ctx.covFactor, i * d));
      expect(relError(pr.xq, xq)).toBeLessThan(1e-12);
      expect(pr.yq).toBeCloseTo(dot(w, xq) + sd * gq[d], 10);
      for (let i = 0; i < n; i++) {
        const gx = record(2 + i);
        const x = Array.from({ length: d }, (_, r) => dot(gx.slice(0, d), ctx.covFactor, r * d));
        expect(relError(pr.xs.subarray(i * d, (i + 1) * d), x)).toBeLessThan(1e-12);
        expect(pr.ys[i]).toBeCloseTo(dot(w, x) + sd * gx[d], 10);
      }
    }
  });

  it('a shorter context is a prefix of a longer one', () => {
    const ctx = taskCtx(ROTATED_GEOMETRIC);
    const long = samplePrompt(ctx, SEED, STEP, 3, 40);
    const short = samplePrompt(ctx, SEED, STEP, 3, 5);
    expect(short.w).toEqual(long.w);
    expect(short.yq).toBe(long.yq);
    expect(short.xs).toEqual(long.xs.subarray(0, 5 * 6));
    expect(short.ys).toEqual(long.ys.subarray(0, 5));
  });

  it('Cholesky factors reproduce Σ and Ω', () => {
    for (const o of [ROTATED_GEOMETRIC, AR1]) {
      for (const prior of [{ kind: 'isotropic' as const, tau2: 2 }, { kind: 'whitened' as const }]) {
        const ctx = taskCtx({ ...o, prior });
        const { d } = ctx;
        const t = (a: Mat) => Float64Array.from({ length: d * d }, (_, k) => a[(k % d) * d + Math.floor(k / d)]);
        expect(relError(matmul(ctx.covFactor, t(ctx.covFactor), d), ctx.sigma)).toBeLessThan(1e-12);
        expect(relError(matmul(ctx.priorFactor, t(ctx.priorFactor), d), ctx.prior)).toBeLessThan(1e-9);
      }
    }
  });
});
