// A trained softmax-attention model's per-head (ω_h, μ_h) read against He et
// al.'s reduced predictor ŷ = Σ_h μ_h Σ_i y_i softmax_i(ω_h x_iᵀ x_q): its
// approximate loss L̃ at the learned point, its true (Monte Carlo) loss there,
// and the infimum of L̃ (src/theory/reducedOptimum.ts). L̃ is derived for
// x ~ N(0, I), w ~ N(0, I/d), a noisy query and one output, so the comparison
// is offered only there.
import type { ExperimentSpec } from '../spec/types.ts';
import type { TaskContext } from '../tasks/task.ts';
import { monteCarloLoss, type MonteCarloEstimate } from '../theory/monteCarlo.ts';
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

export function reducedComparison(spec: ExperimentSpec, task: TaskContext, omega: number[], mu: number[]): ReducedComparison {
  const t = spec.task;
  const why =
    t.tasks !== 1
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
  if (why) return { available: false, reason: why };
  const H = omega.length;
  const { d, n, noiseVar } = task;
  const optimum = H === 1 ? reducedSoftmaxOptimum({ d, L: n, noiseVar, heads: 1 }) : null;
  return {
    available: true,
    learnedApproxLoss: heApproximateLoss(omega, mu, d, n, noiseVar),
    learnedMonteCarlo: monteCarloLoss(task, (p) => reducedSoftmax(p, omega, mu), REDUCED_MC_PROMPTS, 0x7ed),
    infimum: reducedLossInfimum(d, n, noiseVar, H),
    attained: H === 1,
    optimum: optimum ? { omega: optimum.omega, mu: optimum.mu } : undefined,
    singleHeadInfimum: reducedLossInfimum(d, n, noiseVar, 1),
  };
}
