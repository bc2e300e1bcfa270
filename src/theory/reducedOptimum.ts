// The minimiser of He et al.'s APPROXIMATE loss L̃(ω, μ) of the reduced
// multi-head softmax predictor (heApproximateLoss in predictors.ts): the point a
// trained model's per-head (ω_h, μ_h) is read against. For fixed ω, L̃ is
// quadratic in μ, so μ = B⁻¹ω (B = ωωᵀ + c·exp(d·ωωᵀ), c = (1+σ²)/L; a
// pseudo-inverse, as B is singular when heads coincide) and only ω ∈ R^H is
// searched: Nelder–Mead from a fixed set of starts, no randomness.
//
// What to expect. Expanding exp entrywise, with moments m_k = Σ_h μ_h ω_h^k,
//   L̃ = σ² + (1 − m₁)² + c Σ_{k≥0} (d^k/k!) m_k²  ≥  σ² + cd/(1 + cd)   (any H).
// One head has m₀ = μ ≠ 0; its optimum is ω = 1/√d, L̃ = 1 + σ² − 1/(1 + cde).
// With H ≥ 2 the bound is the infimum, but it is NOT attained: it is approached
// by zero-sum heads (m₀ = 0) shrinking to ω → 0 with μ ~ 1/ω (debiased GD in
// the limit), the excess falling like ω⁴ (a ±ω pair: c·m₁²(sinh(dω²)/ω² − d)).
// So for H ≥ 2 the search stops at the first point within GAP of the bound: a
// deterministic point, but not a unique optimum — `infimum` is the number to quote.
import { symmetricEigen } from '../linalg/dense.ts';

export interface ReducedOptimum {
  /** ω_h, descending. */
  omega: number[];
  mu: number[];
  /** L̃ at (omega, mu) (= heApproximateLoss there, computed without cancellation). */
  approxLoss: number;
  /** Closed-form inf L̃ over (ω, μ) ∈ R^{2H}; for H ≥ 2 not attained (ω → 0). */
  infimum: number;
  /** Nelder–Mead iterations, all starts together. */
  iterations: number;
}

/** μ minimising L̃ for fixed ω: B⁺ω, with eigenvalues under 1e-13·λ_max of B dropped. */
export function profiledMu(omega: ArrayLike<number>, d: number, L: number, noiseVar: number): Float64Array {
  const H = omega.length;
  const c = (1 + noiseVar) / L;
  const b = new Float64Array(H * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) b[i * H + j] = omega[i] * omega[j] + c * Math.exp(d * omega[i] * omega[j]);
  const { values, vectors } = symmetricEigen(b, H);
  const mu = new Float64Array(H);
  for (let k = 0; k < H; k++) {
    if (!(values[k] > 1e-13 * values[0])) continue;
    let proj = 0;
    for (let i = 0; i < H; i++) proj += vectors[i * H + k] * omega[i];
    for (let i = 0; i < H; i++) mu[i] += (vectors[i * H + k] * proj) / values[k];
  }
  return mu;
}

/** The closed-form infimum of L̃ (see the header). */
export function reducedLossInfimum(d: number, L: number, noiseVar: number, heads: number): number {
  const cd = ((1 + noiseVar) / L) * d;
  return heads === 1 ? 1 + noiseVar - 1 / (1 + cd * Math.E) : noiseVar + cd / (1 + cd);
}

function nelderMead(f: (x: number[]) => number, x0: number[], step: number, maxIter: number, target: number): { x: number[]; f: number; iterations: number } {
  const n = x0.length;
  const pts = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))];
  const vals = pts.map(f);
  let it = 0;
  const along = (a: number[], b: number[], t: number) => a.map((v, i) => v + t * (b[i] - v));
  for (; it < maxIter; it++) {
    const order = vals.map((_, i) => i).sort((i, j) => vals[i] - vals[j]);
    const p = order.map((i) => pts[i]);
    const v = order.map((i) => vals[i]);
    pts.splice(0, n + 1, ...p);
    vals.splice(0, n + 1, ...v);
    let size = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(pts[i][j] - pts[0][j]));
    if (vals[0] <= target || (vals[n] - vals[0] <= 1e-15 && size < 1e-9)) break;
    const centroid = x0.map((_, j) => pts.slice(0, n).reduce((s, q) => s + q[j], 0) / n);
    const xr = along(centroid, pts[n], -1);
    const fr = f(xr);
    if (fr < vals[0]) {
      const xe = along(centroid, pts[n], -2);
      const fe = f(xe);
      [pts[n], vals[n]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < vals[n - 1]) {
      [pts[n], vals[n]] = [xr, fr];
    } else {
      const xc = fr < vals[n] ? along(centroid, xr, 0.5) : along(centroid, pts[n], 0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, vals[n])) [pts[n], vals[n]] = [xc, fc];
      else
        for (let i = 1; i <= n; i++) {
          pts[i] = along(pts[0], pts[i], 0.5);
          vals[i] = f(pts[i]);
        }
    }
  }
  const best = vals.indexOf(Math.min(...vals));
  return { x: pts[best], f: vals[best], iterations: it };
}

