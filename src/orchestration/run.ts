// One experiment end to end, DOM-free: train on the GPU, evaluate on fresh
// prompts next to the theory's predictors, measure the length curve, read the
// learned matrices. The headless runner, the sweep engine (in Node and in the
// page) and the tests all run experiments through here, so a run inside a
// sweep is the same computation as the run alone; the page's own run finishes
// through finishRun, the same end-of-run measurements.
import { reducedComparison, reducedComparisonSliced, type ReducedComparison } from '../analysis/reduced.ts';
import { readSoftmax, softmaxMatrices } from '../analysis/softmax.ts';
import { oneStepSummary } from '../analysis/linearAttention.ts';
import {
  divergenceMessage,
  evaluateTrainer,
  lengthGeneralization,
  RESULT_FORMAT,
  RESULT_FORMAT_VERSION,
  type ExperimentResult,
  type LengthCurve,
  type OmegaMuTrajectory,
} from '../analysis/evaluation.ts';
import { downsample } from '../engine/stats.ts';
import { convergence, convergenceTarget, meanModelTest } from '../analysis/convergence.ts';
import { Trainer, type Readback, type TrainerCounters, type TrainerOptions } from '../engine/trainer.ts';
import { extractMatrices } from '../models/types.ts';
import { buildTestTask } from '../tasks/task.ts';
import { encodeSpec } from '../spec/codec.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { Timeline, timelinePoints } from './timeline.ts';

/** Thrown by runExperiment when its shouldStop() turned true mid-run. */
export class RunCancelled extends Error {
  override name = 'RunCancelled';
  constructor() {
    super('the run was cancelled');
  }
}

/** A run whose loss went NaN or infinite; the message says where and what to try. */
export class RunDiverged extends Error {
  override name = 'RunDiverged';
}

export interface RunOptions extends TrainerOptions {
  adapter: string;
  /** Train only the first `steps` steps of the spec. */
  steps?: number;
  onProgress?: (r: Readback) => void;
  /** Points kept of the loss history (block means). */
  maxHistory?: number;
  /** Context lengths of the length curve (default: 1 … 4n). */
  lengths?: number[];
  /** Polled between submissions; when it turns true the run ends with RunCancelled. */
  shouldStop?: () => boolean;
  /**
   * In the page: the CPU-side Monte Carlo after training (He et al.'s reduced
   * predictor) runs in slices of this many milliseconds with a yield between
   * them, so no main-thread task runs long. The numbers are the same.
   */
  cpuSliceMs?: number;
  /** Keep parameter snapshots at ~200 log-spaced steps in the result's `timeline` (off by default: ~200 × the parameter count in the file). */
  timeline?: boolean;
}

/** The end-of-run measurements, stage by stage. */
export interface RunFinish {
  evaluation: Evaluation;
  /** Softmax attention: He et al.'s reduced predictor at the learned (ω_h, μ_h), with the main-thread time it took; null for LSA or where the stage failed and was reported. */
  reduced: (ReducedComparison & { busyMs: number; slices: number; wallMs: number }) | null;
  /** One per output; null where the stage failed and was reported. */
  lengthCurves: LengthCurve[] | null;
  /** The length curves on the test distribution apart from the training one (null where there is none, or the stage failed). */
  shiftLengthCurves: LengthCurve[] | null;
}

export type Evaluation = Awaited<ReturnType<typeof evaluateTrainer>>;

export interface FinishOptions {
  /** Test prompts of the evaluation (default: the trainer's spec). */
  evalPrompts?: number;
  lengths?: number[];
  cpuSliceMs?: number;
  shouldStop?: () => boolean;
  /** Each stage's result as soon as it is known: the page shows them in turn. */
  onEvaluation?: (e: Evaluation) => void;
  onReduced?: (r: NonNullable<RunFinish['reduced']>) => void;
  /**
   * How the reduced-predictor and length-curve stages fail: the runner lets
   * the run fail; the page keeps the finished run and reports the stage.
   */
  onStageError?: (stage: 'reduced' | 'length', e: unknown) => void;
}

