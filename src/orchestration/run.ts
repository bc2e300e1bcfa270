// One experiment end to end, DOM-free: train on the GPU, evaluate on fresh
// prompts next to the theory's predictors, measure the length curve, read the
// learned matrices. The headless runner, the sweep engine (in Node and in the
// page) and the tests all run experiments through here, so a run inside a
// sweep is the same computation as the run alone.
import { reducedComparison, reducedComparisonSliced, type ReducedComparison } from '../analysis/reduced.ts';
import { readSoftmax, softmaxMatrices } from '../analysis/softmax.ts';
import {
  divergenceMessage,
  evaluateTrainer,
  lengthGeneralization,
  lsaSummary,
  RESULT_FORMAT,
  RESULT_FORMAT_VERSION,
  type ExperimentResult,
  type OmegaMuTrajectory,
} from '../analysis/evaluation.ts';
import { downsample } from '../engine/stats.ts';
import { Trainer, type Readback, type TrainerOptions } from '../engine/trainer.ts';
import { extractMatrices } from '../models/types.ts';
import { encodeSpec } from '../spec/codec.ts';
import type { ExperimentSpec } from '../spec/types.ts';

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
}

async function reducedFor(spec: ExperimentSpec, trainer: Trainer, omega: number[], mu: number[], options: RunOptions): Promise<ReducedComparison> {
  if (options.cpuSliceMs === undefined) return reducedComparison(spec, trainer.task, omega, mu);
  const r = await reducedComparisonSliced(spec, trainer.task, omega, mu, { sliceMs: options.cpuSliceMs, shouldStop: options.shouldStop });
  if (!r) throw new RunCancelled();
  const { busyMs: _b, slices: _s, ...numbers } = r;
  return numbers;
}

export async function runExperiment(device: GPUDevice, spec: ExperimentSpec, options: RunOptions): Promise<ExperimentResult> {
  const trainer = await Trainer.create(device, spec, options);
  try {
    const steps = Math.min(options.steps ?? spec.train.steps, spec.train.steps);
    const losses = new Float32Array(steps);
    const isSoftmax = spec.model.type === 'softmax';
    const H = spec.model.heads;
    const K = spec.task.tasks;
    const d = spec.task.d;
    const trajectory: OmegaMuTrajectory = { step: [], omega: Array.from({ length: H }, () => []), mu: Array.from({ length: H }, () => []) };
    const track = (step: number, params: ArrayLike<number>) => {
      if (!isSoftmax) return;
      const r = readSoftmax(params, d, H, K);
      trajectory.step.push(step);
      r.omega.forEach((w, h) => trajectory.omega[h].push(w));
      r.mu.forEach((m, h) => trajectory.mu[h].push(m));
    };
    track(0, trainer.initialParams);
    const t0 = performance.now();
    await trainer.run({
      steps,
      onReadback: (r) => {
        losses.set(r.losses, r.step - r.losses.length);
        track(r.step, r.params);
        options.onProgress?.(r);
      },
      shouldStop: options.shouldStop,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    if (trainer.divergence) throw new RunDiverged(`training diverged. ${divergenceMessage(spec, trainer.divergence)}`);
    if (trainer.stepsCompleted < steps) throw new RunCancelled();
    const params = await trainer.readParams();
    const evaluation = await evaluateTrainer(trainer);
    const curves = await lengthGeneralization(trainer, options.lengths && options.lengths.length > 0 ? { nCtx: options.lengths } : {});
    const named = extractMatrices(trainer.model, params);
    let softmax: ExperimentResult['softmax'];
    if (isSoftmax) {
      const reading = readSoftmax(params, d, H, K);
      softmax = { ...reading, trajectory, reduced: await reducedFor(spec, trainer, reading.omega, reading.mu, options) };
      named.push(...softmaxMatrices(reading, d));
    }
    const matrices = Object.fromEntries(named.map((m) => [m.name, m]));
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
      lsa: spec.model.type === 'lsa' ? lsaSummary(params, d, evaluation.theory, K, 0) : undefined,
      softmax,
      matrices,
      counters: { ...trainer.counters },
    };
  } finally {
    trainer.destroy();
  }
}
