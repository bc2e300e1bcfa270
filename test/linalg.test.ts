// Dense float64 linear algebra on random matrices: each routine is checked by
// the identity that defines it. Tolerances are a few hundred ulps times the
// size and conditioning of the inputs (all well conditioned by construction).
import { describe, expect, it } from 'vitest';
import {
  cholesky,
  identity,
  inverse,
  matmul,
  matvec,
  orthonormalize,
  symmetricEigen,
  trace,
  transpose,
  type Mat,
} from '../src/linalg/dense.ts';
import { gaussians, randomMatrix, relError } from './helpers.ts';

const SIZES = [1, 2, 3, 5, 8, 13, 24, 64];

function naiveMatmul(a: Mat, b: Mat, m: number): Mat {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k] * b[k * m + j];
      c[i * m + j] = s;
    }
  return c;
}

/** G Gᵀ/m + I/2: symmetric positive definite with condition number O(10). */
function randomSpd(m: number, next: () => number): Mat {
  const g = randomMatrix(m, next);
  const a = naiveMatmul(g, transpose(g, m), m).map((v) => v / m);
  for (let i = 0; i < m; i++) a[i * m + i] += 0.5;
  return a;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('basic products', () => {
  it('matmul, transpose and matvec agree with the textbook definitions', () => {
    const next = gaussians(1);
    for (const m of SIZES) {
      const a = randomMatrix(m, next);
      const b = randomMatrix(m, next);
      a[m * m - 1] = 0; // matmul skips zero entries of a: exercise that path
      expect(maxAbsDiff(matmul(a, b, m), naiveMatmul(a, b, m))).toBeLessThan(1e-12 * m);
      const t = transpose(a, m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) expect(t[j * m + i]).toBe(a[i * m + j]);
      const x = Array.from({ length: m }, next);
      const y = matvec(a, x, m);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += a[i * m + j] * x[j];
        expect(y[i]).toBeCloseTo(s, 12);
      }
    }
  });
});