/**
 * What every finished run measures, the page's and the runner's alike: the
 * evaluation on fresh prompts (test MSEs, identification), then for softmax
 * attention He et al.'s reduced predictor at the learned (ω_h, μ_h) (its Monte
 * Carlo on the CPU, in slices where cpuSliceMs is set), then the length curve
 * on the GPU. Null when shouldStop() turned true between stages.
 */
export async function finishRun(trainer: Trainer, options: FinishOptions = {}): Promise<RunFinish | null> {
  const stopped = () => options.shouldStop?.() ?? false;
  const spec = trainer.spec;
  const evaluation = await evaluateTrainer(trainer, options.evalPrompts);
  if (stopped()) return null;
  options.onEvaluation?.(evaluation);
  const stage = async <T>(which: 'reduced' | 'length', run: () => Promise<T>): Promise<T | null> => {
    if (!options.onStageError) return run();
    try {
      return await run();
    } catch (e) {
      if (!stopped()) options.onStageError(which, e);
      return null;
    }
  };
  let reduced: RunFinish['reduced'] = null;
  if (spec.model.type === 'softmax') {
    reduced = await stage('reduced', async () => {
      const params = await trainer.readParams();
      const reading = readSoftmax(params, spec.task.d, spec.model.heads, spec.task.tasks);
      const start = performance.now();
      if (options.cpuSliceMs === undefined) {
        const r = reducedComparison(spec, trainer.task, reading.omega, reading.mu);
        const ms = performance.now() - start;
        return { ...r, busyMs: ms, slices: 1, wallMs: ms };
      }
      const r = await reducedComparisonSliced(spec, trainer.task, reading.omega, reading.mu, { sliceMs: options.cpuSliceMs, shouldStop: options.shouldStop });
      return r ? { ...r, wallMs: performance.now() - start } : null;
    });
    if (stopped()) return null;
    if (reduced) options.onReduced?.(reduced);
  }
  const nCtx = options.lengths && options.lengths.length > 0 ? { nCtx: options.lengths } : {};
  const lengthCurves = await stage('length', () => lengthGeneralization(trainer, nCtx));
  if (stopped()) return null;
  let shiftLengthCurves: LengthCurve[] | null = null;
  const test = evaluation.shift ? buildTestTask(spec, trainer.task) : null;
  if (test) {
    shiftLengthCurves = await stage('length', () => lengthGeneralization(trainer, { ...nCtx, task: test }));
    if (stopped()) return null;
  }
  return { evaluation, reduced, lengthCurves, shiftLengthCurves };
}

/** ω_h and μ_h of softmax attention at each readback (empty for linear attention). */
export function omegaMuTracker(spec: ExperimentSpec): { trajectory: OmegaMuTrajectory; track: (step: number, params: ArrayLike<number>) => void } {
  const H = spec.model.heads;
  const trajectory: OmegaMuTrajectory = { step: [], omega: Array.from({ length: H }, () => []), mu: Array.from({ length: H }, () => []) };
  const track = (step: number, params: ArrayLike<number>) => {
    if (spec.model.type !== 'softmax') return;
    const r = readSoftmax(params, spec.task.d, H, spec.task.tasks);
    trajectory.step.push(step);
    r.omega.forEach((w, h) => trajectory.omega[h].push(w));
    r.mu.forEach((m, h) => trajectory.mu[h].push(m));
  };
  return { trajectory, track };
}

/** What training leaves for the result: every step's batch loss, the ω/μ trajectory, the timeline, the time it took. */
export interface Training {
  steps: number;
  losses: Float32Array;
  trajectory: OmegaMuTrajectory;
  timeline: Timeline | null;
  wallSeconds: number;
  /** What the engine did to train it (default: the trainer's counters); for runs trained in a batch, the batch's. */
  counters?: TrainerCounters;
}

