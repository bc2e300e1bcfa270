// Everything the samplers (GPU and CPU) and the theory need about a task,
// derived once from the spec in float64: Σ, its Cholesky factor, the prior
// covariance Ω and a factor of it, and the response function's scaling.
import { cholesky, diag, identity, inverse, matmul, orthonormalize, symmetricEigen, trace, transpose, type Mat } from '../linalg/dense.ts';
import { NormalStream, promptKey, recordNormals, STREAM } from '../rng/rng.ts';
import type { CovarianceSpec, ExperimentSpec, ResponseKind, TaskSpec } from '../spec/types.ts';

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

/** A finite task pool (Raventós et al. 2023): M entries of k task vectors each, drawn once from the prior. */
export interface TaskPool {
  size: number;
  /** Entry m, output t at (m·k + t)·d. */
  vectors: Float64Array;
  /** Per output, the pool's own second moment Ω_t = (1/M) Σ_m w_{m,t} w_{m,t}ᵀ (uncentered, rank ≤ M). */
  moments: Mat[];
}

/** How the covariates are drawn: x = L g with g Gaussian, or with g i.i.d. uniform of unit variance. */
export type CovariateDistribution = 'gaussian' | 'uniform';

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
  covariates: CovariateDistribution;
  /** The task pool the prompts draw from (drawFromPool) or that dMMSE knows (a pooled run's fresh-task test). */
  pool: TaskPool | null;
  drawFromPool: boolean;
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

/** Output t of a multi-task context as a single-output context (with its pool's output-t vectors). */
export function taskView(ctx: TaskContext, t: number): TaskContext {
  const o = ctx.outputs[t];
  const pool = ctx.pool && ctx.outputs.length > 1 ? poolOutput(ctx.pool, ctx.outputs.length, ctx.d, t) : ctx.pool;
  return { ...ctx, prior: o.prior, priorFactor: o.priorFactor, responseScale: o.responseScale, responseNorm: o.responseNorm, outputs: [o], pool };
}

const poolViews = new WeakMap<TaskPool, Map<number, TaskPool>>();

