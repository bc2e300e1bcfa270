// Multi-step in-context algorithms that L layers of linear attention are
// compared with (DESIGN.md §7; von Oswald et al. 2023, Ahn et al. 2023):
//   - L steps of preconditioned GD from w = 0 on L̂(w) = (1/2n)‖y − Xw‖²,
//     w_{ℓ+1} = w_ℓ + Γ_ℓ (u − S w_ℓ), S = XᵀX/n, u = Xᵀy/n, ŷ = x_qᵀ w_L,
//     with every Γ_ℓ fitted in full, or in Ahn et al.'s form Γ_ℓ = a_ℓ Σ⁻¹
//     (their critical points for rotated Gaussian data; a_ℓ fitted), which for
//     Σ = I is L steps of GD with a step size per step;
//   - GD++: before each GD step every input, the query's too, moves by
//     x ← (I − γ_ℓ S) x, with (γ_ℓ, η_ℓ) fitted.
// All three depend on a prompt only through (S, u, x_q), and "fitted" means
// least squares against the query targets of Monte Carlo prompts from the
// training distribution (Levenberg–Marquardt): the best the family can do,
// which is what theory says a trained model should find.
import { inverse, solveSpd, symmetricEigen } from '../linalg/dense.ts';
import { samplePrompt, type Prompt } from '../tasks/sampler.ts';
import { momentView, type TaskContext } from '../tasks/task.ts';
import { FIT_STREAM } from './bestFit.ts';

/** The statistics of a prompt that every multi-step predictor here reads. */
export interface PromptStats {
  d: number;
  /** S = XᵀX/n (d×d). */
  S: Float64Array;
  /** u = Xᵀy/n. */
  u: Float64Array;
  xq: Float64Array;
  yq: number;
  /** S's eigenvalues s_a, and u and x_q in its eigenvectors' basis (GD and GD++ are diagonal there). */
  s: Float64Array;
  uEig: Float64Array;
  qEig: Float64Array;
}

export function promptStats(p: Prompt): PromptStats {
  const d = p.xq.length;
  const n = p.ys.length;
  const S = new Float64Array(d * d);
  const u = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const xa = p.xs[o + a] / n;
      u[a] += xa * p.ys[i];
      for (let b = 0; b < d; b++) S[a * d + b] += xa * p.xs[o + b];
    }
  }
  const { values, vectors } = symmetricEigen(S, d);
  const uEig = new Float64Array(d);
  const qEig = new Float64Array(d);
  for (let a = 0; a < d; a++)
    for (let i = 0; i < d; i++) {
      uEig[a] += vectors[i * d + a] * u[i];
      qEig[a] += vectors[i * d + a] * p.xq[i];
    }
  return { d, S, u, xq: Float64Array.from(p.xq), yq: p.yq, s: values, uEig, qEig };
}

/** ŷ of L steps of preconditioned GD; gammas holds Γ_0 … Γ_{L−1} (each d×d row-major). */
export function preconditionedSteps(st: PromptStats, gammas: ArrayLike<number>, L: number): number {
  const { d, S, u, xq } = st;
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  for (let l = 0; l < L; l++) {
    for (let a = 0; a < d; a++) {
      let s = u[a];
      for (let b = 0; b < d; b++) s -= S[a * d + b] * w[b];
      g[a] = s;
    }
    const o = l * d * d;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += gammas[o + a * d + b] * g[b];
      w[a] += s;
    }
  }
  let y = 0;
  for (let a = 0; a < d; a++) y += xq[a] * w[a];
  return y;
}

/**
 * ŷ and ∂ŷ/∂Γ_ℓ of preconditioned GD: ∂ŷ/∂(Γ_ℓ)_{jk} = a_{ℓ+1,j} g_{ℓ,k} with
 * g_ℓ = u − S w_ℓ and a_L = x_q, a_ℓ = (I − Γ_ℓ S)ᵀ a_{ℓ+1}.
 */