/** Fixed starting ω's: ± patterns at several scales, one-signed, and lopsided ones (spread so B is regular). */
function starts(H: number, d: number): number[][] {
  const r = 1 / Math.sqrt(d);
  const spread = (k: number) => 1 + 0.1 * k;
  const out: number[][] = [];
  for (const s of [0.1, 0.3, 0.6, 1, 1.5].map((t) => t * r)) {
    out.push(Array.from({ length: H }, (_, k) => (k % 2 ? -s : s) * spread(k >> 1)));
    out.push(Array.from({ length: H }, (_, k) => s * spread(k)));
  }
  if (H > 1) {
    out.push(Array.from({ length: H }, (_, k) => r * (1 - (2 * k) / (H - 1))));
    out.push(Array.from({ length: H }, (_, k) => (k === 0 ? r : -0.3 * r * spread(k))));
  }
  return out;
}

/**
 * L̃(ω, μ) by the moment series of the header: equal to heApproximateLoss, but
 * a sum of non-negative terms, so it stays accurate where μ ~ 1/ω is large and
 * μᵀ exp(d·ωωᵀ) μ would cancel catastrophically.
 */
function lossByMoments(omega: ArrayLike<number>, mu: ArrayLike<number>, d: number, L: number, noiseVar: number): number {
  const H = omega.length;
  const c = (1 + noiseVar) / L;
  let m1 = 0;
  let peak = 0;
  for (let h = 0; h < H; h++) {
    m1 += mu[h] * omega[h];
    peak = Math.max(peak, d * omega[h] * omega[h]);
  }
  let out = noiseVar + (1 - m1) ** 2;
  const pw = new Float64Array(H).fill(1);
  let coef = 1;
  for (let k = 0; k < 1000; k++) {
    let m = 0;
    let bound = 0;
    for (let h = 0; h < H; h++) {
      m += mu[h] * pw[h];
      bound += Math.abs(mu[h] * pw[h]);
    }
    out += c * coef * m * m;
    // The tail past the peak is bounded by a geometric series of these bounds.
    if (k > 2 * peak && c * coef * bound * bound <= 1e-18 * out) break;
    for (let h = 0; h < H; h++) pw[h] *= omega[h];
    coef *= d / (k + 1);
  }
  return out;
}

/** The search stops once L̃ is this close to its infimum (for H ≥ 2 it would otherwise crawl toward ω = 0). */
const GAP = 1e-10;

/** Minimises L̃ over (ω, μ) ∈ R^H × R^H; deterministic. */
export function reducedSoftmaxOptimum(opts: { d: number; L: number; noiseVar: number; heads: number }): ReducedOptimum {
  const { d, L, noiseVar, heads: H } = opts;
  if (!(Number.isInteger(H) && H >= 1)) throw new Error(`heads must be a positive integer, got ${H}`);
  const infimum = reducedLossInfimum(d, L, noiseVar, H);
  const loss = (w: ArrayLike<number>) => lossByMoments(w, profiledMu(w, d, L, noiseVar), d, L, noiseVar);
  let best = { x: [] as number[], f: Infinity };
  let iterations = 0;
  for (const x0 of starts(H, d)) {
    // Restart from the end point until a restart gains nothing (Nelder–Mead can stall).
    let cur = { x: x0, f: loss(x0) };
    for (let round = 0; round < 20 && cur.f - infimum > GAP; round++) {
      const r = nelderMead(loss, cur.x, 0.05 / Math.sqrt(d), 300 * H, infimum + GAP);
      iterations += r.iterations;
      const gained = cur.f - r.f;
      if (r.f < cur.f) cur = r;
      if (!(gained > 1e-14)) break;
    }
    if (cur.f < best.f) best = cur;
    if (best.f - infimum <= GAP) break;
  }
  const mu = profiledMu(best.x, d, L, noiseVar);
  const order = best.x.map((_, i) => i).sort((i, j) => best.x[j] - best.x[i] || mu[j] - mu[i]);
  const omega = order.map((i) => best.x[i]);
  const muSorted = order.map((i) => mu[i]);
  return { omega, mu: muSorted, approxLoss: lossByMoments(omega, muSorted, d, L, noiseVar), infimum, iterations };
}
