// One experiment end to end — train on the GPU, evaluate on fresh prompts next
// to the theory's predictors, read the learned matrices — producing the result
// document that the headless runner writes and the page shows.
import { readLsa, type LsaReading } from '../analysis/lsa.ts';
import { readSoftmax, softmaxMatrices, type SoftmaxReading } from '../analysis/softmax.ts';
import { identity } from '../linalg/dense.ts';
import { extractMatrices, type NamedMatrix } from '../models/types.ts';
import { encodeSpec } from '../spec/codec.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { TaskContext } from '../tasks/task.ts';
import { oneStepGdTheory, type OneStepTheory } from '../theory/closedForms.ts';
import { downsample, meanStderr, squaredErrors, type Estimate } from './stats.ts';
import { Trainer, type Readback, type TrainerCounters, type TrainerOptions } from './trainer.ts';

export const RESULT_FORMAT = 'icl-lab-result';
export const RESULT_FORMAT_VERSION = 1;

export interface TheoryNumbers {
  /** Closed forms exist only for the identity response. */
  available: boolean;
  reason?: string;
  etaStar?: number;
  /** Expected MSE of one-step GD with η* (includes σ² when the query is noisy). */
  gdLoss?: number;
  gammaStar?: number[];
  pgdLoss?: number;
}

export interface TestResult {
  prompts: number;
  nCtx: number;
  /** MSE of the trained model on fresh prompts. */
  model: Estimate;
  /** MSE of the Bayes-optimal ridge predictor (posterior mean for the identity response), same prompts. */
  ridge: Estimate;
  /** MSE of one-step GD with η*, on the same prompts. */
  oneStepGd?: Estimate;
  /** MSE of preconditioned one-step GD with Γ*, on the same prompts. */
  preconditionedGd?: Estimate;
  /** model MSE − one-step GD MSE, paired on the same prompts. */
  modelMinusGd?: Estimate;
}

export interface ExperimentResult {
  format: typeof RESULT_FORMAT;
  formatVersion: number;
  spec: ExperimentSpec;
  share: string;
  adapter: string;
  steps: number;
  wallSeconds: number;
  stepsPerSecond: number;
  lossHistory: { step: number[]; loss: number[] };
  test: TestResult;
  theory: TheoryNumbers;
  lsa?: LsaReading & { etaRatio?: number; gammaRelError?: number };
  softmax?: SoftmaxReading & { trajectory: OmegaMuTrajectory };
  matrices: Record<string, NamedMatrix>;
  counters: TrainerCounters;
}

/** ω_h and μ_h of each head after each readback. */
export interface OmegaMuTrajectory {
  step: number[];
  /** omega[h][t], mu[h][t]. */
  omega: number[][];
  mu: number[][];
}

export function theoryFor(task: TaskContext): TheoryNumbers & { raw?: OneStepTheory } {
  if (task.response !== 'identity') {
    return { available: false, reason: `no closed form for the ${task.response} response` };
  }
  const t = oneStepGdTheory(task);
  return { available: true, etaStar: t.eta, gdLoss: t.loss, gammaStar: Array.from(t.gamma), pgdLoss: t.gammaLoss, raw: t };
}

export async function evaluateTrainer(trainer: Trainer, prompts = trainer.spec.eval.prompts): Promise<{ test: TestResult; theory: TheoryNumbers }> {
  const { raw, ...theory } = theoryFor(trainer.task);
  const d = trainer.spec.task.d;
  const gammas = raw ? [identity(d, raw.eta), raw.gamma] : [];
  const ev = await trainer.evaluate({ prompts, gammas });
  const modelErr = squaredErrors(ev.model, ev.targets);
  const test: TestResult = {
    prompts: ev.count,
    nCtx: ev.nCtx,
    model: meanStderr(modelErr),
    ridge: meanStderr(squaredErrors(ev.ridge, ev.targets)),
  };
  if (raw) {
    const gdErr = squaredErrors(ev.predictors[0], ev.targets);
    test.oneStepGd = meanStderr(gdErr);
    test.preconditionedGd = meanStderr(squaredErrors(ev.predictors[1], ev.targets));
    test.modelMinusGd = meanStderr(modelErr.map((v, i) => v - gdErr[i]));
  }
  return { test, theory };
}

export function lsaSummary(params: ArrayLike<number>, d: number, theory: TheoryNumbers): ExperimentResult['lsa'] {
  const r = readLsa(params, d);
  const out: ExperimentResult['lsa'] = { ...r };
  if (theory.etaStar !== undefined) out.etaRatio = r.etaEff / theory.etaStar;
  if (theory.gammaStar) {
    let num = 0;
    let den = 0;
    theory.gammaStar.forEach((g, i) => {
      num += (r.gammaEff[i] - g) ** 2;
      den += g * g;
    });
    out.gammaRelError = Math.sqrt(num / den);
  }
  return out;
}

export async function runExperiment(
  device: GPUDevice,
  spec: ExperimentSpec,
  options: TrainerOptions & { adapter: string; steps?: number; onProgress?: (r: Readback) => void; maxHistory?: number } ,
): Promise<ExperimentResult> {
  const trainer = await Trainer.create(device, spec, options);
  try {
    const steps = Math.min(options.steps ?? spec.train.steps, spec.train.steps);
    const losses = new Float32Array(steps);
    const isSoftmax = spec.model.type === 'softmax';
    const H = spec.model.heads;
    const trajectory: OmegaMuTrajectory = { step: [], omega: Array.from({ length: H }, () => []), mu: Array.from({ length: H }, () => []) };
    const track = (step: number, params: ArrayLike<number>) => {
      if (!isSoftmax) return;
      const r = readSoftmax(params, spec.task.d, H);
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
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const params = await trainer.readParams();
    const { test, theory } = await evaluateTrainer(trainer);
    const named = extractMatrices(trainer.model, params);
    const softmax = isSoftmax ? { ...readSoftmax(params, spec.task.d, H), trajectory } : undefined;
    if (softmax) named.push(...softmaxMatrices(softmax, spec.task.d));
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
      test,
      theory,
      lsa: spec.model.type === 'lsa' ? lsaSummary(params, spec.task.d, theory) : undefined,
      softmax,
      matrices,
      counters: { ...trainer.counters },
    };
  } finally {
    trainer.destroy();
  }
}