export async function runExperiment(device: GPUDevice, spec: ExperimentSpec, options: RunOptions): Promise<ExperimentResult> {
  const trainer = await Trainer.create(device, spec, options);
  try {
    const steps = Math.min(options.steps ?? spec.train.steps, spec.train.steps);
    const losses = new Float32Array(steps);
    const { trajectory, track } = omegaMuTracker(spec);
    track(0, trainer.initialParams);
    const timeline = options.timeline ? new Timeline(spec.train.steps, timelinePoints(trainer.model.paramCount)) : null;
    timeline?.offer(0, trainer.initialParams);
    const t0 = performance.now();
    await trainer.run({
      steps,
      onReadback: (r) => {
        losses.set(r.losses, r.step - r.losses.length);
        track(r.step, r.params);
        timeline?.offer(r.step, r.params);
        options.onProgress?.(r);
      },
      shouldStop: options.shouldStop,
      boundary: timeline ? (s) => timeline.nextBoundary(s) : undefined,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    if (trainer.divergence) throw new RunDiverged(`training diverged. ${divergenceMessage(spec, trainer.divergence)}`);
    if (trainer.stepsCompleted < steps) throw new RunCancelled();
    return await experimentResult(trainer, { steps, losses, trajectory, timeline, wallSeconds }, options);
  } finally {
    trainer.destroy();
  }
}

/**
 * The result of a run whose training is done: `trainer` holds its final
 * parameters (trained there, or restored from a batch that trained it), and
 * `training` what its readbacks gave. The evaluation, the reduced predictor,
 * the length curves and the readings, as for every run.
 */
export async function experimentResult(trainer: Trainer, training: Training, options: Pick<RunOptions, 'adapter' | 'lengths' | 'cpuSliceMs' | 'shouldStop' | 'maxHistory'>): Promise<ExperimentResult> {
  const spec = trainer.spec;
  const { steps, losses, trajectory, timeline, wallSeconds } = training;
  const isSoftmax = spec.model.type === 'softmax';
  const H = spec.model.heads;
  const K = spec.task.tasks;
  const d = spec.task.d;
  const params = await trainer.readParams();
  const finish = await finishRun(trainer, { lengths: options.lengths, cpuSliceMs: options.cpuSliceMs, shouldStop: options.shouldStop });
  if (!finish) throw new RunCancelled();
  const { evaluation } = finish;
  const curves = finish.lengthCurves!;
  let shift: ExperimentResult['shift'];
  if (evaluation.shift) {
    const sc = finish.shiftLengthCurves!;
    const { outputs: souts, ...first } = evaluation.shift;
    shift = { ...first, lengthGeneralization: sc[0], outputs: souts.map((o, t) => ({ ...o, lengthGeneralization: sc[t] })) };
  }
  const named = extractMatrices(trainer.model, params);
  let softmax: ExperimentResult['softmax'];
  if (isSoftmax) {
    const reading = readSoftmax(params, d, H, K);
    const { busyMs: _b, slices: _s, wallMs: _w, ...reduced } = finish.reduced!;
    softmax = { ...reading, trajectory, reduced };
    named.push(...softmaxMatrices(reading, d));
  }
  const matrices = Object.fromEntries(named.map((m) => [m.name, m]));
  // Against the test distribution's numbers only where training and test share it.
  const goal = evaluation.shift ? null : convergenceTarget(spec.model.type, evaluation.outputs);
  const conv = goal ? convergence(losses, spec.train.batch, goal.target, goal.label, meanModelTest(evaluation.outputs)) : undefined;
  return {
    format: RESULT_FORMAT,
    formatVersion: RESULT_FORMAT_VERSION,
    spec,
    share: encodeSpec(spec),
    adapter: options.adapter,
    steps,
    wallSeconds,
    stepsPerSecond: steps / wallSeconds,
    lossHistory: downsample(losses, options.maxHistory ?? 10_000),
    test: evaluation.test,
    identification: evaluation.identification,
    lengthGeneralization: curves[0],
    theory: evaluation.theory,
    outputs: evaluation.outputs.map((o, t) => ({ ...o, lengthGeneralization: curves[t] })),
    lsa: oneStepSummary(spec, params, evaluation.theory, 0) ?? undefined,
    softmax,
    ...(shift ? { shift } : {}),
    ...(evaluation.trainSet ? { trainSet: evaluation.trainSet } : {}),
    ...(conv ? { convergence: conv } : {}),
    ...(timeline ? { timeline: timeline.toJson() } : {}),
    matrices,
    counters: { ...(training.counters ?? trainer.counters) },
  };
}
