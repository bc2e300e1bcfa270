// In-context predictors on one prompt, float64 (DESIGN.md §4): the algorithms a
// trained attention layer is compared with. Each takes the prompt's context
// (X: n×d row-major, y) and query x_q and returns ŷ.
import { solveSpd } from '../linalg/dense.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { TaskContext, TaskPool } from '../tasks/task.ts';
import { signalVariance } from './closedForms.ts';

function contextSizes(p: Prompt): { n: number; d: number } {
  return { n: p.ys.length, d: p.xq.length };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0, len = a.length): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[i] * b[offset + i];
  return s;
}

/** ŵ = (XᵀX + P)⁻¹ Xᵀy for a d×d penalty P (row-major); ŷ = x_qᵀ ŵ. */
export function ridgeWithPenalty(p: Prompt, penalty: ArrayLike<number>): number {
  const { n, d } = contextSizes(p);
  const a = Float64Array.from(penalty);
  const b = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const xj = p.xs[i * d + j];
      b[j] += xj * p.ys[i];
      for (let k = 0; k < d; k++) a[j * d + k] += xj * p.xs[i * d + k];
    }
  return dot(p.xq, solveSpd(a, b, d));
}

/** Ridge with penalty λ·I (λ = σ²/τ² is Bayes-optimal for the isotropic prior). */
export function ridge(p: Prompt, lambda: number): number {
  const d = p.xq.length;
  const pen = new Float64Array(d * d);
  for (let i = 0; i < d; i++) pen[i * d + i] = lambda;
  return ridgeWithPenalty(p, pen);
}

/** Least squares; the minimum-norm solution ŵ = Xᵀ(XXᵀ)⁻¹y where n < d. */
export function ols(p: Prompt): number {
  const { n, d } = contextSizes(p);
  if (n >= d) return ridge(p, 0);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] = dot(p.xs.subarray(i * d, (i + 1) * d), p.xs, j * d, d);
  const alpha = solveSpd(g, p.ys, n);
  let y = 0;
  for (let i = 0; i < n; i++) y += alpha[i] * dot(p.xq, p.xs, i * d, d);
  return y;
}

/**
 * k steps of gradient descent from w = 0 on (1/2n)‖y − Xw‖² with step η;
 * one step gives η x_qᵀ u with u = (1/n) Σ y_i x_i.
 */
export function kStepGd(p: Prompt, eta: number, k: number): number {
  const { n, d } = contextSizes(p);
  const w = new Float64Array(d);
  for (let t = 0; t < k; t++) {
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = p.ys[i] - dot(w, p.xs, i * d, d);
      for (let j = 0; j < d; j++) g[j] += (r * p.xs[i * d + j]) / n;
    }
    for (let j = 0; j < d; j++) w[j] += eta * g[j];
  }
  return dot(p.xq, w);
}

/**
 * He et al.'s debiased GD: ŷ = c Σ_i y_i (x_i − x̄)ᵀ x_q with x̄ the context
 * mean; a ±(ω, μ) head pair implements it with c = 2ωμ/n.
 */
export function debiasedGd(p: Prompt, c: number): number {
  const { n, d } = contextSizes(p);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += p.xs[i * d + j] / n;
  let y = 0;
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) t += (p.xs[i * d + j] - mean[j]) * p.xq[j];
    y += p.ys[i] * t;
  }
  return c * y;
}

/** He et al.'s reduced softmax predictor ŷ = Σ_h μ_h Σ_i y_i softmax_i(ω_h x_iᵀ x_q). */
export function reducedSoftmax(p: Prompt, omega: ArrayLike<number>, mu: ArrayLike<number>): number {
  const { n, d } = contextSizes(p);
  let y = 0;
  for (let h = 0; h < omega.length; h++) {
    const logits = Array.from({ length: n }, (_, i) => omega[h] * dot(p.xq, p.xs, i * d, d));
    const mx = Math.max(...logits);
    let z = 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.exp(logits[i] - mx);
      z += a;
      s += a * p.ys[i];
    }
    y += (mu[h] * s) / z;
  }
  return y;
}

/**
 * He et al.'s APPROXIMATE loss of the reduced predictor (Gaussian data,
 * τ² = 1/d, n = L context pairs):
 *   L̃(ω, μ) = 1 + σ² − 2μᵀω + μᵀ[ωωᵀ + ((1 + σ²)/L)·exp(d·ωωᵀ)]μ  (exp entrywise).
 * An approximation, not an expectation: it under-reads the true loss (by
 * about 10% at d = 5, L = 40 near the optimum).
 */
export function heApproximateLoss(omega: ArrayLike<number>, mu: ArrayLike<number>, d: number, L: number, noiseVar: number): number {
  const H = omega.length;
  let out = 1 + noiseVar - 2 * dot(mu, omega);
  for (let a = 0; a < H; a++)
    for (let b = 0; b < H; b++) out += mu[a] * mu[b] * (omega[a] * omega[b] + ((1 + noiseVar) / L) * Math.exp(d * omega[a] * omega[b]));
  return out;
}

/**
 * The noise variance dMMSE weighs residuals with: σ², floored at 10⁻⁶ of the
 * signal variance tr(ΣΩ) so that noiseless prompts give the (nearly) one-hot
 * posterior on the best-fitting entry instead of 0/0.
 */
export function dmmseNoiseVar(ctx: TaskContext): number {
  return Math.max(ctx.noiseVar, 1e-6 * signalVariance(ctx));
}

/**
 * dMMSE (Raventós et al. 2023), the Bayes posterior mean for tasks drawn
 * uniformly from a finite pool: ŷ_t = Σ_m p_m w_{m,t}ᵀ x_q with
 * log p_m = −Σ_t ‖y_t − X w_{m,t}‖² / (2σ²) + const over the context (all k
 * outputs share the entry m), computed with the largest log-weight
 * subtracted first. Returns the k predictions (linear response only).
 */
export function dmmse(p: Prompt, pool: TaskPool, noiseVar: number): Float64Array {
  const d = p.xq.length;
  const k = p.k;
  const n = p.xs.length / d;
  const logw = new Float64Array(pool.size);
  let mx = -Infinity;
  for (let m = 0; m < pool.size; m++) {
    let r = 0;
    for (let t = 0; t < k; t++) {
      const o = (m * k + t) * d;
      for (let i = 0; i < n; i++) r += (p.ysAll[i * k + t] - dot(pool.vectors.subarray(o, o + d), p.xs, i * d, d)) ** 2;
    }
    logw[m] = -r / (2 * noiseVar);
    if (logw[m] > mx) mx = logw[m];
  }
  const out = new Float64Array(k);
  let z = 0;
  for (let m = 0; m < pool.size; m++) {
    const a = Math.exp(logw[m] - mx);
    z += a;
    for (let t = 0; t < k; t++) {
      const o = (m * k + t) * d;
      out[t] += a * dot(pool.vectors.subarray(o, o + d), p.xq);
    }
  }
  for (let t = 0; t < k; t++) out[t] /= z;
  return out;
}