export function preconditionedStepsJacobian(st: PromptStats, gammas: ArrayLike<number>, L: number, jac: Float64Array): number {
  const { d, S, u, xq } = st;
  const w = new Float64Array(d);
  const gs = new Float64Array(L * d);
  for (let l = 0; l < L; l++) {
    for (let a = 0; a < d; a++) {
      let s = u[a];
      for (let b = 0; b < d; b++) s -= S[a * d + b] * w[b];
      gs[l * d + a] = s;
    }
    const o = l * d * d;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += gammas[o + a * d + b] * gs[l * d + b];
      w[a] += s;
    }
  }
  let y = 0;
  for (let a = 0; a < d; a++) y += xq[a] * w[a];
  let adj = Float64Array.from(xq);
  const t = new Float64Array(d);
  for (let l = L - 1; l >= 0; l--) {
    const o = l * d * d;
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) jac[o + j * d + k] = adj[j] * gs[l * d + k];
    // a ← a − S Γ_ℓᵀ a
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += gammas[o + j * d + k] * adj[j];
      t[k] = s;
    }
    const next = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = adj[a];
      for (let b = 0; b < d; b++) s -= S[a * d + b] * t[b];
      next[a] = s;
    }
    adj = next;
  }
  return y;
}

/**
 * ŷ of GD++ with L = γ.length layers. In the residual form a layer holds the
 * context's label residuals through v = Xᵀr/n and the query's slot r_q
 * (starting at r = y, r_q = 0); a layer, reading the state before it:
 *   r_q ← r_q − η x_qᵀ v,   r ← (I − η XXᵀ/n) r,   x ← (I − γS) x for every x,
 * so with M = I − γS: v ← M(v − ηSv), S ← M S Mᵀ, x_q ← M x_q, and ŷ = −r_q.
 * M is a polynomial in S, so all of it is diagonal in S's eigenbasis:
 * s ← s(1 − γs)², v ← (1 − γs)(1 − ηs)v, q ← (1 − γs)q, O(L·d) a prompt.
 * With γ = 0 it is L steps of GD with step sizes η_ℓ. The last layer's γ
 * moves only tokens nothing reads any more.
 */
export function gdPlusPlus(st: PromptStats, gamma: ArrayLike<number>, eta: ArrayLike<number>): number {
  const d = st.d;
  let rq = 0;
  const s = SCRATCH_S.length >= d ? SCRATCH_S : (SCRATCH_S = new Float64Array(d));
  const v = SCRATCH_V.length >= d ? SCRATCH_V : (SCRATCH_V = new Float64Array(d));
  const q = SCRATCH_Q.length >= d ? SCRATCH_Q : (SCRATCH_Q = new Float64Array(d));
  for (let a = 0; a < d; a++) {
    s[a] = st.s[a];
    v[a] = st.uEig[a];
    q[a] = st.qEig[a];
  }
  for (let l = 0; l < gamma.length; l++) {
    const g = gamma[l];
    const e = eta[l];
    let xv = 0;
    for (let a = 0; a < d; a++) {
      xv += q[a] * v[a];
      const m = 1 - g * s[a];
      v[a] *= m * (1 - e * s[a]);
      q[a] *= m;
      s[a] *= m * m;
    }
    rq -= e * xv;
  }
  return -rq;
}

/** ŷ of L steps of GD with step sizes η_ℓ, in S's eigenbasis (O(L·d)). */
export function gdSteps(st: PromptStats, eta: ArrayLike<number>): number {
  const d = st.d;
  let y = 0;
  for (let a = 0; a < d; a++) {
    // w_a ← w_a + η(v_a − s_a w_a) from w = 0: w_a = v_a/s_a·(1 − Π(1 − η_ℓ s_a)), written without the division.
    let w = 0;
    for (let l = 0; l < eta.length; l++) w += eta[l] * (st.uEig[a] - st.s[a] * w);
    y += st.qEig[a] * w;
  }
  return y;
}

let SCRATCH_S = new Float64Array(16);
let SCRATCH_V = new Float64Array(16);
let SCRATCH_Q = new Float64Array(16);

/** ŷ of L steps of GD preconditioned by a_ℓ·P for one fixed P (d×d). */
function scaledSteps(st: PromptStats, P: Float64Array, a: ArrayLike<number>): number {
  const { d, S, u, xq } = st;
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  for (let l = 0; l < a.length; l++) {
    for (let i = 0; i < d; i++) {
      let t = u[i];
      for (let j = 0; j < d; j++) t -= S[i * d + j] * w[j];
      g[i] = t;
    }
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += P[i * d + j] * g[j];
      w[i] += a[l] * t;
    }
  }
  let y = 0;
  for (let i = 0; i < d; i++) y += xq[i] * w[i];
  return y;
}

