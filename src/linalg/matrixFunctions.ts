// Float64 matrix functions of the matrix optimizers, written as the WGSL in
// shaders/optimizer.wgsl computes them (same iterations, same orderings), so
// the GPU step can be checked against them: Muon's quintic Newton–Schulz, a
// polar factor by one-sided Jacobi, and a cyclic Jacobi eigendecomposition,
// both in round-robin order. Matrices are row-major
// Float64Arrays of rows×cols.

/** Muon's quintic Newton–Schulz coefficients (github.com/KellerJordan/Muon). */
export const NS5 = { a: 3.4445, b: -4.775, c: 2.0315, steps: 5, eps: 1e-7 } as const;

/**
 * Singular values at most this × σ_max count as zero in PolarGrad's polar
 * factor (2⁻¹⁴ ≈ 6·10⁻⁵): a float32 gradient summed over a batch is only
 * resolved to about that, and the polar factor gives every nonzero singular
 * value, however small, a unit step. Without the cutoff, a gradient that is
 * rank one in exact arithmetic (softmax attention's V^h) would step along its
 * rounding noise as far as along its signal.
 */
export const POLAR_CUTOFF = 2 ** -14;

/** Jacobi sweeps of the eigendecomposition (cyclic Jacobi converges quadratically; 12 sweeps are plenty at the sizes here). */
export const JACOBI_SWEEPS = 12;
/**
 * Jacobi leaves an off-diagonal entry alone once it is at most this × ‖A‖_F
 * (2⁻²⁰, sixteen float32 ulps): float32 cannot resolve more, and entries that
 * are rounding noise are then left alone in float32 and float64 alike, so a
 * degenerate eigenspace (a rank-deficient L or R) gets the same basis in both.
 */
export const JACOBI_TOL = 2 ** -20;

/** X (m×M, m ≤ M) of a rows×cols matrix: the matrix itself, or its transpose when rows > cols. */
function oriented(g: ArrayLike<number>, rows: number, cols: number): { x: Float64Array; m: number; M: number; t: boolean } {
  const t = rows > cols;
  const m = t ? cols : rows;
  const M = t ? rows : cols;
  const x = new Float64Array(m * M);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[t ? j * M + i : i * M + j] = g[i * cols + j];
  return { x, m, M, t };
}

function unoriented(x: Float64Array, rows: number, cols: number, t: boolean): Float64Array {
  if (!t) return x;
  const out = new Float64Array(rows * cols);
  const M = rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = x[j * M + i];
  return out;
}

/** One step X ← aX + (bA + cA²)X with A = XXᵀ (X is m×M). */
function polyStep(x: Float64Array, m: number, M: number, a: number, b: number, c: number): Float64Array {
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < M; k++) s += x[i * M + k] * x[j * M + k];
      A[i * m + j] = s;
    }
  const B = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += A[i * m + k] * A[k * m + j];
      B[i * m + j] = b * A[i * m + j] + c * s;
    }
  const out = new Float64Array(m * M);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < M; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += B[i * m + k] * x[k * M + j];
      out[i * M + j] = a * x[i * M + j] + s;
    }
  return out;
}

