// The float64 references the GPU optimizers are checked against, checked
// themselves: the polar factor, Jacobi's eigenvectors, Muon's quintic, the
// schedules, SOAP's rotations and the source defaults.
import { describe, expect, it } from 'vitest';
import { jacobiEigen, newtonSchulz5, polarFactor } from '../src/linalg/matrixFunctions.ts';
import { symmetricEigen } from '../src/linalg/dense.ts';
import { learningRate, newOptimizerState, optimizerStep, soapBiasFactor } from '../src/engine/optimizer.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { withSourceDefaults } from '../src/spec/optimizerDefaults.ts';
import type { OptimizerSpec } from '../src/spec/types.ts';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const matmul = (a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number) => {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) c[i * n + j] += a[i * k + l] * b[l * n + j];
  return c;
};
const transpose = (a: ArrayLike<number>, m: number, n: number) => Float64Array.from({ length: m * n }, (_, e) => a[(e % m) * n + Math.floor(e / m)]);

/** A rows×cols matrix U diag(s) Vᵀ with random orthogonal U, V. */
function withSpectrum(rows: number, cols: number, s: number[], rnd: () => number): Float64Array {
  const orth = (n: number) => jacobiEigen((() => { const a = Float64Array.from({ length: n * n }, rnd); return matmul(a, transpose(a, n, n), n, n, n); })(), n).vectors;
  const U = orth(rows);
  const V = orth(cols);
  const g = new Float64Array(rows * cols);
  s.forEach((sv, k) => {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g[i * cols + j] += sv * U[i * rows + k] * V[j * cols + k];
  });
  return g;
}

describe('matrix functions', () => {
  it('Jacobi: A = QΛQᵀ with Q orthogonal, eigenvalues descending and equal to an independent solver\'s (to float64 with no floor; to the floor 2⁻²⁰‖A‖ by default)', () => {
    const rnd = lcg(1);
    for (const n of [1, 2, 5, 8]) {
      const b = Float64Array.from({ length: n * n }, rnd);
      const a = matmul(b, transpose(b, n, n), n, n, n);
      const { values, vectors } = jacobiEigen(a, n, 12, 0);
      const loose = jacobiEigen(a, n);
      loose.values.forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThan(2 ** -20 * Math.hypot(...a)));
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
      const qtq = matmul(transpose(vectors, n, n), vectors, n, n, n);
      const back = matmul(matmul(vectors, Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? values[e / (n + 1)] : 0)), n, n, n), transpose(vectors, n, n), n, n, n);
      for (let e = 0; e < n * n; e++) {
        expect(qtq[e]).toBeCloseTo(e % (n + 1) === 0 ? 1 : 0, 10);
        expect(back[e]).toBeCloseTo(a[e], 10);
      }
      const other = Array.from(symmetricEigen(a, n).values).sort((x, y) => y - x);
      other.forEach((v, i) => expect(values[i]).toBeCloseTo(v, 9));
    }
  });

  it('polar factor: U has orthonormal rows (wide) or columns (tall), UᵀG is symmetric positive semidefinite, tr(UᵀG) = Σσ, at condition number 10⁴', () => {
    const rnd = lcg(2);
    for (const [rows, cols] of [[5, 5], [3, 7], [7, 3], [1, 6]]) {
      const m = Math.min(rows, cols);
      const s = Array.from({ length: m }, (_, k) => Math.pow(1e4, -k / Math.max(1, m - 1)));
      const g = withSpectrum(rows, cols, s, rnd);
      const { u, nuclear, rank } = polarFactor(g, rows, cols);
      expect(rank).toBe(m);
      expect(nuclear).toBeCloseTo(s.reduce((a, b) => a + b, 0), 10);
      const gram = rows <= cols ? matmul(u, transpose(u, rows, cols), rows, cols, rows) : matmul(transpose(u, rows, cols), u, cols, rows, cols);
      // Rows are orthogonalized to 2⁻²⁴ of their norms (float32's resolution).
      for (let e = 0; e < m * m; e++) expect(gram[e]).toBeCloseTo(e % (m + 1) === 0 ? 1 : 0, 6);
      const p = matmul(transpose(u, rows, cols), g, cols, rows, cols);
      for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) expect(p[i * cols + j]).toBeCloseTo(p[j * cols + i], 10);
      expect(Math.min(...symmetricEigen(p, cols).values)).toBeGreaterThan(-1e-10);
    }
  });

  it('polar factor: singular values under the cutoff count as zero (a rank-one matrix plus 1e-7 noise gives the rank-one factor)', () => {
    const rnd = lcg(3);
    const g = withSpectrum(4, 4, [1, 1e-7, 1e-8, 0], rnd);
    const clean = withSpectrum(4, 4, [1], lcg(3));
    const { u, rank } = polarFactor(g, 4, 4);
    expect(rank).toBe(1);
    const c = polarFactor(clean, 4, 4);
    for (let e = 0; e < 16; e++) expect(u[e]).toBeCloseTo(c.u[e], 6);
    // Without the cutoff the noise directions would get unit weight.
    expect(polarFactor(g, 4, 4, 1e-12).rank).toBe(3);
  });

  it("Muon's quintic: singular values land in [0.6, 1.25] for a well-spread spectrum, not on 1; the singular vectors are kept", () => {
    const rnd = lcg(4);
    const g = withSpectrum(6, 4, [1, 0.3, 0.1, 0.03], rnd);
    const x = newtonSchulz5(g, 6, 4);
    const xtx = matmul(transpose(x, 6, 4), x, 4, 6, 4);
    const sv = Array.from(symmetricEigen(xtx, 4).values).map(Math.sqrt);
    for (const s of sv) {
      expect(s).toBeGreaterThan(0.6);
      expect(s).toBeLessThan(1.25);
    }
    expect(Math.max(...sv.map((s) => Math.abs(s - 1)))).toBeGreaterThan(0.01);
    // Same left singular vectors: X Xᵀ commutes with G Gᵀ.
    const a = matmul(x, transpose(x, 6, 4), 6, 4, 6);
    const b = matmul(g, transpose(g, 6, 4), 6, 4, 6);
    const ab = matmul(a, b, 6, 6, 6);
    const ba = matmul(b, a, 6, 6, 6);
    for (let e = 0; e < 36; e++) expect(ab[e]).toBeCloseTo(ba[e], 8);
  });
});

