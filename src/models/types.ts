// What the engine needs to know about a model: its parameter layout, which
// entries can receive gradient, its WGSL, its initialization, and a float64
// CPU reference of its prediction and gradient.
import type { ExperimentSpec } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';

export interface MatrixLayout {
  name: string;
  rows: number;
  cols: number;
  /** Offset in the flat parameter vector (row-major). */
  offset: number;
  /** Entries that cannot affect the prediction and so never get gradient. */
  noGradient: (row: number, col: number) => boolean;
  /** One line on how to read the matrix (orientation, what the blocks mean). */
  caption: string;
  /** The caption with its math as TeX between \( and \), for the page to typeset; `caption` stays the plain text (files, screen readers). */
  captionTex?: string;
}

export interface ModelDef {
  paramCount: number;
  matrices: MatrixLayout[];
  /**
   * WGSL of the fused training kernel (one row of contribStride numbers per
   * prompt) and of the streaming predictor used for evaluation.
   */
  trainShader: string;
  predictShader: string;
  contribStride: number;
  /** Prompts one workgroup of the training kernel handles (default 64, one a thread). */
  promptsPerWorkgroup?: number;
  /**
   * A kernel of its own for the evaluation's model column (after
   * eval_common.wgsl), run beside eval.wgsl's baselines where the model's
   * prompts are split across threads too; promptsPerWorkgroup prompts a
   * workgroup. Without it, a split evaluation runs predictShader one prompt a thread.
   */
  evalModelShader?: string;
  /**
   * Kernels run between the training kernel and the optimizer, in order, each
   * with `threads` threads: they turn the per-prompt rows into the batch
   * gradient, writing work[0, NP) and the loss sum at work[NP]; scratch for
   * intermediate sums starts at work[NP + 1] (scratchSize floats).
   */
  stages: { label: string; shader: string; threads: number }[];
  /** Kernels run before the training kernel each step (per-step constants into work[]). */
  preStages: { label: string; shader: string; threads: number }[];
  scratchSize: number;
  /** WGSL defining grad_sum(i) for the optimizer kernel: the batch-summed gradient entry i (i = NP: loss sum). */
  gradSumShader: string;
  /** Prelude constants of the model's shaders beyond the task's (layers, heads' shapes). */
  constants?: Record<string, number | boolean>;
  init(spec: ExperimentSpec): Float32Array<ArrayBuffer>;
  /** ŷ (one per output) for one prompt, float64. */
  predict(params: ArrayLike<number>, prompt: Prompt): number[];
  /** ŷ, the loss ℓ = (1/k) Σ_t (ŷ_t − y_q,t)² and ∂ℓ/∂θ for one prompt, float64. */
  lossGrad(params: ArrayLike<number>, prompt: Prompt): { yhat: number[]; loss: number; grad: Float64Array };
}

export interface NamedMatrix {
  name: string;
  rows: number;
  cols: number;
  /** Row-major values. */
  data: number[];
  /** Row-major flags: true where the entry never gets gradient. */
  noGradient: boolean[];
  caption: string;
  /** See MatrixLayout.captionTex. */
  captionTex?: string;
}

export function extractMatrices(model: ModelDef, params: ArrayLike<number>): NamedMatrix[] {
  return model.matrices.map((m) => {
    const data: number[] = [];
    const noGradient: boolean[] = [];
    for (let r = 0; r < m.rows; r++)
      for (let c = 0; c < m.cols; c++) {
        data.push(params[m.offset + r * m.cols + c]);
        noGradient.push(m.noGradient(r, c));
      }
    return { name: m.name, rows: m.rows, cols: m.cols, data, noGradient, caption: m.caption, ...(m.captionTex ? { captionTex: m.captionTex } : {}) };
  });
}
