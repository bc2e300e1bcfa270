// Everything the samplers (GPU and CPU) and the theory need about a task,
// derived once from the spec in float64: Σ, its Cholesky factor, the prior
// covariance Ω and a factor of it, and the response function's scaling.
import { cholesky, diag, identity, inverse, matmul, orthonormalize, transpose, type Mat } from '../linalg/dense.ts';
import { NormalStream, STREAM } from '../engine/rng.ts';
import type { CovarianceSpec, ResponseKind, TaskSpec } from '../spec/types.ts';

export interface TaskContext {
  d: number;
  n: number;
  /** Covariate covariance Σ (d×d, row-major). */
  sigma: Mat;
  /** Lower-triangular L with L Lᵀ = Σ; x = L g. */
  covFactor: Mat;
  /** True when Σ = I exactly (the samplers then skip the product with L). */
  isotropic: boolean;
  /** Prior covariance Ω of the task vector w. */
  prior: Mat;
  /** F with F Fᵀ = Ω; w = F g. */
  priorFactor: Mat;
  noiseVar: number;
  queryNoise: boolean;
  response: ResponseKind;
  /** f(t) = responseScale · g(t / responseScale) / responseNorm for nonlinear g. */
  responseScale: number;
  responseNorm: number;
}

/** Eigenvalues of the diagonal families, normalized to mean 1 (tr Σ = d). */
export function spectrum(cov: CovarianceSpec, d: number): Float64Array {
  const lam = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    if (cov.kind === 'powerlaw') lam[i] = Math.pow(i + 1, -cov.alpha);
    else if (cov.kind === 'geometric') lam[i] = d === 1 ? 1 : Math.pow(cov.kappa, -i / (d - 1));
    else lam[i] = 1;
  }
  const mean = lam.reduce((a, b) => a + b, 0) / d;
  return lam.map((v) => v / mean);
}

/** Haar-random orthogonal d×d matrix from the rotation seed. */
export function randomRotation(seed: number, d: number): Mat {
  const g = new Float64Array(d * d);
  new NormalStream(seed >>> 0, STREAM.ROTATION, 0).fill(g);
  return orthonormalize(g, d);
}

export function covarianceMatrix(cov: CovarianceSpec, d: number): Mat {
  let s: Mat;
  if (cov.kind === 'ar1') {
    s = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = Math.pow(cov.rho, Math.abs(i - j));
  } else {
    s = diag(spectrum(cov, d));
  }
  if (cov.rotate && cov.kind !== 'isotropic') {
    const u = randomRotation(cov.rotationSeed, d);
    s = matmul(matmul(u, s, d), transpose(u, d), d);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) s[i * d + j] = s[j * d + i] = 0.5 * (s[i * d + j] + s[j * d + i]);
  }
  return s;
}

/** E[g(Z)²] for Z ~ N(0, 1), by Simpson's rule on [−12, 12]. */
function secondMoment(g: (z: number) => number): number {
  const m = 4800;
  const h = 24 / m;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const z = -12 + i * h;
    const w = i === 0 || i === m ? 1 : i % 2 ? 4 : 2;
    s += w * g(z) ** 2 * Math.exp(-0.5 * z * z);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

export const RESPONSE_SHAPES: Record<ResponseKind, (z: number) => number> = {
  identity: (z) => z,
  tanh: Math.tanh,
  relu: (z) => Math.max(z, 0),
  cubic: (z) => z * z * z,
};

export function buildTask(task: TaskSpec): TaskContext {
  const { d } = task;
  const sigma = covarianceMatrix(task.covariance, d);
  const isotropic = task.covariance.kind === 'isotropic';
  const covFactor = isotropic ? identity(d) : cholesky(sigma, d);
  let prior: Mat;
  let priorFactor: Mat;
  if (task.prior.kind === 'whitened') {
    prior = inverse(sigma, d);
    // w = L⁻ᵀ g has covariance L⁻ᵀ L⁻¹ = (L Lᵀ)⁻¹ = Σ⁻¹.
    priorFactor = transpose(inverse(covFactor, d), d);
  } else {
    prior = identity(d, task.prior.tau2);
    priorFactor = identity(d, Math.sqrt(task.prior.tau2));
  }
  // Signal variance E[(wᵀx)²] = tr(Σ Ω) sets the scale of nonlinear responses.
  let signalVar = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) signalVar += sigma[i * d + j] * prior[j * d + i];
  const responseScale = Math.sqrt(signalVar);
  const responseNorm = task.response === 'identity' ? 1 : Math.sqrt(secondMoment(RESPONSE_SHAPES[task.response]));
  return {
    d,
    n: task.n,
    sigma,
    covFactor,
    isotropic,
    prior,
    priorFactor,
    noiseVar: task.noiseVar,
    queryNoise: task.queryNoise,
    response: task.response,
    responseScale,
    responseNorm,
  };
}

export function applyResponse(ctx: TaskContext, t: number): number {
  if (ctx.response === 'identity') return t;
  const s = ctx.responseScale;
  return (s * RESPONSE_SHAPES[ctx.response](t / s)) / ctx.responseNorm;
}
