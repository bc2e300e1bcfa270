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
}

export interface ModelDef {
  paramCount: number;
  matrices: MatrixLayout[];
  /**
   * WGSL of the fused training kernel (writes one row of contribStride numbers
   * per prompt), of batch_sum() that turns those rows into the batch gradient,
   * and of the streaming predictor used for evaluation.
   */
  trainShader: string;
  reduceShader: string;
  contribStride: number;
  /** Float64 mirror of batch_sum(): gradient and loss summed over the batch's rows. */
  assembleGradient(rows: ArrayLike<number>, batch: number): { gradSum: Float64Array; lossSum: number };
  predictShader: string;
  init(spec: ExperimentSpec): Float32Array<ArrayBuffer>;
  /** ŷ for one prompt, float64. */
  predict(params: ArrayLike<number>, prompt: Prompt): number;
  /** ŷ and ∂(ŷ − y_q)²/∂θ for one prompt, float64. */
  lossGrad(params: ArrayLike<number>, prompt: Prompt): { yhat: number; loss: number; grad: Float64Array };
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
    return { name: m.name, rows: m.rows, cols: m.cols, data, noGradient, caption: m.caption };
  });
}