/** Output t's vectors of a k-output pool, as a one-output pool (cached: the same entries, the same pick). */
function poolOutput(pool: TaskPool, k: number, d: number, t: number): TaskPool {
  let views = poolViews.get(pool);
  if (!views) poolViews.set(pool, (views = new Map()));
  let v = views.get(t);
  if (!v) {
    const vectors = new Float64Array(pool.size * d);
    for (let m = 0; m < pool.size; m++) vectors.set(pool.vectors.subarray((m * k + t) * d, (m * k + t + 1) * d), m * d);
    views.set(t, (v = { size: pool.size, vectors, moments: [pool.moments[t]] }));
  }
  return v;
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
export function spectrum(cov: Pick<CovarianceSpec, 'kind' | 'alpha' | 'kappa' | 'eigenvalues'>, d: number): Float64Array {
  const lam = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    if (cov.kind === 'custom') lam[i] = cov.eigenvalues.length === d ? cov.eigenvalues[i] : i + 1;
    else if (cov.kind === 'powerlaw') lam[i] = Math.pow(i + 1, -cov.alpha);
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
  if (cov.rotate && cov.kind !== 'isotropic' && cov.kind !== 'uniform') {
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

/**
 * Entry m of a pool holds the task vectors of prompt m of (pool seed, POOL):
 * w_{m,t} = F_t g from record t, as a prompt's own tasks are drawn.
 */
export function buildPool(outputs: OutputTask[], d: number, size: number, seed: number, symmetric = false): TaskPool {
  const k = outputs.length;
  const vectors = new Float64Array((symmetric ? 2 : 1) * size * k * d);
  const moments = outputs.map(() => new Float64Array(d * d));
  for (let m = 0; m < size; m++) {
    const key = promptKey(seed, STREAM.POOL, m);
    for (let t = 0; t < k; t++) {
      const g = recordNormals(key, t, d + k);
      const f = outputs[t].priorFactor;
      const o = (m * k + t) * d;
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += f[i * d + j] * g[j];
        vectors[o + i] = v;
      }
      const mom = moments[t];
      for (let i = 0; i < d; i++) {
        const wi = vectors[o + i];
        if (wi !== 0) for (let j = 0; j < d; j++) mom[i * d + j] += wi * vectors[o + j];
      }
    }
  }
  for (const mom of moments) for (let i = 0; i < d * d; i++) mom[i] /= size;
  // Entry M + m is entry m negated: the same second moment, no odd moments.
  if (symmetric) for (let i = 0; i < size * k * d; i++) vectors[size * k * d + i] = -vectors[i];
  return { size: symmetric ? 2 * size : size, vectors, moments };
}

export function buildTask(task: TaskSpec): TaskContext {
  const { d } = task;
  const sigma = covarianceMatrix(task.covariance, d);
  const isotropic = task.covariance.kind === 'isotropic' || task.covariance.kind === 'uniform';
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
  const pool = task.pool > 0 ? buildPool(outputs, d, task.pool, task.poolSeed, task.poolSymmetric) : null;
  return {
    d,
    n: task.n,
    sigma,
    covFactor,
    isotropic,
    covariates: task.covariance.kind === 'uniform' ? 'uniform' : 'gaussian',
    pool,
    drawFromPool: pool !== null,
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

/**
 * The context as the one-step theory sees it: the loss of ŷ = x_qᵀΓu depends
 * on the task prior only through Ω = E[wwᵀ], so prompts drawn from a pool see
 * the pool's own second moment (DESIGN.md §7). Ridge keeps ctx.prior: it is
 * the Bayes predictor for fresh tasks.
 */
export function momentView(ctx: TaskContext): TaskContext {
  if (!ctx.pool || !ctx.drawFromPool) return ctx;
  const pool = ctx.pool;
  const outputs = ctx.outputs.map((o, t) => ({ ...o, prior: pool.moments[t] }));
  return { ...ctx, prior: outputs[0].prior, outputs };
}

/** Whether the one-step closed forms hold: a linear response on Gaussian covariates. */
export function hasClosedForm(ctx: TaskContext): boolean {
  return ctx.response === 'identity' && ctx.covariates === 'gaussian';
}

/** Why a context has no closed form (null where it has one). */
export function noClosedFormReason(ctx: TaskContext): string | null {
  if (ctx.response !== 'identity') return `no closed form for the ${ctx.response} response`;
  if (ctx.covariates !== 'gaussian') return 'no Gaussian closed form for uniform covariates';
  return null;
}

/** Whether the spec evaluates a test distribution apart from the training one. */
export function testShiftActive(spec: ExperimentSpec): boolean {
  const t = spec.eval.test;
  return (
    (spec.task.pool > 0 && t.tasks === 'fresh') ||
    t.covariance.kind !== 'same' ||
    t.prior.kind !== 'same' ||
    t.prior.tau2 !== null ||
    t.noiseVar !== null ||
    t.scale !== 1 ||
    (t.n !== 0 && t.n !== spec.task.n)
  );
}

/** The training distribution's task spec with the test overrides applied. */
export function testTaskSpec(spec: ExperimentSpec): TaskSpec {
  const t = spec.eval.test;
  const task = spec.task;
  const cov = t.covariance.kind === 'same' ? task.covariance : { ...t.covariance, kind: t.covariance.kind, rotationSeed: task.covariance.rotationSeed };
  return {
    ...task,
    n: t.n === 0 ? task.n : t.n,
    covariance: cov,
    prior: { kind: t.prior.kind === 'same' ? task.prior.kind : t.prior.kind, tau2: t.prior.tau2 ?? task.prior.tau2 },
    noiseVar: t.noiseVar ?? task.noiseVar,
    pool: 0,
  };
}

/**
 * The test distribution apart from the training one (null where there is
 * none): the overrides applied, the training pool kept (drawn from for
 * tasks = 'pool', known to dMMSE either way), the inputs scaled by c
 * (Σ ← c²Σ) and the response the training one (the same function f).
 */
export function buildTestTask(spec: ExperimentSpec, train: TaskContext): TaskContext | null {
  if (!testShiftActive(spec)) return null;
  const base = buildTask(testTaskSpec(spec));
  const c = spec.eval.test.scale;
  const outputs = base.outputs.map((o, t) => ({ ...o, responseScale: train.outputs[t].responseScale, responseNorm: train.outputs[t].responseNorm }));
  const scaled = c === 1 ? base : { ...base, sigma: base.sigma.map((v) => v * c * c), covFactor: base.covFactor.map((v) => v * c), isotropic: false };
  return {
    ...scaled,
    outputs,
    responseScale: outputs[0].responseScale,
    responseNorm: outputs[0].responseNorm,
    pool: train.pool,
    drawFromPool: train.pool !== null && spec.eval.test.tasks === 'pool',
  };
}