describe('schedules', () => {
  const base = defaultSpec().optimizer;
  it('constant and cosine as before; warmup-cosine rises linearly then follows the cosine; WSD holds, then falls linearly to 0', () => {
    const T = 100;
    expect(learningRate({ ...base, lr: 2 }, 50, T)).toBe(2);
    expect(learningRate({ ...base, lr: 2, schedule: 'cosine' }, 50, T)).toBeCloseTo(1, 12);
    const wc = { ...base, lr: 1, schedule: 'warmup-cosine' as const, warmup: 10 };
    expect(learningRate(wc, 0, T)).toBeCloseTo(0.1, 12);
    expect(learningRate(wc, 9, T)).toBeCloseTo(1, 12);
    expect(learningRate(wc, 10, T)).toBeCloseTo(1, 12);
    expect(learningRate(wc, 55, T)).toBeCloseTo(0.5, 12);
    const wsd = { ...base, lr: 1, schedule: 'wsd' as const, warmup: 5, decayFraction: 0.2 };
    expect(learningRate(wsd, 4, T)).toBeCloseTo(1, 12);
    expect(learningRate(wsd, 79, T)).toBe(1);
    expect(learningRate(wsd, 80, T)).toBeCloseTo(1, 12);
    expect(learningRate(wsd, 90, T)).toBeCloseTo(0.5, 12);
    expect(learningRate(wsd, 99, T)).toBeCloseTo(0.05, 12);
    for (let t = 81; t < T; t++) expect(learningRate(wsd, t, T)).toBeLessThan(learningRate(wsd, t - 1, T));
  });
});

