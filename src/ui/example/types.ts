// The precomputed example shown when the browser has no WebGPU: one run of the
// default experiment, trained with the lab's engine and cut down to what the
// page draws (scripts/make-example.ts writes exampleResult.json in this shape).
import type { ExperimentSpec } from '../../spec/types.ts';

export const EXAMPLE_FORMAT = 'icl-lab-example';
export const EXAMPLE_FORMAT_VERSION = 1;

export interface ExampleEstimate {
  mean: number;
  stderr: number;
}

export interface ExampleMatrix {
  name: string;
  rows: number;
  cols: number;
  /** Names of the rows and columns, as the page's heatmaps label them. */
  rowLabels: string[];
  colLabels: string[];
  /** Row-major values. */
  data: number[];
  /** Row-major flags: true where the entry never gets gradient. */
  noGradient: boolean[];
  caption: string;
}

export interface ExampleResultData {
  format: typeof EXAMPLE_FORMAT;
  formatVersion: number;
  /** When the run was made (YYYY-MM-DD). */
  date: string;
  /** The WebGPU adapter that trained it. */
  adapter: string;
  spec: ExperimentSpec;
  /** The spec's share-link query (v=1&d=5&…). */
  query: string;
  steps: number;
  wallSeconds: number;
  stepsPerSecond: number;
  /** Batch loss, each point the mean over `bucket` consecutive steps ending at `step`. */
  lossHistory: { bucket: number; step: number[]; loss: number[] };
  /** Closed-form loss of the best one-step GD (incl. σ²), full precision. */
  lStar: number;
  theory: { etaStar: number; gdLoss: number; gammaStar: number[]; pgdLoss: number };
  /** The learned matrices (W_KQ, W_PV). */
  matrices: ExampleMatrix[];
  /** Test MSE on fresh prompts, the model first, then each predictor on the same prompts. */
  test: { prompts: number; nCtx: number; rows: (ExampleEstimate & { id: string; label: string })[] };
  identification: { best: string; label: string; matches: { predictor: string; label: string; r2: number }[] };
  /** The LSA reading next to the theory: η_eff / η*, ‖Γ_eff − Γ*‖ / ‖Γ*‖. */
  lsa?: { etaEff: number; etaRatio?: number; gammaRelError?: number };
  /** Test MSE against context length, where measured. */
  lengthCurve?: {
    prompts: number;
    nCtx: number[];
    model: ExampleEstimate[];
    oneStepGd: ExampleEstimate[];
    debiasedGd: ExampleEstimate[];
    ridge: ExampleEstimate[];
    ols: (ExampleEstimate | null)[];
  };
}