function frob(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/**
 * Muon's orthogonalization: five quintic Newton–Schulz steps from G/(‖G‖_F + ε),
 * on Gᵀ when rows > cols. The quintic is tuned for speed, not convergence: the
 * singular values land in about [0.7, 1.2], not on 1.
 */
export function newtonSchulz5(g: ArrayLike<number>, rows: number, cols: number, coeffs: { a: number; b: number; c: number; steps: number; eps: number } = NS5): Float64Array {
  const o = oriented(g, rows, cols);
  let x = o.x;
  const norm = frob(x) + coeffs.eps;
  for (let i = 0; i < x.length; i++) x[i] /= norm;
  for (let s = 0; s < coeffs.steps; s++) x = polyStep(x, o.m, o.M, coeffs.a, coeffs.b, coeffs.c);
  return unoriented(x, rows, cols, o.t);
}

/**
 * The polar factor U of G = UP (U with orthonormal rows or columns, P ⪰ 0)
 * from a one-sided Jacobi SVD: the rows of X (G, or Gᵀ when rows > cols) are
 * rotated pairwise, in round-robin order, until they are orthogonal, Y = WᵀX
 * with W orthogonal; then X = W Σ Ŷ and U = W Ŷ over the singular values above
 * POLAR_CUTOFF·σ_max. Jacobi converges whatever the condition number and
 * resolves small singular values to float32's absolute accuracy (the quintic
 * Newton–Schulz does not converge; the cubic one converges but, iterated until
 * every nonzero singular value reaches 1, also turns rounding noise into unit
 * steps). Also returns the nuclear norm Σσ_i of the part kept (= tr(UᵀG)) and
 * how many singular values were kept.
 */
export function polarFactor(g: ArrayLike<number>, rows: number, cols: number, cutoff = POLAR_CUTOFF, sweeps = JACOBI_SWEEPS): { u: Float64Array; nuclear: number; rank: number } {
  const o = oriented(g, rows, cols);
  const { m, M } = o;
  const x = o.x;
  const w = new Float64Array(m * m);
  for (let i = 0; i < m; i++) w[i * m + i] = 1;
  const mEven = m + (m % 2);
  for (let sweep = 0; sweep < sweeps && m > 1; sweep++)
    for (let r = 0; r < mEven - 1; r++) {
      const rot: [number, number, number, number][] = [];
      for (let i = 0; i < mEven / 2; i++) {
        let [p, q] = roundRobinPair(r, i, mEven);
        if (p >= m || q >= m) continue;
        if (p > q) [p, q] = [q, p];
        let a = 0;
        let b = 0;
        let c = 0;
        for (let k = 0; k < M; k++) {
          a += x[p * M + k] * x[p * M + k];
          b += x[q * M + k] * x[q * M + k];
          c += x[p * M + k] * x[q * M + k];
        }
        const [cs, sn] = orthogonalizingRotation(a, b, c);
        rot.push([p, q, cs, sn]);
      }
      for (const [p, q, c, s] of rot) {
        for (let k = 0; k < M; k++) {
          const xp = x[p * M + k];
          const xq = x[q * M + k];
          x[p * M + k] = c * xp - s * xq;
          x[q * M + k] = s * xp + c * xq;
        }
        for (let k = 0; k < m; k++) {
          const wp = w[k * m + p];
          const wq = w[k * m + q];
          w[k * m + p] = c * wp - s * wq;
          w[k * m + q] = s * wp + c * wq;
        }
      }
    }
  const sigma = Array.from({ length: m }, (_, i) => {
    let t = 0;
    for (let k = 0; k < M; k++) t += x[i * M + k] * x[i * M + k];
    return Math.sqrt(t);
  });
  const smax = Math.max(0, ...sigma);
  const keep = sigma.map((s) => smax > 0 && s > cutoff * smax);
  const u = new Float64Array(m * M);
  for (let a = 0; a < m; a++)
    for (let k = 0; k < M; k++) {
      let t = 0;
      for (let i = 0; i < m; i++) if (keep[i]) t += (w[a * m + i] * x[i * M + k]) / sigma[i];
      u[a * M + k] = t;
    }
  const nuclear = sigma.reduce((t, s, i) => t + (keep[i] ? s : 0), 0);
  return { u: unoriented(u, rows, cols, o.t), nuclear, rank: keep.filter(Boolean).length };
}

/**
 * The rotation (c, s) that makes rows p and q orthogonal, x_p ← c x_p − s x_q,
 * x_q ← s x_p + c x_q, from α = ‖x_p‖², β = ‖x_q‖², γ = x_pᵀx_q; (1, 0) where
 * they already are, to 2⁻²⁴·√(αβ).
 */
export function orthogonalizingRotation(a: number, b: number, c: number): [number, number] {
  if (Math.abs(c) <= 1e-30 + 2 ** -24 * Math.sqrt(a * b)) return [1, 0];
  const zeta = (b - a) / (2 * c);
  const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
  const cs = 1 / Math.sqrt(1 + t * t);
  return [cs, cs * t];
}

/** Round-robin pair `i` of round `r` for n' = n rounded up to even players (the circle method); a pair naming player n (odd n) is a bye. */
export function roundRobinPair(r: number, i: number, nEven: number): [number, number] {
  const last = nEven - 1;
  if (i === 0) return [r, last];
  return [(r + i) % last, (r - i + last) % last];
}

/**
 * Eigendecomposition of a symmetric n×n matrix by cyclic Jacobi: each sweep
 * zeroes every off-diagonal pair once, n'/2 disjoint pairs at a time (the
 * GPU applies a round's rotations in parallel; disjoint rotations commute).
 * Returns eigenvalues in descending order and the eigenvectors as columns of
 * `vectors` (row-major n×n), in the same order.
 */
export function jacobiEigen(sym: ArrayLike<number>, n: number, sweeps = JACOBI_SWEEPS, tol = JACOBI_TOL): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(sym);
  const floor = 1e-30 + tol * frob(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const nEven = n + (n % 2);
  for (let sweep = 0; sweep < sweeps; sweep++)
    for (let r = 0; r < nEven - 1; r++) {
      const rot: [number, number, number, number][] = [];
      for (let i = 0; i < nEven / 2; i++) {
        let [p, q] = roundRobinPair(r, i, nEven);
        if (p >= n || q >= n) continue;
        if (p > q) [p, q] = [q, p];
        const [c, s] = jacobiRotation(a[p * n + p], a[q * n + q], a[p * n + q], floor);
        rot.push([p, q, c, s]);
      }
      // A ← Jᵀ A (rows p, q), then A ← A J (columns p, q), then V ← V J.
      for (const [p, q, c, s] of rot)
        for (let k = 0; k < n; k++) {
          const ap = a[p * n + k];
          const aq = a[q * n + k];
          a[p * n + k] = c * ap - s * aq;
          a[q * n + k] = s * ap + c * aq;
        }
      for (const [p, q, c, s] of rot)
        for (let k = 0; k < n; k++) {
          const ap = a[k * n + p];
          const aq = a[k * n + q];
          a[k * n + p] = c * ap - s * aq;
          a[k * n + q] = s * ap + c * aq;
          const vp = v[k * n + p];
          const vq = v[k * n + q];
          v[k * n + p] = c * vp - s * vq;
          v[k * n + q] = s * vp + c * vq;
        }
    }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) order.forEach((src, dst) => (vectors[k * n + dst] = v[k * n + src]));
  return { values, vectors };
}

/**
 * The rotation (c, s) that zeroes a_pq (Numerical Recipes' form, stable for
 * small angles); (1, 0) where |a_pq| is at most `floor`.
 */
export function jacobiRotation(app: number, aqq: number, apq: number, floor: number): [number, number] {
  if (Math.abs(apq) <= floor) return [1, 0];
  const theta = (aqq - app) / (2 * apq);
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  return [c, t * c];
}
