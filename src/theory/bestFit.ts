// The best one-step GD predictors for any task distribution, fitted by least
// squares on Monte Carlo prompts: where no closed form exists (nonlinear
// responses), this is the baseline theory says a trained LSA should match.
// ŷ = x_qᵀ Γ u is linear in Γ, so the best Γ solves ordinary least squares on
// the d² features x_q,j u_k; the best η on the single feature x_qᵀ u.
import { solveSpd } from '../linalg/dense.ts';
import { samplePrompt } from '../tasks/sampler.ts';
import type { TaskContext } from '../tasks/task.ts';

/** Stream word of the fitting prompts (disjoint from training, evaluation and theory checks). */
export const FIT_STREAM = 0xa0000000;
/** Γ is fitted in full only up to this many entries (d ≤ 12); beyond, only η. */
export const MAX_FIT_FEATURES = 144;

export interface OneStepFit {
  eta: number;
  /** Best Γ (d×d, row-major), or null where d² exceeds MAX_FIT_FEATURES. */
  gamma: Float64Array | null;
  prompts: number;
}

export function fitOneStep(ctx: TaskContext, prompts = 20_000, seed = 0x5eed): OneStepFit {
  const { d, n } = ctx;
  const F = d * d;
  const full = F <= MAX_FIT_FEATURES;
  const gram = full ? new Float64Array(F * F) : null;
  const rhs = full ? new Float64Array(F) : null;
  const phi = new Float64Array(F);
  const u = new Float64Array(d);
  let aa = 0;
  let ay = 0;
  for (let p = 0; p < prompts; p++) {
    const pr = samplePrompt(ctx, seed, FIT_STREAM, p);
    u.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) u[k] += (pr.ys[i] * pr.xs[i * d + k]) / n;
    let a = 0;
    for (let k = 0; k < d; k++) a += pr.xq[k] * u[k];
    aa += a * a;
    ay += a * pr.yq;
    if (gram && rhs) {
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) phi[j * d + k] = pr.xq[j] * u[k];
      for (let r = 0; r < F; r++) {
        rhs[r] += phi[r] * pr.yq;
        const pr_ = phi[r];
        for (let c = 0; c <= r; c++) gram[r * F + c] += pr_ * phi[c];
      }
    }
  }
  let gamma: Float64Array | null = null;
  if (gram && rhs) {
    for (let r = 0; r < F; r++) for (let c = 0; c < r; c++) gram[c * F + r] = gram[r * F + c];
    gamma = solveSpd(gram, rhs, F);
  }
  return { eta: ay / aa, gamma, prompts };
}
