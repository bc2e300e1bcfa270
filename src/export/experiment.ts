// The whole experiment as the page holds it, in one JSON file: what to cite,
// rerun or analyse offline. Pure (no DOM, no store): the page gathers the
// input (src/ui/ExportExperiment.tsx) and downloads the text.
//
// Fields (format 'icl-lab-experiment', formatVersion 1). Where a field has a
// counterpart in the headless runner's result (ExperimentResult,
// src/analysis/evaluation.ts, format 'icl-lab-result') it has its name and shape:
//   format, formatVersion  this format's tag and version;
//   resultFormat           the runner's format these fields follow ('icl-lab-result', its version);
//   exportedAt             ISO time of the export;
//   spec                   the ExperimentSpec (as ExperimentResult.spec);
//   share                  its query string, encodeSpec(spec) (as ExperimentResult.share);
//   shareUrl               the page's link to the experiment (the URL holds the whole spec);
//   adapter                the WebGPU adapter's description (as ExperimentResult.adapter);
//   status                 the run's status when exported ('ready', 'paused', 'done', …);
//   steps                  training steps done (as ExperimentResult.steps); totalSteps: spec.train.steps;
//   params                 { count, layout, data }: the raw flat parameter vector the matrices
//                          were read from (float32 values, exact as decimals), and where each of the
//                          model's matrices sits in it (name, offset, rows, cols; row-major);
//   optimizerState         { count, data }: the optimizer's state at `steps` (Adam: m then v; SGD:
//                          the momentum buffer, then unused), float32 values exact as decimals; with
//                          `steps` and `params` it continues the run bit for bit (Import experiment…,
//                          src/export/importExperiment.ts). null where the run cannot be resumed from
//                          the file (exported while running or after divergence);
//   matrices               named matrices (as ExperimentResult.matrices: name → {name, rows, cols, data,
//                          noGradient, caption}): the model's own (W_KQ, W_PV; softmax Q^h, K^h, …) and,
//                          for softmax attention, the per-head KQ^h and OV^h the page draws;
//   lossHistory            { step, loss }: the loss curve as plotted (bucket means; step = a bucket's last step);
//   theory                 closed forms of the first output; theoryByOutput: every output's;
//   lsa                    LSA only: per output, η_eff, η_eff/η*, Γ_eff and its relative error to Γ*;
//   test, identification   the first output's test MSE and identification, after training (as ExperimentResult);
//   outputs                every output's window, test MSE, theory and identification, after training;
//   lengthGeneralization   the first output's test MSE against context length (as ExperimentResult);
//   lengthCurves           every output's;
//   softmax                softmax only: the latest per-head reading, its ω/μ trajectory
//                          ({ step, omega[h][i], mu[h][i] }) and, after training, He et al.'s reduced
//                          predictor at the learned (ω, μ) (`reduced`);
//   shift                  where eval.test sets a test distribution apart from training (a pooled run's
//                          fresh tasks by default): its evaluation laid out as test/theory/identification/
//                          outputs, its description and its length curves (absent otherwise);
//   trainSet               a fixed training set: the model's MSE on it and the generalization gap (absent otherwise);
//   timeline               { step, params }: the parameter vector at the kept log-spaced steps up to `steps`
//                          (as ExperimentResult.timeline; step 0 is the initialization), read back on import.
// Fields with nothing to say yet (before training finishes) are null. Numbers JSON cannot hold
// (NaN, ±Infinity, -0) are written as the strings "NaN", "Infinity", "-Infinity", "-0".
import type { AlgorithmIdentification, LengthCurve, OutputEvaluation, ShiftEvaluation, TestResult, TheoryNumbers, TimelineJson, TrainSetResult } from '../analysis/evaluation.ts';
import { RESULT_FORMAT, RESULT_FORMAT_VERSION } from '../analysis/evaluation.ts';
import type { NamedMatrix } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { nonFiniteReplacer } from './matrix.ts';

export const EXPORT_FORMAT = 'icl-lab-experiment';
export const EXPORT_FORMAT_VERSION = 1;

