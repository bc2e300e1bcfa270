// Small dense float64 linear algebra on row-major square matrices (Float64Array
// of length m*m). Sizes here are the lab's d ≤ 64, so clarity beats blocking.

export type Mat = Float64Array;

export function zeros(m: number): Mat {
  return new Float64Array(m * m);
}

export function identity(m: number, scale = 1): Mat {
  const a = zeros(m);
  for (let i = 0; i < m; i++) a[i * m + i] = scale;
  return a;
}

export function diag(values: ArrayLike<number>): Mat {
  const m = values.length;
  const a = zeros(m);
  for (let i = 0; i < m; i++) a[i * m + i] = values[i];
  return a;
}

export function matmul(a: Mat, b: Mat, m: number): Mat {
  const c = zeros(m);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += aik * b[k * m + j];
    }
  return c;
}

export function transpose(a: Mat, m: number): Mat {
  const t = zeros(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) t[j * m + i] = a[i * m + j];
  return t;
}

export function matvec(a: Mat, x: ArrayLike<number>, m: number): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += a[i * m + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function add(a: Mat, b: Mat, alpha = 1, beta = 1): Mat {
  const c = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) c[i] = alpha * a[i] + beta * b[i];
  return c;
}

export function scale(a: Mat, s: number): Mat {
  return a.map((v) => v * s);
}

export function trace(a: Mat, m: number): number {
  let t = 0;
  for (let i = 0; i < m; i++) t += a[i * m + i];
  return t;
}

export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Lower-triangular L with L Lᵀ = a; throws if a is not (numerically) positive definite. */
export function cholesky(a: Mat, m: number): Mat {
  const l = zeros(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${i}: ${s})`);
        l[i * m + i] = Math.sqrt(s);
      } else {
        l[i * m + j] = s / l[j * m + j];
      }
    }
  }
  return l;
}

/** Inverse by Gauss-Jordan elimination with partial pivoting. */
export function inverse(a: Mat, m: number): Mat {
  const w = Float64Array.from(a);
  const inv = identity(m);
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(w[r * m + col]) > Math.abs(w[piv * m + col])) piv = r;
    const p = w[piv * m + col];
    if (p === 0 || !Number.isFinite(p)) throw new Error('matrix is singular');
    if (piv !== col)
      for (let j = 0; j < m; j++) {
        [w[col * m + j], w[piv * m + j]] = [w[piv * m + j], w[col * m + j]];
        [inv[col * m + j], inv[piv * m + j]] = [inv[piv * m + j], inv[col * m + j]];
      }
    for (let j = 0; j < m; j++) {
      w[col * m + j] /= p;
      inv[col * m + j] /= p;
    }
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = w[r * m + col];
      if (f === 0) continue;
      for (let j = 0; j < m; j++) {
        w[r * m + j] -= f * w[col * m + j];
        inv[r * m + j] -= f * inv[col * m + j];
      }
    }
  }
  return inv;
}

/**
 * Orthogonal Q from the QR decomposition of g (modified Gram-Schmidt on columns),
 * with signs fixed so that R has a positive diagonal: for Gaussian g this is a
 * Haar-distributed random rotation.
 */
export function orthonormalize(g: Mat, m: number): Mat {
  const q = Float64Array.from(g);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i * m + j] * q[i * m + k];
      for (let i = 0; i < m; i++) q[i * m + j] -= dot * q[i * m + k];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * m + j] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('degenerate matrix in orthonormalize');
    for (let i = 0; i < m; i++) q[i * m + j] /= norm;
  }
  return q;
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations; values descending. */
export function symmetricEigen(a: Mat, m: number): { values: Float64Array; vectors: Mat } {
  const w = Float64Array.from(a);
  const v = identity(m);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i] * w[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) off += w[i * m + j] ** 2;
    // Relative to ‖A‖²: an absolute threshold would stop early on tiny matrices.
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < m; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = w[p * m + q];
        if (apq === 0) continue;
        const theta = (w[q * m + q] - w[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = w[k * m + p];
          const akq = w[k * m + q];
          w[k * m + p] = c * akp - s * akq;
          w[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = w[p * m + k];
          const aqk = w[q * m + k];
          w[p * m + k] = c * apk - s * aqk;
          w[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => w[j * m + j] - w[i * m + i]);
  const values = Float64Array.from(order, (i) => w[i * m + i]);
  const vectors = zeros(m);
  order.forEach((src, dst) => {
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values, vectors };
}

/** Solves a x = b for symmetric positive definite a (Cholesky). */
export function solveSpd(a: Mat, b: ArrayLike<number>, m: number): Float64Array {
  const l = cholesky(a, m);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * y[k];
    y[i] = s / l[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * x[k];
    x[i] = s / l[i * m + i];
  }
  return x;
}

/** Whether a d×d matrix is c·I up to rounding: its off-(c·I) part at most 1e-9 of its Frobenius norm. */
export function isScaledIdentity(m: ArrayLike<number>, d: number): boolean {
  let c = 0;
  for (let i = 0; i < d; i++) c += m[i * d + i] / d;
  let off = 0;
  let tot = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      off += (m[i * d + j] - (i === j ? c : 0)) ** 2;
      tot += m[i * d + j] ** 2;
    }
  return off <= 1e-18 * tot;
}