export interface LeastSquaresFit {
  theta: Float64Array;
  /** Mean squared residual on the fitting prompts at theta. */
  loss: number;
  iterations: number;
}

/**
 * Levenberg–Marquardt on Σ_i (f_i(θ) − y_i)² over prompts, with the Jacobian
 * from `model` (ŷ, filling ∂ŷ/∂θ). Stops when a step improves the loss by
 * less than 1e-10 relatively, or after maxIterations.
 */
export function levenbergMarquardt(
  stats: PromptStats[],
  model: (st: PromptStats, theta: Float64Array, jac: Float64Array | null) => number,
  theta0: Float64Array,
  maxIterations = 40,
): LeastSquaresFit {
  const P = theta0.length;
  let theta = Float64Array.from(theta0);
  const jac = new Float64Array(P);
  const evalAll = (th: Float64Array, withJac: boolean) => {
    let loss = 0;
    const JtJ = withJac ? new Float64Array(P * P) : null;
    const Jtr = withJac ? new Float64Array(P) : null;
    for (const st of stats) {
      const r = model(st, th, withJac ? jac : null) - st.yq;
      loss += r * r;
      if (JtJ && Jtr)
        for (let a = 0; a < P; a++) {
          const ja = jac[a];
          if (ja === 0) continue;
          Jtr[a] += ja * r;
          for (let b = 0; b <= a; b++) JtJ[a * P + b] += ja * jac[b];
        }
    }
    return { loss: loss / stats.length, JtJ, Jtr };
  };
  let cur = evalAll(theta, true);
  let lambda = 1e-3;
  let it = 0;
  for (; it < maxIterations; it++) {
    const { JtJ, Jtr } = cur;
    for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) JtJ![b * P + a] = JtJ![a * P + b];
    let improved = false;
    for (let tries = 0; tries < 12 && !improved; tries++) {
      const A = Float64Array.from(JtJ!);
      let meanDiag = 0;
      for (let a = 0; a < P; a++) meanDiag += A[a * P + a] / P;
      for (let a = 0; a < P; a++) A[a * P + a] += lambda * A[a * P + a] + 1e-12 * meanDiag + 1e-300;
      const step = solveSpd(A, Jtr!.map((x) => -x), P);
      const next = theta.map((x, a) => x + step[a]);
      const trial = evalAll(next, false);
      if (Number.isFinite(trial.loss) && trial.loss < cur.loss) {
        const gain = (cur.loss - trial.loss) / cur.loss;
        theta = next;
        cur = evalAll(theta, true);
        lambda = Math.max(lambda / 3, 1e-9);
        improved = true;
        if (gain < 1e-10) return { theta, loss: cur.loss, iterations: it + 1 };
      } else lambda *= 4;
    }
    if (!improved) break;
  }
  return { theta, loss: cur.loss, iterations: it };
}

/** Central-difference Jacobian for the families with a handful of parameters. */
function numericModel(f: (st: PromptStats, theta: Float64Array) => number) {
  return (st: PromptStats, theta: Float64Array, jac: Float64Array | null): number => {
    if (!jac) return f(st, theta);
    const t = Float64Array.from(theta);
    for (let a = 0; a < theta.length; a++) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[a]));
      t[a] = theta[a] + h;
      const up = f(st, t);
      t[a] = theta[a] - h;
      const down = f(st, t);
      t[a] = theta[a];
      jac[a] = (up - down) / (2 * h);
    }
    return f(st, theta);
  };
}

/** Seed of the multi-step fitting prompts (stream FIT_STREAM; bestFit.ts uses another seed). */
export const MULTI_STEP_FIT_SEED = 0x5eed2;
/** Prompts the multi-step predictors are fitted on. */
export const MULTI_STEP_FIT_PROMPTS = 4000;
/** The full per-step Γ_ℓ are fitted only up to this many entries in all (L·d²). */
export const MAX_PGD_FIT_PARAMS = 128;

export function fitStats(ctx: TaskContext, prompts = MULTI_STEP_FIT_PROMPTS, seed = MULTI_STEP_FIT_SEED): PromptStats[] {
  return Array.from({ length: prompts }, (_, i) => promptStats(samplePrompt(ctx, seed, FIT_STREAM, i)));
}

