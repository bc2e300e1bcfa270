// Everything the samplers (GPU and CPU) and the theory need about a task,
// derived once from the spec in float64: Σ, its Cholesky factor, the prior
// covariance Ω and a factor of it, and the response function's scaling.
import { cholesky, diag, identity, inverse, matmul, orthonormalize, symmetricEigen, trace, transpose, type Mat } from '../linalg/dense.ts';
import { NormalStream, STREAM } from '../rng/rng.ts';
import type { CovarianceSpec, ResponseKind, TaskSpec } from '../spec/types.ts';

/** One output of a (multi-task) prompt: its window of x, its prior and its response scaling. */
export interface OutputTask {
  /** Coordinates [start, end) of x that this task's w may use. */
  start: number;
  end: number;
  /** Ω_t (d×d), zero outside the window's block. */
  prior: Mat;
  /** F_t with F_t F_tᵀ = Ω_t; w_t = F_t g. */
  priorFactor: Mat;
  responseScale: number;
  responseNorm: number;
}

/**
 * A prompt distribution. The top-level prior and response fields describe the
 * first output; `outputs` lists every output (k ≥ 1), and taskView(ctx, t)
 * gives output t as a single-output context for the theory.
 */
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
  /** f(t) = responseScale · g(t / responseScale) / responseNorm, normalized so that E[f(t)²] = E[t²] = responseScale². */
  responseScale: number;
  responseNorm: number;
  outputs: OutputTask[];
}

/** Output t of a multi-task context as a single-output context. */
export function taskView(ctx: TaskContext, t: number): TaskContext {
  const o = ctx.outputs[t];
  return { ...ctx, prior: o.prior, priorFactor: o.priorFactor, responseScale: o.responseScale, responseNorm: o.responseNorm, outputs: [o] };
}

/** The coordinate windows [start, end) of the tasks of a spec. */
export function taskWindows(task: TaskSpec): [number, number][] {
  return Array.from({ length: task.tasks }, (_, t) =>
    task.windowSize === 0 ? [0, task.d] : [t * task.windowStride, t * task.windowStride + task.windowSize],
  );
}

/** Embeds a w×w block at rows and columns [start, start + w) of a d×d zero matrix. */
function embed(block: Mat, w: number, start: number, d: number): Mat {
  const out = new Float64Array(d * d);
  for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) out[(start + i) * d + start + j] = block[i * w + j];
  return out;
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