export interface ExperimentExportInput {
  spec: ExperimentSpec;
  share: string;
  shareUrl: string;
  adapter: string;
  status: string;
  steps: number;
  params: ArrayLike<number>;
  /** The optimizer state at `steps` (2 × params.length numbers), or null where there is none to resume from. */
  optimizerState?: ArrayLike<number> | null;
  /** The model's matrices in the flat vector (name, offset, rows, cols). */
  layout: { name: string; offset: number; rows: number; cols: number }[];
  /** The model's own matrices, then any derived ones the page shows (names unique). */
  matrices: NamedMatrix[];
  lossHistory: { step: ArrayLike<number>; loss: ArrayLike<number> };
  theory: TheoryNumbers | null;
  theoryByOutput: TheoryNumbers[] | null;
  lsa: unknown[] | null;
  test: TestResult | null;
  identification: AlgorithmIdentification | null;
  outputs: OutputEvaluation[] | null;
  lengthCurves: LengthCurve[] | null;
  softmax: Record<string, unknown> | null;
  /** The test distribution apart from the training one, its length curves, and a fixed training set's own loss, where there are any. */
  shift?: ShiftEvaluation | null;
  shiftLengthCurves?: LengthCurve[] | null;
  trainSet?: TrainSetResult | null;
  /** The parameter snapshots kept through training (as the runner's --timeline). */
  timeline?: TimelineJson | null;
  exportedAt?: Date;
}

export interface ExperimentExport {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  resultFormat: { format: typeof RESULT_FORMAT; formatVersion: number };
  exportedAt: string;
  spec: ExperimentSpec;
  share: string;
  shareUrl: string;
  adapter: string;
  status: string;
  steps: number;
  totalSteps: number;
  params: { count: number; layout: ExperimentExportInput['layout']; data: number[] };
  optimizerState: { count: number; data: number[] } | null;
  matrices: Record<string, NamedMatrix>;
  lossHistory: { step: number[]; loss: number[] };
  theory: TheoryNumbers | null;
  theoryByOutput: TheoryNumbers[] | null;
  lsa: unknown[] | null;
  test: TestResult | null;
  identification: AlgorithmIdentification | null;
  outputs: OutputEvaluation[] | null;
  lengthGeneralization: LengthCurve | null;
  lengthCurves: LengthCurve[] | null;
  softmax: Record<string, unknown> | null;
  shift?: ShiftEvaluation & { lengthCurves: LengthCurve[] | null };
  trainSet?: TrainSetResult;
  timeline?: TimelineJson;
}

export function buildExperimentExport(input: ExperimentExportInput): ExperimentExport {
  const matrices: Record<string, NamedMatrix> = {};
  for (const m of input.matrices) matrices[m.name] ??= { ...m, data: Array.from(m.data), noGradient: Array.from(m.noGradient) };
  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    resultFormat: { format: RESULT_FORMAT, formatVersion: RESULT_FORMAT_VERSION },
    exportedAt: (input.exportedAt ?? new Date()).toISOString(),
    spec: structuredClone(input.spec),
    share: input.share,
    shareUrl: input.shareUrl,
    adapter: input.adapter,
    status: input.status,
    steps: input.steps,
    totalSteps: input.spec.train.steps,
    params: { count: input.params.length, layout: input.layout.map((l) => ({ ...l })), data: Array.from(input.params) },
    optimizerState: input.optimizerState ? { count: input.optimizerState.length, data: Array.from(input.optimizerState) } : null,
    matrices,
    lossHistory: { step: Array.from(input.lossHistory.step), loss: Array.from(input.lossHistory.loss) },
    theory: input.theory,
    theoryByOutput: input.theoryByOutput,
    lsa: input.lsa,
    test: input.test,
    identification: input.identification,
    outputs: input.outputs,
    lengthGeneralization: input.lengthCurves?.[0] ?? null,
    lengthCurves: input.lengthCurves,
    softmax: input.softmax,
    ...(input.shift ? { shift: { ...input.shift, lengthCurves: input.shiftLengthCurves ?? null } } : {}),
    ...(input.trainSet ? { trainSet: input.trainSet } : {}),
    ...(input.timeline ? { timeline: { step: [...input.timeline.step], params: input.timeline.params.map((p) => Array.from(p)) } } : {}),
  };
}

/** The export as text: JSON with typed arrays as plain arrays and NaN/±Infinity/-0 as strings. */
export function experimentJson(doc: ExperimentExport): string {
  return (
    JSON.stringify(
      doc,
      (key, value: unknown) => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : nonFiniteReplacer(key, value)),
      1,
    ) + '\n'
  );
}