/** The step size of plain one-step-at-a-time GD to start the fits from: 1/λ̂ with λ̂ ≈ the top eigenvalue of S. */
function startEta(stats: PromptStats[]): number {
  let tr = 0;
  for (const st of stats) for (let a = 0; a < st.d; a++) tr += st.S[a * st.d + a];
  const d = stats[0].d;
  // tr(S)/d underestimates λ_max; half of 1/(tr S / d) is a safe, convergent start.
  return 0.5 / (tr / stats.length / d);
}

export interface StepsFit {
  L: number;
  loss: number;
  prompts: number;
  iterations: number;
}

/** L steps of GD with a step size per step (precond null), or preconditioned by a_ℓ·P (Σ⁻¹ in Ahn et al.'s form). */
export function fitScaledSteps(stats: PromptStats[], L: number, precond: Float64Array | null): StepsFit & { scales: number[]; gammas: Float64Array } {
  const d = stats[0].d;
  const P = precond ?? identityMat(d);
  const gammasOf = (theta: ArrayLike<number>) => {
    const g = new Float64Array(L * d * d);
    for (let l = 0; l < L; l++) for (let i = 0; i < d * d; i++) g[l * d * d + i] = theta[l] * P[i];
    return g;
  };
  const eta0 = startEta(stats) / (precond ? scaleOf(P, d) : 1);
  const f = precond ? (st: PromptStats, th: Float64Array) => scaledSteps(st, P, th) : (st: PromptStats, th: Float64Array) => gdSteps(st, th);
  const fit = levenbergMarquardt(stats, numericModel(f), new Float64Array(L).fill(eta0));
  return { L, loss: fit.loss, prompts: stats.length, iterations: fit.iterations, scales: Array.from(fit.theta), gammas: gammasOf(fit.theta) };
}

/** L steps of preconditioned GD with every Γ_ℓ fitted in full, started from the fitted per-step GD. */
export function fitPreconditionedSteps(stats: PromptStats[], L: number, start?: Float64Array): StepsFit & { gammas: Float64Array } {
  const d = stats[0].d;
  const theta0 = start ?? fitScaledSteps(stats, L, null).gammas;
  const fit = levenbergMarquardt(stats, (st, th, jac) => (jac ? preconditionedStepsJacobian(st, th, L, jac) : preconditionedSteps(st, th, L)), theta0);
  return { L, loss: fit.loss, prompts: stats.length, iterations: fit.iterations, gammas: fit.theta.slice(0, L * d * d) };
}

/**
 * GD++ with (γ_ℓ, η_ℓ) fitted (γ_{L−1} moves nothing read later and stays 0).
 * The loss has several basins, so the fit starts from plain GD (γ = 0) and
 * from input moves of a half and a whole 1/λ̂, and keeps the best.
 */
export function fitGdPlusPlus(stats: PromptStats[], L: number, startEtas?: number[]): StepsFit & { gamma: number[]; eta: number[] } {
  const etas = startEtas ?? fitScaledSteps(stats, L, null).scales;
  const c = startEta(stats);
  const P = 2 * L - 1;
  const split = (th: ArrayLike<number>) => ({ gamma: [...Array.from(th).slice(0, L - 1), 0], eta: Array.from(th).slice(L - 1) });
  const gammaOf = (th: Float64Array) => {
    const g = new Float64Array(L);
    g.set(th.subarray(0, L - 1));
    return g;
  };
  const model = numericModel((st, th) => gdPlusPlus(st, gammaOf(th), th.subarray(L - 1)));
  let best: LeastSquaresFit | null = null;
  for (const g0 of [0, c, 2 * c]) {
    const theta0 = new Float64Array(P);
    theta0.fill(g0, 0, L - 1);
    theta0.set(g0 === 0 ? etas : new Array(L).fill(c), L - 1);
    const fit = levenbergMarquardt(stats, model, theta0);
    if (!best || fit.loss < best.loss) best = fit;
  }
  const { gamma, eta } = split(best!.theta);
  return { L, loss: best!.loss, prompts: stats.length, iterations: best!.iterations, gamma, eta };
}

/** Σ⁻¹ of the task's covariance (Ahn et al.'s preconditioner direction). */
export function sigmaInverse(ctx: TaskContext): Float64Array {
  const view = momentView(ctx);
  return inverse(view.sigma, view.d);
}

function identityMat(d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

function scaleOf(P: Float64Array, d: number): number {
  let tr = 0;
  for (let i = 0; i < d; i++) tr += P[i * d + i];
  return tr / d;
}