/** h(a) = E[tanh(√a Z)²], Z ~ N(0, 1), by Simpson's rule on [−10, 10]. */
function tanhSecondMoment(a: number): number {
  const m = 400;
  const h = 20 / m;
  const r = Math.sqrt(a);
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const z = -10 + i * h;
    const w = i === 0 || i === m ? 1 : i % 2 ? 4 : 2;
    s += w * Math.tanh(r * z) ** 2 * Math.exp(-0.5 * z * z);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

// h tabulated on a log grid of a (it is smooth in log a); tanh(x) ≈ x below it, 1 above.
const TANH_GRID = { lo: -6, hi: 6, points: 1201 };
let tanhTable: Float64Array | null = null;
function tanhMoment(a: number): number {
  if (a <= 0) return 0;
  const { lo, hi, points } = TANH_GRID;
  const u = ((Math.log10(a) - lo) / (hi - lo)) * (points - 1);
  if (u <= 0) return a;
  if (u >= points - 1) return 1;
  tanhTable ??= Float64Array.from({ length: points }, (_, i) => tanhSecondMoment(10 ** (lo + ((hi - lo) * i) / (points - 1))));
  const i = Math.floor(u);
  return tanhTable[i] + (u - i) * (tanhTable[i + 1] - tanhTable[i]);
}

/**
 * c with E[g(t/s)²] = c², for t = wᵀx, s² = tr(ΣΩ): then f(t) = s·g(t/s)/c has
 * E[f(t)²] = E[t²]. Given w, t ~ N(0, v) with v = wᵀΣw = gᵀMg (w = F g,
 * M = FᵀΣF), so t is a Gaussian scale mixture, not a Gaussian.
 */
function responseNormFor(response: ResponseKind, sigma: Mat, priorFactor: Mat, d: number, s2: number): number {
  switch (response) {
    case 'identity':
      return 1;
    case 'relu':
      // Positively homogeneous: E[relu(t)²] = E[t²]/2 for any symmetric t.
      return Math.sqrt(0.5);
    case 'cubic': {
      // E[t⁶ | v] = 15 v³, and E[(gᵀMg)³] = (tr M)³ + 6 tr M tr M² + 8 tr M³.
      const m = matmul(matmul(transpose(priorFactor, d), sigma, d), priorFactor, d);
      const m2 = matmul(m, m, d);
      const t1 = trace(m, d);
      const t2 = trace(m2, d);
      const t3 = trace(matmul(m2, m, d), d);
      return Math.sqrt((15 * (t1 ** 3 + 6 * t1 * t2 + 8 * t3)) / s2 ** 3);
    }
    case 'tanh': {
      // E over v = Σ λ_i g_i² (λ: eigenvalues of M) of h(v/s²), by Monte Carlo
      // on a fixed stream, so the same task always gets the same scaling.
      const m = matmul(matmul(transpose(priorFactor, d), sigma, d), priorFactor, d);
      const lam = symmetricEigen(m, d).values;
      const draws = Math.max(8192, Math.floor(2 ** 19 / d));
      const rng = new NormalStream(0, STREAM.RESPONSE, d);
      let acc = 0;
      for (let k = 0; k < draws; k++) {
        let v = 0;
        for (let i = 0; i < d; i++) v += lam[i] * rng.next() ** 2;
        acc += tanhMoment(v / s2);
      }
      return Math.sqrt(acc / draws);
    }
  }
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
  const outputs = taskWindows(task).map(([start, end]): OutputTask => {
    const w = end - start;
    let prior: Mat;
    let priorFactor: Mat;
    if (task.prior.kind === 'whitened') {
      // The window's own whitened prior: w_W ~ N(0, Σ_WW⁻¹), through L_W⁻ᵀ with
      // L_W L_Wᵀ = Σ_WW (the full Σ's factors when the window is all of x).
      const sub = new Float64Array(w * w);
      for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) sub[i * w + j] = sigma[(start + i) * d + start + j];
      const lw = w === d ? covFactor : cholesky(sub, w);
      prior = embed(inverse(sub, w), w, start, d);
      priorFactor = embed(transpose(inverse(lw, w), w), w, start, d);
    } else {
      prior = embed(identity(w, task.prior.tau2), w, start, d);
      priorFactor = embed(identity(w, Math.sqrt(task.prior.tau2)), w, start, d);
    }
    // Signal variance E[(wᵀx)²] = tr(Σ Ω) sets the scale of nonlinear responses.
    let signalVar = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) signalVar += sigma[i * d + j] * prior[j * d + i];
    const responseNorm = responseNormFor(task.response, sigma, priorFactor, d, signalVar);
    return { start, end, prior, priorFactor, responseScale: Math.sqrt(signalVar), responseNorm };
  });
  const first = outputs[0];
  return {
    d,
    n: task.n,
    sigma,
    covFactor,
    isotropic,
    prior: first.prior,
    priorFactor: first.priorFactor,
    noiseVar: task.noiseVar,
    queryNoise: task.queryNoise,
    response: task.response,
    responseScale: first.responseScale,
    responseNorm: first.responseNorm,
    outputs,
  };
}

export function applyResponse(ctx: TaskContext, t: number, output = 0): number {
  if (ctx.response === 'identity') return t;
  const o = ctx.outputs[output];
  const s = o.responseScale;
  return (s * RESPONSE_SHAPES[ctx.response](t / s)) / o.responseNorm;
}
