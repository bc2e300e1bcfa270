// Float64 closed forms for one-step (preconditioned) gradient descent on
// in-context linear regression, and plain CPU versions of those predictors.
//
// With u = (1/n) Σ_i y_i x_i and ŷ = x_qᵀ Γ u, for x ~ N(0, Σ), w ~ N(0, Ω),
// y = wᵀx + ε, ε ~ N(0, σ²) (identity response only):
//   A = E[u uᵀ] = ((n+1)/n) Σ Ω Σ + (1/n)(tr(ΣΩ) + σ²) Σ
//   L(Γ) = E[y_q²] − 2 tr(Σ Γ Σ Ω) + tr(Γᵀ Σ Γ A),  E[y_q²] = tr(ΣΩ) + [query noise] σ²
//   Γ* = Ω Σ A⁻¹,  η* = tr(Σ² Ω) / tr(Σ A) for Γ = η I.
// A follows from E[(wᵀx)² x xᵀ | w] = (wᵀΣw) Σ + 2 Σ w wᵀ Σ (Isserlis) for the
// n diagonal terms and E[y_i x_i | w] = Σ w for the n(n−1) cross terms.
// Losses are plain MSE (not ½·MSE).
import { inverse, matmul, type Mat } from '../linalg/dense.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { TaskContext } from '../tasks/task.ts';

export interface OneStepTheory {
  /** Best step size of plain one-step GD, Γ = η I. */
  eta: number;
  /** MSE of one-step GD with η. */
  loss: number;
  /** Best preconditioner Γ* (d×d, row-major). */
  gamma: Mat;
  /** MSE of preconditioned one-step GD with Γ*. */
  gammaLoss: number;
}

function requireLinear(ctx: TaskContext): void {
  if (ctx.response !== 'identity') {
    throw new Error(
      `closed forms hold only for the identity response; response '${ctx.response}' has none (fit η or Γ on Monte Carlo prompts instead)`,
    );
  }
}

/** tr(a b) for d×d row-major matrices, without forming the product. */
function traceProduct(a: Mat, b: Mat, d: number): number {
  let t = 0;
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) t += a[i * d + k] * b[k * d + i];
  return t;
}

function checkGamma(ctx: TaskContext, gamma: ArrayLike<number>): void {
  if (gamma.length !== ctx.d * ctx.d) throw new Error(`Γ must have d² = ${ctx.d * ctx.d} entries, got ${gamma.length}`);
}

/** E[y_q²] = tr(ΣΩ) + σ² when the query target is noisy. */
export function querySecondMoment(ctx: TaskContext): number {
  requireLinear(ctx);
  return traceProduct(ctx.sigma, ctx.prior, ctx.d) + (ctx.queryNoise ? ctx.noiseVar : 0);
}

/** A = E[u uᵀ] = ((n+1)/n) Σ Ω Σ + (1/n)(tr(ΣΩ) + σ²) Σ. */
export function secondMomentU(ctx: TaskContext): Mat {
  requireLinear(ctx);
  const { d, n, sigma, prior, noiseVar } = ctx;
  const sos = matmul(matmul(sigma, prior, d), sigma, d);
  const c = (traceProduct(sigma, prior, d) + noiseVar) / n;
  const a = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) a[i] = ((n + 1) / n) * sos[i] + c * sigma[i];
  // Symmetrize away rounding so that A is exactly symmetric.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i] = 0.5 * (a[i * d + j] + a[j * d + i]);
  return a;
}

/** L(Γ) = E[(y_q − x_qᵀ Γ u)²] for any d×d preconditioner Γ (row-major). */
export function expectedLoss(ctx: TaskContext, gamma: ArrayLike<number>): number {
  requireLinear(ctx);
  checkGamma(ctx, gamma);
  const { d, sigma, prior } = ctx;
  const g = Float64Array.from(gamma);
  const a = secondMomentU(ctx);
  // tr(Σ Γ Σ Ω) and tr(Γᵀ Σ Γ A) = Σ_ij (ΣΓ)_ij (Γ A)_ij.
  const sg = matmul(sigma, g, d);
  const cross = traceProduct(matmul(sg, sigma, d), prior, d);
  const ga = matmul(g, a, d);
  let quad = 0;
  for (let i = 0; i < d * d; i++) quad += sg[i] * ga[i];
  return querySecondMoment(ctx) - 2 * cross + quad;
}