describe('cholesky', () => {
  it('L is lower triangular with a positive diagonal and L Lᵀ = A', () => {
    const next = gaussians(2);
    for (const m of SIZES) {
      const a = randomSpd(m, next);
      const l = cholesky(a, m);
      for (let i = 0; i < m; i++) {
        expect(l[i * m + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < m; j++) expect(l[i * m + j]).toBe(0);
      }
      expect(relError(naiveMatmul(l, transpose(l, m), m), a)).toBeLessThan(1e-13);
    }
  });

  it('rejects matrices that are not positive definite', () => {
    const next = gaussians(3);
    for (const m of [2, 4, 9]) {
      const a = randomSpd(m, next);
      // Subtract more than the smallest eigenvalue: indefinite.
      const lmin = symmetricEigen(a, m).values[m - 1];
      const b = a.map((v, k) => (Math.floor(k / m) === k % m ? v - 1.5 * lmin : v));
      expect(() => cholesky(b, m)).toThrow(/positive definite/);
    }
    expect(() => cholesky(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
    expect(() => cholesky(new Float64Array([NaN]), 1)).toThrow(/positive definite/);
  });
});

describe('inverse', () => {
  it('A A⁻¹ = A⁻¹ A = I for random nonsymmetric matrices, including ones that need pivoting', () => {
    const next = gaussians(4);
    for (const m of SIZES) {
      // Diagonal shift keeps the condition number moderate; zeroing a[0] forces a row swap.
      const a = randomMatrix(m, next).map((v, k) => (Math.floor(k / m) === k % m ? v + 2 * Math.sqrt(m) : v));
      if (m > 1) a[0] = 0;
      const inv = inverse(a, m);
      const id = identity(m);
      expect(maxAbsDiff(naiveMatmul(a, inv, m), id)).toBeLessThan(1e-12);
      expect(maxAbsDiff(naiveMatmul(inv, a, m), id)).toBeLessThan(1e-12);
    }
  });

  it('a permutation matrix (zero diagonal) inverts to its transpose', () => {
    const m = 5;
    const p = new Float64Array(m * m);
    for (let i = 0; i < m; i++) p[i * m + ((i + 2) % m)] = 1;
    expect(inverse(p, m)).toEqual(transpose(p, m));
  });

  it('rejects singular matrices', () => {
    const next = gaussians(5);
    const m = 4;
    const a = randomMatrix(m, next);
    for (let j = 0; j < m; j++) a[3 * m + j] = 0; // a zero row
    expect(() => inverse(a, m)).toThrow(/singular/);
    expect(() => inverse(new Float64Array(9), 3)).toThrow(/singular/);
  });
});

describe('orthonormalize', () => {
  it('QᵀQ = I, and R = QᵀG is upper triangular with a positive diagonal (so Q R = G)', () => {
    const next = gaussians(6);
    for (const m of SIZES) {
      const g = randomMatrix(m, next);
      const q = orthonormalize(g, m);
      expect(maxAbsDiff(naiveMatmul(transpose(q, m), q, m), identity(m))).toBeLessThan(1e-11);
      const r = naiveMatmul(transpose(q, m), g, m);
      const scale = Math.max(...g.map(Math.abs));
      for (let i = 0; i < m; i++) {
        expect(r[i * m + i]).toBeGreaterThan(0);
        for (let j = 0; j < i; j++) expect(Math.abs(r[i * m + j]) / scale).toBeLessThan(1e-11);
      }
      expect(maxAbsDiff(naiveMatmul(q, r, m), g) / scale).toBeLessThan(1e-12);
    }
  });

  it('rejects inputs whose columns become exactly zero', () => {
    expect(() => orthonormalize(new Float64Array(4), 2)).toThrow(/degenerate/);
    // Columns (1, 0) and (2, 0): the second projects to exactly zero.
    expect(() => orthonormalize(new Float64Array([1, 2, 0, 0]), 2)).toThrow(/degenerate/);
  });
});

describe('symmetricEigen', () => {
  function checkEigen(a: Mat, m: number, tol: number): void {
    const { values, vectors } = symmetricEigen(a, m);
    const scale = Math.max(...a.map(Math.abs), 1e-300);
    // A V = V Λ
    const av = naiveMatmul(a, vectors, m);
    const vl = vectors.map((v, k) => v * values[k % m]);
    expect(maxAbsDiff(av, vl) / scale, `m = ${m}`).toBeLessThan(tol);
    expect(maxAbsDiff(naiveMatmul(transpose(vectors, m), vectors, m), identity(m))).toBeLessThan(tol);
    for (let i = 1; i < m; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    expect(Math.abs(values.reduce((s, v) => s + v, 0) - trace(a, m)) / (scale * m)).toBeLessThan(tol);
  }

  it('A V = V Λ with orthonormal V and descending Λ, on random symmetric matrices', () => {
    const next = gaussians(7);
    for (const m of SIZES) {
      const g = randomMatrix(m, next);
      const a = Float64Array.from(g, (_, k) => 0.5 * (g[k] + g[(k % m) * m + Math.floor(k / m)]));
      checkEigen(a, m, 1e-10);
    }
  });

  it('recovers a known spectrum from a random rotation, with repeated eigenvalues', () => {
    const next = gaussians(8);
    for (const m of [3, 6, 16]) {
      const q = orthonormalize(randomMatrix(m, next), m);
      const lam = Array.from({ length: m }, (_, i) => (i < 2 ? 3 : Math.exp(-i))); // λ = 3 twice
      const a = naiveMatmul(q.map((v, k) => v * lam[k % m]), transpose(q, m), m);
      const { values } = symmetricEigen(a, m);
      expect(relError(values, [...lam].sort((x, y) => y - x))).toBeLessThan(1e-12);
      checkEigen(a, m, 1e-10);
    }
  });

  const scaled = (c: number) => {
    const m = 6;
    const a = randomSpd(m, gaussians(9));
    const base = symmetricEigen(a, m).values;
    const ac = a.map((v) => v * c);
    expect(relError(symmetricEigen(ac, m).values, base.map((v) => v * c)), `c = ${c}`).toBeLessThan(1e-10);
    checkEigen(ac, m, 1e-10);
  };

  it('is scale-invariant: eig(c A) = c eig(A) for c from 1e-8 to 1e20', () => {
    for (const c of [1e-8, 1e-4, 1e-2, 1e2, 1e8, 1e20]) scaled(c);
  });

  // Regression: convergence is judged relative to ‖A‖_F², so tiny matrices are
  // diagonalized as accurately as unit-scale ones.
  it('is scale-invariant for c = 1e-12', () => scaled(1e-12));
  it('is scale-invariant for c = 1e-16', () => scaled(1e-16));
});
