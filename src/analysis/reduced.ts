// A trained softmax-attention model's per-head (ω_h, μ_h) read against He et
// al.'s reduced predictor ŷ = Σ_h μ_h Σ_i y_i softmax_i(ω_h x_iᵀ x_q): its
// approximate loss L̃ at the learned point, its true (Monte Carlo) loss there,
// and the infimum of L̃ (src/theory/reducedOptimum.ts). L̃ is derived for
// x ~ N(0, I), w ~ N(0, I/d), a noisy query and one output, so the comparison
// is offered only there.
import type { ExperimentSpec } from '../spec/types.ts';
import type { TaskContext } from '../tasks/task.ts';
import { samplePrompt } from '../tasks/sampler.ts';
import { meanAndStderr, monteCarloLoss, THEORY_STREAM, type MonteCarloEstimate } from '../theory/monteCarlo.ts';
import { heApproximateLoss, reducedSoftmax } from '../theory/predictors.ts';
import { reducedLossInfimum, reducedSoftmaxOptimum } from '../theory/reducedOptimum.ts';

export interface ReducedComparison {
  available: boolean;
  /** Why not, where not available. */
  reason?: string;
  /** He et al.'s APPROXIMATE loss L̃ at the learned (ω_h, μ_h). */
  learnedApproxLoss?: number;
  /** The reduced predictor's true loss at the learned (ω_h, μ_h), Monte Carlo. */
  learnedMonteCarlo?: MonteCarloEstimate;
  /** inf L̃ over all (ω, μ) with this many heads (approximate, like L̃). */
  infimum?: number;
  /** Whether the infimum is attained: with one head at a unique point; with two or more only in the limit ω → 0, μ ~ 1/ω, Σμ = 0. */
  attained?: boolean;
  /** The minimizing point where attained (one head). */
  optimum?: { omega: number[]; mu: number[] };
  /** inf L̃ with a single head, for contrast. */
  singleHeadInfimum?: number;
}

/** Prompts of the Monte Carlo loss at the learned point. */
export const REDUCED_MC_PROMPTS = 4000;

/** Why L̃ does not apply to this spec, or null where it does. */
export function reducedUnavailableReason(spec: ExperimentSpec): string | null {
  const t = spec.task;
  return t.tasks !== 1
    ? 'L̃ is derived for a single output'
    : t.response !== 'identity'
      ? 'L̃ is derived for a linear response'
      : t.covariance.kind !== 'isotropic'
        ? 'L̃ is derived for x ~ N(0, I)'
        : t.prior.kind !== 'isotropic' || Math.abs(t.prior.tau2 * t.d - 1) > 1e-9
          ? `L̃ is derived for w ~ N(0, I/d) (τ² = ${(1 / t.d).toPrecision(3)} here)`
          : !t.queryNoise
            ? 'L̃ is derived for a noisy query target'
            : null;
}

/** Everything but the Monte Carlo loss (closed forms and, for one head, a small deterministic search). */
function closedFormParts(task: TaskContext, omega: number[], mu: number[]): Omit<ReducedComparison, 'learnedMonteCarlo'> {
  const H = omega.length;
  const { d, n, noiseVar } = task;
  const optimum = H === 1 ? reducedSoftmaxOptimum({ d, L: n, noiseVar, heads: 1 }) : null;
  return {
    available: true,
    learnedApproxLoss: heApproximateLoss(omega, mu, d, n, noiseVar),
    infimum: reducedLossInfimum(d, n, noiseVar, H),
    attained: H === 1,
    optimum: optimum ? { omega: optimum.omega, mu: optimum.mu } : undefined,
    singleHeadInfimum: reducedLossInfimum(d, n, noiseVar, 1),
  };
}

/** Seed of the Monte Carlo prompts (prompt i of (REDUCED_MC_SEED, THEORY_STREAM)). */
const REDUCED_MC_SEED = 0x7ed;

export function reducedComparison(spec: ExperimentSpec, task: TaskContext, omega: number[], mu: number[]): ReducedComparison {
  const why = reducedUnavailableReason(spec);
  if (why) return { available: false, reason: why };
  return {
    ...closedFormParts(task, omega, mu),
    learnedMonteCarlo: monteCarloLoss(task, (p) => reducedSoftmax(p, omega, mu), REDUCED_MC_PROMPTS, REDUCED_MC_SEED),
  };
}

export interface ChunkOptions {
  /** Main-thread time per slice before yielding (ms). */
  sliceMs?: number;
  /** Called between slices; resolve to continue (e.g. a zero-delay timeout, so input and paints get through). */
  yieldNow?: () => Promise<void>;
  /** Checked between slices: true abandons the computation (the result is then null). */
  shouldStop?: () => boolean;
}

/**
 * reducedComparison for the page: the same numbers (the same prompts, summed in
 * the same order, so bit-identical to the runner's), but the Monte Carlo loop
 * runs in slices of about `sliceMs` of main-thread time with a yield between
 * them, so the page stays responsive (4000 prompts take ~0.1-0.2 s at d = 5,
 * n = 40 in total). Also reports the main-thread time spent.
 */
export async function reducedComparisonSliced(
  spec: ExperimentSpec,
  task: TaskContext,
  omega: number[],
  mu: number[],
  options: ChunkOptions = {},
): Promise<(ReducedComparison & { busyMs: number; slices: number }) | null> {
  const why = reducedUnavailableReason(spec);
  if (why) return { available: false, reason: why, busyMs: 0, slices: 0 };
  const sliceMs = options.sliceMs ?? 8;
  const yieldNow = options.yieldNow ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  let busyMs = 0;
  let slices = 1;
  let t0 = performance.now();
  const parts = closedFormParts(task, omega, mu);
  const losses = new Float64Array(REDUCED_MC_PROMPTS);
  for (let i = 0; i < REDUCED_MC_PROMPTS; i++) {
    if (performance.now() - t0 > sliceMs) {
      busyMs += performance.now() - t0;
      await yieldNow();
      if (options.shouldStop?.()) return null;
      slices++;
      t0 = performance.now();
    }
    const p = samplePrompt(task, REDUCED_MC_SEED >>> 0, THEORY_STREAM, i >>> 0);
    losses[i] = (p.yq - reducedSoftmax(p, omega, mu)) ** 2;
  }
  const learnedMonteCarlo = meanAndStderr(losses);
  busyMs += performance.now() - t0;
  return { ...parts, learnedMonteCarlo, busyMs, slices };
}