describe('optimizer steps (float64)', () => {
  const base = defaultSpec().optimizer;
  it('SGD with Nesterov steps along g + μm; Lion along sign(β₁m + (1 − β₁)g), whatever the gradient scale', () => {
    const p = Float64Array.from([1, -1]);
    const s = newOptimizerState(2);
    const opt: OptimizerSpec = { ...base, kind: 'sgd', lr: 0.1, momentum: 0.5, nesterov: true };
    optimizerStep(opt, p, [1, 2], s, 0, 10);
    // m = g; step g + 0.5 g = 1.5 g.
    expect(Array.from(p)).toEqual([1 - 0.15, -1 - 0.3]);
    const q = Float64Array.from([0, 0]);
    const lion: OptimizerSpec = { ...base, kind: 'lion', lr: 0.01, beta1: 0.9, beta2: 0.99 };
    const ls = newOptimizerState(2);
    optimizerStep(lion, q, [1e-6, -300], ls, 0, 10);
    expect(Array.from(q)).toEqual([-0.01, 0.01]);
    expect(ls.m[0]).toBeCloseTo(0.01 * 1e-6, 18);
  });

  it('Muon and PolarGrad on one matrix: Muon\'s step has spectral norm ≈ lr·√max(1, r/c); PolarGrad\'s (no momentum) is lr·‖G‖_*·polar(G)', () => {
    const rnd = lcg(5);
    const g = withSpectrum(4, 2, [3, 0.5], rnd);
    const blocks = [{ offset: 0, rows: 4, cols: 2 }];
    const p = new Float64Array(8);
    optimizerStep({ ...base, kind: 'polargrad', lr: 0.1, momentum: 0 }, p, g, newOptimizerState(8, { kind: 'polargrad' }, blocks), 0, 10, blocks);
    const { u } = polarFactor(g, 4, 2);
    for (let e = 0; e < 8; e++) expect(p[e]).toBeCloseTo(-0.1 * 3.5 * u[e], 12);
    const q = new Float64Array(8);
    optimizerStep({ ...base, kind: 'muon', lr: 0.1, momentum: 0 }, q, g, newOptimizerState(8, { kind: 'muon' }, blocks), 0, 10, blocks);
    const qtq = matmul(transpose(q, 4, 2), q, 2, 4, 2);
    const top = Math.sqrt(Math.max(...symmetricEigen(qtq, 2).values));
    expect(top / (0.1 * Math.SQRT2)).toBeGreaterThan(0.6);
    expect(top / (0.1 * Math.SQRT2)).toBeLessThan(1.25);
  });

  it('SOAP: no update on its first step; then Adam in the eigenbasis — with both bases the identity (a diagonal L, R) it is Adam with SOAP\'s bias correction', () => {
    const blocks = [{ offset: 0, rows: 2, cols: 2 }];
    const opt: OptimizerSpec = { ...base, kind: 'soap', lr: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, precondFreq: 100 };
    const p = Float64Array.from([1, 2, 3, 4]);
    const s = newOptimizerState(4, opt, blocks);
    // A diagonal gradient keeps L and R diagonal, so Q_L = Q_R = I (up to order: sorted by eigenvalue, 3 > 1).
    optimizerStep(opt, p, [1, 0, 0, 3], s, 0, 10, blocks);
    expect(Array.from(p)).toEqual([1, 2, 3, 4]);
    optimizerStep(opt, p, [2, 0, 0, -1], s, 1, 10, blocks);
    const f = soapBiasFactor(opt, 1);
    expect(f).toBeCloseTo(Math.sqrt(0.05) / 0.1, 12);
    // Adam's first moment over its second at t = 1: (1 − β₁)g / √((1 − β₂)g²) = sign(g)·0.1/√0.05.
    const step = 0.1 * f * (0.1 / Math.sqrt(0.05));
    expect(p[0]).toBeCloseTo(1 - step, 6);
    expect(p[3]).toBeCloseTo(4 + step, 6);
    expect(p[1]).toBeCloseTo(2, 12);
  });

  it('source defaults: Muon gets momentum 0.95 with Nesterov, SOAP β = (0.95, 0.95), Lion β₂ = 0.99, and the changes are listed', () => {
    const o = defaultSpec().optimizer;
    const muon = withSourceDefaults(o, 'muon');
    expect(muon.optimizer).toMatchObject({ kind: 'muon', momentum: 0.95, nesterov: true, lr: o.lr });
    expect(muon.changed).toEqual(['mom = 0.95', 'nest = 1']);
    expect(withSourceDefaults(o, 'soap').optimizer).toMatchObject({ beta1: 0.95, beta2: 0.95, precondFreq: 10 });
    expect(withSourceDefaults(o, 'lion').changed).toEqual(['b2 = 0.99']);
    expect(withSourceDefaults(o, 'adam').changed).toEqual([]);
  });
});
