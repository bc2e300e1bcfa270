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
import { oneStepGdTheory, optimalEta, type OneStepTheory } from '../theory/closedForms.ts';
import { fitOneStep } from '../theory/bestFit.ts';
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
  /** Where η and Γ of the one-step predictors come from. */
  oneStepSource: OneStepCandidates['source'];
  oneStepEta: number;
  /** MSE of one-step GD with η (η* or its fit), on the same prompts. */
  oneStepGd: Estimate;
  /** MSE of preconditioned one-step GD with Γ (Γ* or its fit), on the same prompts. */
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
  identification: AlgorithmIdentification;
  lengthGeneralization: LengthCurve;
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

/** The one-step predictors a model is compared with: closed forms for the identity response, least-squares fits otherwise. */
export interface OneStepCandidates {
  source: 'closed form' | 'least-squares fit';
  eta: number;
  /** Γ (d×d row-major); null where it was not fitted (large d). */
  gamma: Float64Array | null;
}

export function oneStepCandidates(task: TaskContext): OneStepCandidates {
  if (task.response === 'identity') {
    const t = oneStepGdTheory(task);
    return { source: 'closed form', eta: t.eta, gamma: t.gamma };
  }
  const fit = fitOneStep(task);
  return { source: 'least-squares fit', eta: fit.eta, gamma: fit.gamma };
}

export interface AlgorithmMatch {
  predictor: 'oneStepGd' | 'preconditionedGd' | 'ridge';
  label: string;
  /** R² of the model's predictions explained by the predictor's: 1 − Σ(ŷ − ŷ_p)² / Σ(ŷ − mean ŷ)². */
  r2: number;
  /** ‖ŷ − ŷ_p‖ / ‖ŷ‖ over the shared prompts. */
  relativeDifference: number;
}

export interface AlgorithmIdentification {
  matches: AlgorithmMatch[];
  /** The predictor that best explains the model (the simpler one on a tie within 1e-4 in R²). */
  best: AlgorithmMatch['predictor'];
  label: string;
}

function matchPredictions(model: ArrayLike<number>, pred: ArrayLike<number>): { r2: number; relativeDifference: number } {
  let mean = 0;
  for (let i = 0; i < model.length; i++) mean += model[i];
  mean /= model.length;
  let res = 0;
  let tot = 0;
  let norm = 0;
  for (let i = 0; i < model.length; i++) {
    res += (model[i] - pred[i]) ** 2;
    tot += (model[i] - mean) ** 2;
    norm += model[i] ** 2;
  }
  return { r2: 1 - res / tot, relativeDifference: Math.sqrt(res / norm) };
}

/** True when Γ is a multiple of I to rounding (then preconditioned GD is plain GD). */
function isScaledIdentity(g: ArrayLike<number>, d: number): boolean {
  const c = Array.from({ length: d }, (_, i) => g[i * d + i]).reduce((a, b) => a + b, 0) / d;
  let off = 0;
  let tot = 0;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      off += (g[i * d + j] - (i === j ? c : 0)) ** 2;
      tot += g[i * d + j] ** 2;
    }
  return off <= 1e-18 * tot;
}

export function identifyAlgorithm(matches: AlgorithmMatch[]): AlgorithmIdentification {
  // Listed simplest first, so a tie goes to the simpler algorithm.
  let best = matches[0];
  for (const m of matches) if (m.r2 > best.r2 + 1e-4) best = m;
  return { matches, best: best.predictor, label: best.label };
}

export async function evaluateTrainer(
  trainer: Trainer,
  prompts = trainer.spec.eval.prompts,
): Promise<{ test: TestResult; theory: TheoryNumbers; identification: AlgorithmIdentification }> {
  const { raw: _raw, ...theory } = theoryFor(trainer.task);
  const d = trainer.spec.task.d;
  const cand = oneStepCandidates(trainer.task);
  const gammas = [identity(d, cand.eta), ...(cand.gamma ? [cand.gamma] : [])];
  const ev = await trainer.evaluate({ prompts, gammas });
  const modelErr = squaredErrors(ev.model, ev.targets);
  const gdErr = squaredErrors(ev.predictors[0], ev.targets);
  const test: TestResult = {
    prompts: ev.count,
    nCtx: ev.nCtx,
    model: meanStderr(modelErr),
    ridge: meanStderr(squaredErrors(ev.ridge, ev.targets)),
    oneStepSource: cand.source,
    oneStepEta: cand.eta,
    oneStepGd: meanStderr(gdErr),
    modelMinusGd: meanStderr(modelErr.map((v, i) => v - gdErr[i])),
  };
  if (cand.gamma) test.preconditionedGd = meanStderr(squaredErrors(ev.predictors[1], ev.targets));
  const ridgeLabel = trainer.task.response === 'identity' ? 'Bayes-optimal ridge' : 'ridge (λ = σ²/τ²)';
  const matches: AlgorithmMatch[] = [{ predictor: 'oneStepGd', label: 'one-step GD', ...matchPredictions(ev.model, ev.predictors[0]) }];
  if (cand.gamma && !isScaledIdentity(cand.gamma, d))
    matches.push({ predictor: 'preconditionedGd', label: 'preconditioned GD', ...matchPredictions(ev.model, ev.predictors[1]) });
  matches.push({ predictor: 'ridge', label: ridgeLabel, ...matchPredictions(ev.model, ev.ridge) });
  return { test, theory, identification: identifyAlgorithm(matches) };
}

export interface LengthCurve {
  /** Context lengths n_test. */
  nCtx: number[];
  model: Estimate[];
  /** One-step GD with the best η for each n_test (closed form; absent for nonlinear responses). */
  oneStepGd?: Estimate[];
  ridge: Estimate[];
  prompts: number;
  seconds: number;
}

/** Default n_test grid: 1 … 4n, about 12 points, log-spaced, always including n. */
export function lengthGrid(n: number): number[] {
  const out = new Set<number>([1, n, 2 * n, 3 * n, 4 * n]);
  for (let k = 0; k <= 10; k++) out.add(Math.max(1, Math.round(Math.pow(4 * n, k / 10))));
  return [...out].sort((a, b) => a - b);
}

/**
 * Test MSE against context length, model and predictors on the same prompts
 * (the same tasks, queries and leading context pairs at every n_test), on the GPU.
 */
export async function lengthGeneralization(trainer: Trainer, options: { nCtx?: number[]; prompts?: number } = {}): Promise<LengthCurve> {
  const grid = options.nCtx ?? lengthGrid(trainer.spec.task.n);
  const prompts = options.prompts ?? 8192;
  const d = trainer.spec.task.d;
  const t0 = performance.now();
  const curve: LengthCurve = { nCtx: grid, model: [], ridge: [], prompts, seconds: 0 };
  const linear = trainer.task.response === 'identity';
  if (linear) curve.oneStepGd = [];
  for (const n of grid) {
    const gammas = linear ? [identity(d, optimalEta({ ...trainer.task, n }))] : [];
    const ev = await trainer.evaluate({ prompts, nCtx: n, gammas });
    curve.model.push(meanStderr(squaredErrors(ev.model, ev.targets)));
    curve.ridge.push(meanStderr(squaredErrors(ev.ridge, ev.targets)));
    if (linear) curve.oneStepGd!.push(meanStderr(squaredErrors(ev.predictors[0], ev.targets)));
  }
  curve.seconds = (performance.now() - t0) / 1000;
  return curve;
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
    const { test, theory, identification } = await evaluateTrainer(trainer);
    const lengthCurve = await lengthGeneralization(trainer);
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
      identification,
      lengthGeneralization: lengthCurve,
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
