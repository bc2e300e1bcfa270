// Principal component regression as a one-step preconditioner (Zhang, Singh,
// Latham & Saxe 2025; DESIGN.md §7): with V_k the top-k eigenvectors of Σ,
// PCR_k is the loss-optimal Γ = V_k M V_kᵀ in their span. In M the loss
//   L(Γ) = E[y_q²] − 2 tr(Γ ΣΩΣ) + tr(Γᵀ Σ Γ A)
// is quadratic, tr(V M Vᵀ B) = tr(M VᵀBV) and tr(V Mᵀ Vᵀ Σ V M Vᵀ A) =
// tr(Mᵀ Λ_k M A_k), so ∂L/∂M = −2 VᵀBV + 2 Λ_k M A_k = 0 gives
//   M = Λ_k⁻¹ (V_kᵀ ΣΩΣ V_k) A_k⁻¹,  Λ_k = V_kᵀΣV_k, A_k = V_kᵀ A V_k.
// Its losses for k = 0 … d are the plateaus of separate-K/Q linear attention's
// saddle-to-saddle dynamics (one component learned per drop); k = d is Γ*.
// The paper's repository holds only the training code, so these levels are
// checked here by Monte Carlo and against the trained staircase.
import { inverse, matmul, symmetricEigen, type Mat } from '../linalg/dense.ts';
import { momentView, type TaskContext } from '../tasks/task.ts';
import { expectedLoss, secondMomentU } from './closedForms.ts';

/** V_kᵀ M V_k (k×k) for the first k columns V of a d×d matrix of eigenvectors. */
function project(vectors: Mat, M: Mat, d: number, k: number): Mat {
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += vectors[i * d + a] * M[i * d + j] * vectors[j * d + b];
      out[a * k + b] = s;
    }
  return out;
}

/** PCR_k's preconditioner Γ_k (d×d): the best one-step Γ in the span of Σ's top k eigenvectors (prior's, or a pool's, Ω). */
export function pcrGamma(ctx: TaskContext, k: number): Float64Array<ArrayBuffer> {
  const view = momentView(ctx);
  const { d, sigma, prior } = view;
  if (!Number.isInteger(k) || k < 0 || k > d) throw new Error(`PCR takes k = 0 … ${d} components, not ${k}`);
  const gamma = new Float64Array(d * d);
  if (k === 0) return gamma;
  const { vectors } = symmetricEigen(sigma, d);
  const B = matmul(matmul(sigma, prior, d), sigma, d);
  const M = matmul(matmul(inverse(project(vectors, sigma, d, k), k), project(vectors, B, d, k), k), inverse(project(vectors, secondMomentU(view), d, k), k), k);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) s += vectors[i * d + a] * M[a * k + b] * vectors[j * d + b];
      gamma[i * d + j] = s;
    }
  return gamma;
}

export interface PcrLevels {
  /** k = 0 … d. */
  k: number[];
  /** Expected MSE of PCR_k (query noise as the task has it). */
  loss: number[];
  /** Σ's eigenvalues, descending: component k + 1 is the next one PCR takes in. */
  eigenvalues: number[];
}

/** PCR's loss for every k: the staircase's plateau levels. */
export function pcrLosses(ctx: TaskContext): PcrLevels {
  const view = momentView(ctx);
  const ks = Array.from({ length: view.d + 1 }, (_, k) => k);
  return {
    k: ks,
    loss: ks.map((k) => expectedLoss(view, pcrGamma(ctx, k))),
    eigenvalues: Array.from(symmetricEigen(view.sigma, view.d).values),
  };
}