/** Loss of plain one-step GD, Γ = η I: E[y_q²] − 2η tr(Σ²Ω) + η² tr(ΣA). */
export function expectedLossEta(ctx: TaskContext, eta: number): number {
  requireLinear(ctx);
  const { d, sigma, prior } = ctx;
  const s2o = traceProduct(matmul(sigma, sigma, d), prior, d);
  const sa = traceProduct(sigma, secondMomentU(ctx), d);
  return querySecondMoment(ctx) - 2 * eta * s2o + eta * eta * sa;
}

/** η* = tr(Σ² Ω) / tr(Σ A). */
export function optimalEta(ctx: TaskContext): number {
  requireLinear(ctx);
  const { d, sigma, prior } = ctx;
  return traceProduct(matmul(sigma, sigma, d), prior, d) / traceProduct(sigma, secondMomentU(ctx), d);
}

/** Γ* = Ω Σ A⁻¹, the minimizer of L(Γ) (∇L = 2(Σ Γ A − Σ Ω Σ) = 0). */
export function optimalGamma(ctx: TaskContext): Mat {
  requireLinear(ctx);
  const { d, sigma, prior } = ctx;
  return matmul(matmul(prior, sigma, d), inverse(secondMomentU(ctx), d), d);
}

export function oneStepGdTheory(ctx: TaskContext): OneStepTheory {
  const eta = optimalEta(ctx);
  const gamma = optimalGamma(ctx);
  return { eta, loss: expectedLossEta(ctx, eta), gamma, gammaLoss: expectedLoss(ctx, gamma) };
}

/**
 * Σ = I, w ~ N(0, τ² I): η* = nτ²/(τ²(n+d+1) + σ²) and
 * L* = τ² d (d+1+r)/(n+d+1+r) + σ² with r = σ²/τ² (σ² dropped when the query is noiseless).
 */
export function isotropicOptimum(d: number, n: number, tau2: number, noiseVar: number, queryNoise = true): { eta: number; loss: number } {
  const r = noiseVar / tau2;
  const eta = (n * tau2) / (tau2 * (n + d + 1) + noiseVar);
  const loss = (tau2 * d * (d + 1 + r)) / (n + d + 1 + r) + (queryNoise ? noiseVar : 0);
  return { eta, loss };
}

/** u = (1/n) Σ_i y_i x_i over the prompt's first n pairs. */
export function contextMoment(prompt: Prompt, d: number, n: number): Float64Array {
  const u = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const y = prompt.ys[i];
    for (let j = 0; j < d; j++) u[j] += y * prompt.xs[i * d + j];
  }
  for (let j = 0; j < d; j++) u[j] /= n;
  return u;
}

/** Preconditioned one-step GD from w = 0: ŷ = x_qᵀ Γ u. */
export function predictPreconditionedGd(prompt: Prompt, gamma: ArrayLike<number>, d: number, n: number): number {
  const u = contextMoment(prompt, d, n);
  let y = 0;
  for (let i = 0; i < d; i++) {
    let gu = 0;
    for (let j = 0; j < d; j++) gu += gamma[i * d + j] * u[j];
    y += prompt.xq[i] * gu;
  }
  return y;
}

/** One-step GD from w = 0 with step η: ŷ = η x_qᵀ u. */
export function predictGd(prompt: Prompt, eta: number, d: number, n: number): number {
  const u = contextMoment(prompt, d, n);
  let y = 0;
  for (let i = 0; i < d; i++) y += prompt.xq[i] * u[i];
  return eta * y;
}

/** tr(ΣΩ) = E[(wᵀx)²], the signal variance before the response (any response). */
export function signalVariance(ctx: TaskContext): number {
  return traceProduct(ctx.sigma, ctx.prior, ctx.d);
}
