// The end-of-run evaluation — a trained model on fresh prompts next to the
// theory's predictors, the algorithm identification, the length curve — and
// the result document that the headless runner writes and the page shows
// (orchestration/run.ts trains and assembles it).
import { readLsa, type LsaReading } from './lsa.ts';
import type { SoftmaxReading } from './softmax.ts';
import type { ReducedComparison } from './reduced.ts';
import { identity, isScaledIdentity, symmetricEigen } from '../linalg/dense.ts';
import type { NamedMatrix } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { buildTestTask, hasClosedForm, momentView, noClosedFormReason, taskView, type TaskContext } from '../tasks/task.ts';
import { expectedLoss, expectedLossEta, oneStepGdTheory, optimalEta, type OneStepTheory } from '../theory/closedForms.ts';
import { STREAM } from '../rng/rng.ts';
import type { TestShiftSpec } from '../spec/types.ts';
import { fitOneStep } from '../theory/bestFit.ts';
import { candidatePredictions, CPU_MATCH_PROMPTS, cpuCandidates, evaluationPrompts, type CpuCandidate } from './cpuCandidates.ts';
import { meanStderr, squaredErrors, type Estimate } from '../engine/stats.ts';
import type { Convergence } from './convergence.ts';
import { BLOWUP_FACTOR, Trainer, type Divergence, type EvalSamples, type GdRun, type TrainerCounters } from '../engine/trainer.ts';

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
  /**
   * 'pool': the prompts draw from a task pool, so η*, Γ* and their losses are
   * for the pool's own second moment Ω = (1/M) Σ_m w_m w_mᵀ. 'trained
   * distribution': a shifted evaluation, so η*, Γ* are the training
   * distribution's optimum and gdLoss, pgdLoss their expected losses on the
   * test distribution (what a model that learned them scores there), beside
   * the test distribution's own optimum testPgdLoss.
   */
  source?: 'prior' | 'pool' | 'trained distribution';
  testPgdLoss?: number;
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
  /** He et al.'s debiased GD ŷ = c Σ_i y_i (x_i − x̄)ᵀx_q with its best c (least squares on these prompts). */
  debiasedGd?: Estimate & { scale: number };
  /** k-step GD from w = 0, each k with its best η from a grid (on these prompts). */
  kStepGd?: (Estimate & { steps: number; eta: number })[];
  /** Least squares on all of x (where n ≥ d). */
  ols?: Estimate;
  /** dMMSE, the Bayes posterior mean over the task pool (pooled runs, identity response). */
  dmmse?: Estimate;
  /**
   * The candidates computed on the CPU (multi-step GD families, PCR, He et
   * al.'s reduced predictor), on the first `prompts` of the test prompts, with
   * what was fitted or read for them.
   */
  cpuCandidates?: (Estimate & { predictor: PredictorId; label: string; prompts: number; fitted: Record<string, number | number[]>; fitLoss?: number })[];
}

/** One output (task) of a multi-task prompt: its window of x and everything measured for it. */
export interface OutputEvaluation {
  /** Coordinates [start, end) of x that the task reads. */
  window: [number, number];
  test: TestResult;
  theory: TheoryNumbers;
  identification: AlgorithmIdentification;
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
  /** test, identification, lengthGeneralization and theory are the first output's; `outputs` has every output's. */
  test: TestResult;
  identification: AlgorithmIdentification;
  lengthGeneralization: LengthCurve;
  theory: TheoryNumbers;
  outputs: (OutputEvaluation & { lengthGeneralization: LengthCurve })[];
  lsa?: LsaReading & { etaRatio?: number; gammaRelError?: number };
  softmax?: SoftmaxReading & { trajectory: OmegaMuTrajectory; reduced: ReducedComparison };
  /** The evaluation on the test distribution apart from the training one (eval.test), where there is one. */
  shift?: Omit<ShiftEvaluation, 'outputs'> & { lengthGeneralization: LengthCurve; outputs: (OutputEvaluation & { lengthGeneralization: LengthCurve })[] };
  /** A fixed training set's own loss and the generalization gap. */
  trainSet?: TrainSetResult;
  /** How fast the batch loss came within 1% of the theory's best (L* for LSA, debiased GD for softmax), where there is one. */
  convergence?: Convergence;
  /** With the runner's --timeline: the flat parameter vector at ~200 log-spaced steps (step 0 is the initialization). */
  timeline?: TimelineJson;
  matrices: Record<string, NamedMatrix>;
  counters: TrainerCounters;
}

/** Parameter snapshots through training: `params[i]` (float32 values as numbers) after `step[i]` steps. */
export interface TimelineJson {
  step: number[];
  params: number[][];
}

/** ω_h and μ_h of each head after each readback. */
export interface OmegaMuTrajectory {
  step: number[];
  /** omega[h][t], mu[h][t]. */
  omega: number[][];
  mu: number[][];
}

/**
 * The one-step closed forms of a context (one output): for the prior's Ω, or
 * for the pool's own second moment where the prompts draw from a pool.
 */
export function theoryFor(task: TaskContext): TheoryNumbers & { raw?: OneStepTheory } {
  const reason = noClosedFormReason(task);
  if (reason) return { available: false, reason };
  const t = oneStepGdTheory(momentView(task));
  const source = task.pool && task.drawFromPool ? 'pool' : 'prior';
  return { available: true, etaStar: t.eta, gdLoss: t.loss, gammaStar: Array.from(t.gamma), pgdLoss: t.gammaLoss, source, raw: t };
}

/**
 * The theory of a shifted evaluation (one output): the training optimum η*,
 * Γ* and their expected losses on the test distribution, beside the test
 * distribution's own optimal one-step loss. Closed forms need both.
 */
export function shiftedTheoryFor(train: TaskContext, test: TaskContext): TheoryNumbers {
  const reason = noClosedFormReason(train) ?? noClosedFormReason(test);
  if (reason) return { available: false, reason };
  const t = oneStepGdTheory(momentView(train));
  const view = momentView(test);
  return {
    available: true,
    etaStar: t.eta,
    gdLoss: expectedLossEta(view, t.eta),
    gammaStar: Array.from(t.gamma),
    pgdLoss: expectedLoss(view, t.gamma),
    source: 'trained distribution',
    testPgdLoss: oneStepGdTheory(view).gammaLoss,
  };
}

/** The one-step predictors a model is compared with: closed forms for the identity response, least-squares fits otherwise. */
export interface OneStepCandidates {
  source: 'closed form' | 'least-squares fit';
  eta: number;
  /** Γ (d×d row-major); null where it was not fitted (large d). */
  gamma: Float64Array | null;
}

/**
 * The best one-step GD for the distribution the model trained on: closed
 * forms for a linear response on Gaussian covariates (for a pool, with the
 * pool's Ω), a least-squares fit on Monte Carlo prompts otherwise (nonlinear
 * responses, uniform covariates).
 */
export function oneStepCandidates(task: TaskContext): OneStepCandidates {
  if (hasClosedForm(task)) {
    const t = oneStepGdTheory(momentView(task));
    return { source: 'closed form', eta: t.eta, gamma: t.gamma };
  }
  const fit = fitOneStep(task);
  return { source: 'least-squares fit', eta: fit.eta, gamma: fit.gamma };
}

export type PredictorId =
  | 'oneStepGd'
  | 'preconditionedGd'
  | 'debiasedGd'
  | 'gd2'
  | 'gd3'
  | 'ridge'
  | 'ols'
  | 'dmmse'
  /** PCR with k principal components: `pcr1` … `pcr{d−1}`. */
  | `pcr${number}`
  | 'stepsGd'
  | 'stepsPgd'
  | 'stepsAhn'
  | 'gdpp'
  | 'reducedSoftmax';

/**
 * The R² a candidate must reach to be named as the algorithm the model runs;
 * below it the identification says that no candidate explains the model and
 * shows how close the best one comes.
 */
export const IDENTIFY_R2 = 0.95;

export interface AlgorithmMatch {
  predictor: PredictorId;
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
  /** The best candidate's name where it explains the model, else "no candidate (best: …, R² …)". */
  label: string;
  /** Whether the best candidate's R² reaches `threshold` (absent in results written before the threshold: read it with isExplained). */
  explained?: boolean;
  threshold?: number;
}

/** An identification as the views read it (the example result keeps less of each match). */
export interface IdentificationLike {
  matches: { predictor: string; label: string; r2: number }[];
  best: string;
  label: string;
  explained?: boolean;
  threshold?: number;
}

/** Whether an identification names its best candidate (results from before the threshold are judged by it now). */
export function isExplained(id: IdentificationLike): boolean {
  if (id.explained !== undefined) return id.explained;
  const best = id.matches.find((m) => m.predictor === id.best);
  return best !== undefined && best.r2 >= IDENTIFY_R2;
}

/** What a sweep counts a run as: its candidate's name, or "unexplained". */
export function identifiedAs(id: IdentificationLike): string {
  return isExplained(id) ? (id.matches.find((m) => m.predictor === id.best)?.label ?? id.label) : 'unexplained';
}

function fmtR2Short(r2: number): string {
  return Number.isFinite(r2) ? r2.toFixed(r2 > 0.9995 ? 4 : 3) : '—';
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

export function identifyAlgorithm(matches: AlgorithmMatch[], threshold = IDENTIFY_R2): AlgorithmIdentification {
  // Listed simplest first, so a tie goes to the simpler algorithm.
  let best = matches[0];
  for (const m of matches) if (m.r2 > best.r2 + 1e-4 || !Number.isFinite(best.r2)) best = m;
  const explained = best.r2 >= threshold;
  const label = explained ? best.label : `no candidate (best: ${best.label}, R² ${fmtR2Short(best.r2)})`;
  return { matches, best: best.predictor, label, explained, threshold };
}

/** The c minimizing Σ (y − c·p)²: the best scale of a predictor known up to one. */
export function bestScale(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let py = 0;
  let pp = 0;
  for (let i = 0; i < target.length; i++) {
    py += pred[i] * target[i];
    pp += pred[i] * pred[i];
  }
  return pp > 0 ? py / pp : 0;
}

function scaled(pred: ArrayLike<number>, c: number): Float64Array {
  const out = new Float64Array(pred.length);
  for (let i = 0; i < out.length; i++) out[i] = c * pred[i];
  return out;
}

/** k of the k-step GD predictors compared with (k = 1 is one-step GD). */
export const GD_STEPS = [2, 3] as const;
/** Step sizes tried for k-step GD, as fractions of 1/λ̂ with λ̂ ≈ the largest eigenvalue of XᵀX/n. */
export const GD_ETA_FRACTIONS = [0.2, 0.35, 0.5, 0.65, 0.8, 1.0] as const;

/** k-step GD runs (every k × every η of the grid) for a task at context length n. */
export function gdRunsFor(task: TaskContext, n: number): GdRun[] {
  const lamMax = symmetricEigen(task.sigma, task.d).values[0];
  const lamHat = lamMax * (1 + Math.sqrt(task.d / n)) ** 2;
  return GD_STEPS.flatMap((steps) => GD_ETA_FRACTIONS.map((f) => ({ steps, eta: f / lamHat })));
}

/** The eval kernel's inputs for one output: one-step Γs (η·I, then Γ) and the k-step GD runs. */
function evalInputs(task: TaskContext, n: number) {
  const d = task.d;
  const cands = task.outputs.map((_, t) => oneStepCandidates(taskView(task, t)));
  const gammas = cands.map((c) => [identity(d, c.eta), ...(cands.every((x) => x.gamma) ? [c.gamma!] : [])]);
  return { cands, gammas, gdRuns: task.outputs.map(() => gdRunsFor(task, n)) };
}

/** The CPU candidates of one output with their predictions on the first evaluation prompts. */
export interface CpuMatches {
  candidates: CpuCandidate[];
  predictions: Float64Array[];
  /** The regenerated prompts' targets (checked against the GPU's). */
  targets: Float64Array;
}

/**
 * Largest difference allowed between the GPU's float32 targets and their
 * float64 regeneration, relative to the targets' scale: the kernels' float32
 * transcendentals in the normals leave ~1e-3 on the largest targets, while a
 * wrong stream or seed differs by the targets' own size.
 */
const TARGET_MATCH_TOLERANCE = 1e-2;

function cpuMatchesFor(spec: ExperimentSpec, task: TaskContext, evalTask: TaskContext, params: ArrayLike<number>, t: number, stepWord: number, count: number, nCtx: number): CpuMatches | null {
  const candidates = cpuCandidates(spec, task, params, t);
  if (candidates.length === 0) return null;
  const prompts = evaluationPrompts(evalTask, spec.train.dataSeed, stepWord, Math.min(count, CPU_MATCH_PROMPTS), nCtx, t);
  return { candidates, predictions: candidatePredictions(candidates, prompts), targets: Float64Array.from(prompts, (p) => p.yq) };
}

function addCpuMatches(out: EvalSamples['outputs'][number], cpu: CpuMatches, test: TestResult, matches: AlgorithmMatch[]): void {
  const m = cpu.targets.length;
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    scale = Math.max(scale, Math.abs(cpu.targets[i]));
    worst = Math.max(worst, Math.abs(cpu.targets[i] - out.targets[i]));
  }
  if (worst > TARGET_MATCH_TOLERANCE * Math.max(1, scale))
    throw new Error(`The regenerated evaluation prompts differ from the GPU's (target difference ${worst.toPrecision(3)}): the float64 sampler and the kernels disagree`);
  const model = out.model.subarray(0, m);
  const targets = out.targets.subarray(0, m);
  test.cpuCandidates = cpu.candidates.map((c, i) => ({
    predictor: c.predictor,
    label: c.label,
    prompts: m,
    fitted: c.fitted,
    ...(c.fitLoss !== undefined ? { fitLoss: c.fitLoss } : {}),
    ...meanStderr(squaredErrors(cpu.predictions[i], targets)),
  }));
  cpu.candidates.forEach((c, i) => matches.push({ predictor: c.predictor, label: c.label, ...matchPredictions(model, cpu.predictions[i]) }));
}

function evaluateOutput(task: TaskContext, t: number, ev: EvalSamples, cand: OneStepCandidates, runs: GdRun[], shifted?: TaskContext, cpu?: CpuMatches | null): OutputEvaluation {
  const view = taskView(task, t);
  const d = task.d;
  const out = ev.outputs[t];
  const { raw: _raw, ...theory } = shifted ? { ...shiftedTheoryFor(view, taskView(shifted, t)), raw: undefined } : theoryFor(view);
  const modelErr = squaredErrors(out.model, out.targets);
  const gdErr = squaredErrors(out.predictors[0], out.targets);
  const test: TestResult = {
    prompts: ev.count,
    nCtx: ev.nCtx,
    model: meanStderr(modelErr),
    ridge: meanStderr(squaredErrors(out.ridge, out.targets)),
    oneStepSource: cand.source,
    oneStepEta: cand.eta,
    oneStepGd: meanStderr(gdErr),
    modelMinusGd: meanStderr(modelErr.map((v, i) => v - gdErr[i])),
  };
  const hasGamma = out.predictors.length > 1;
  if (hasGamma) test.preconditionedGd = meanStderr(squaredErrors(out.predictors[1], out.targets));
  const debScale = bestScale(out.debiased, out.targets);
  const debiased = scaled(out.debiased, debScale);
  test.debiasedGd = { ...meanStderr(squaredErrors(debiased, out.targets)), scale: debScale };
  // For each k, the η of the grid with the lowest test MSE.
  const bestGd = GD_STEPS.map((steps) => {
    let best: { steps: number; eta: number; err: Float64Array; pred: Float32Array } | null = null;
    runs.forEach((r, i) => {
      if (r.steps !== steps) return;
      const err = squaredErrors(out.gd[i], out.targets);
      if (!best || meanOf(err) < meanOf(best.err)) best = { steps, eta: r.eta, err, pred: out.gd[i] };
    });
    return best!;
  });
  test.kStepGd = bestGd.map((b) => ({ ...meanStderr(b.err), steps: b.steps, eta: b.eta }));
  if (out.ols) test.ols = meanStderr(squaredErrors(out.ols, out.targets));
  if (out.dmmse) test.dmmse = meanStderr(squaredErrors(out.dmmse, out.targets));

  const linear = task.response === 'identity';
  const ridgeLabel = linear ? 'Bayes-optimal ridge' : 'ridge (λ = σ²/τ²)';
  const matches: AlgorithmMatch[] = [{ predictor: 'oneStepGd', label: 'one-step GD', ...matchPredictions(out.model, out.predictors[0]) }];
  if (hasGamma && cand.gamma && !isScaledIdentity(cand.gamma, d))
    matches.push({ predictor: 'preconditionedGd', label: 'preconditioned GD', ...matchPredictions(out.model, out.predictors[1]) });
  matches.push({ predictor: 'debiasedGd', label: 'debiased GD', ...matchPredictions(out.model, debiased) });
  bestGd.forEach((b) => matches.push({ predictor: `gd${b.steps}` as PredictorId, label: `${b.steps}-step GD`, ...matchPredictions(out.model, b.pred) }));
  matches.push({ predictor: 'ridge', label: ridgeLabel, ...matchPredictions(out.model, out.ridge) });
  if (out.ols) matches.push({ predictor: 'ols', label: 'least squares', ...matchPredictions(out.model, out.ols) });
  if (out.dmmse) matches.push({ predictor: 'dmmse', label: 'dMMSE (pool posterior)', ...matchPredictions(out.model, out.dmmse) });
  if (cpu) addCpuMatches(out, cpu, test, matches);
  const window: [number, number] = [task.outputs[t].start, task.outputs[t].end];
  return { window, test, theory, identification: identifyAlgorithm(matches) };
}

function meanOf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** The evaluation on a test distribution apart from the training one, laid out as the in-distribution one. */
export interface ShiftEvaluation extends OutputEvaluation {
  /** The overrides (the spec's eval.test) and what they change, in words. */
  overrides: TestShiftSpec;
  description: string;
  outputs: OutputEvaluation[];
}

/** A fixed training set's own loss beside the fresh-prompt test loss: the generalization gap. */
export interface TrainSetResult {
  /** Prompts of the set evaluated (all of them up to MAX_TRAINSET_EVAL). */
  prompts: number;
  size: number;
  /** MSE of the model on the training set's prompts, per output. */
  model: Estimate[];
  /** Test MSE on fresh prompts minus training-set MSE (different prompts: the standard errors add). */
  gap: Estimate[];
}

/** The most training-set prompts the end-of-run evaluation reads. */
export const MAX_TRAINSET_EVAL = 1 << 20;

/** What a test distribution changes, in words ("fresh tasks; Σ: geometric; σ² = 0.5"). */
export function describeShift(spec: ExperimentSpec): string {
  const t = spec.eval.test;
  const parts: string[] = [];
  if (spec.task.pool > 0) parts.push(t.tasks === 'fresh' ? 'fresh tasks' : 'pool tasks');
  if (t.covariance.kind !== 'same') parts.push(`Σ: ${t.covariance.kind}${t.covariance.rotate ? ', rotated' : ''}`);
  if (t.prior.kind !== 'same') parts.push(`${t.prior.kind} prior`);
  if (t.prior.tau2 !== null) parts.push(`τ² = ${t.prior.tau2}`);
  if (t.noiseVar !== null) parts.push(`σ² = ${t.noiseVar}`);
  if (t.scale !== 1) parts.push(`inputs ×${t.scale}`);
  if (t.n !== 0 && t.n !== spec.task.n) parts.push(`n = ${t.n}`);
  return parts.join('; ');
}

export async function evaluateTrainer(
  trainer: Trainer,
  prompts = trainer.spec.eval.prompts,
): Promise<OutputEvaluation & { outputs: OutputEvaluation[]; shift?: ShiftEvaluation; trainSet?: TrainSetResult }> {
  const task = trainer.task;
  const spec = trainer.spec;
  const { cands, gammas, gdRuns } = evalInputs(task, spec.task.n);
  const ev = await trainer.evaluate({ prompts, gammas, gdRuns });
  const params = await trainer.readParams();
  const cpuFor = (evalTask: TaskContext, t: number, count: number) => cpuMatchesFor(spec, task, evalTask, params, t, STREAM.EVAL, count, evalTask.n);
  const outputs = task.outputs.map((_, t) => evaluateOutput(task, t, ev, cands[t], gdRuns[t], undefined, cpuFor(task, t, ev.count)));
  const result: OutputEvaluation & { outputs: OutputEvaluation[]; shift?: ShiftEvaluation; trainSet?: TrainSetResult } = { ...outputs[0], outputs };
  const test = buildTestTask(spec, task);
  if (test) {
    // The training distribution's one-step predictors (what the model should
    // have learned), scored on the test prompts; ridge and dMMSE are the test
    // distribution's own Bayes predictors.
    const runs = task.outputs.map(() => gdRunsFor(test, test.n));
    const sev = await trainer.evaluate({ prompts, gammas, gdRuns: runs, task: test });
    const souts = task.outputs.map((_, t) => evaluateOutput(task, t, sev, cands[t], runs[t], test, cpuFor(test, t, sev.count)));
    result.shift = { ...souts[0], outputs: souts, overrides: spec.eval.test, description: describeShift(spec) };
  }
  if (spec.train.set > 0) {
    const count = Math.min(spec.train.set, MAX_TRAINSET_EVAL);
    const tev = await trainer.evaluate({ prompts: count, stepWord: STREAM.TRAINSET });
    const model = tev.outputs.map((o) => meanStderr(squaredErrors(o.model, o.targets)));
    const gap = model.map((m, t) => {
      const f = outputs[t].test.model;
      return { mean: f.mean - m.mean, stderr: Math.hypot(f.stderr, m.stderr) };
    });
    result.trainSet = { prompts: count, size: spec.train.set, model, gap };
  }
  return result;
}

export interface LengthCurve {
  /** Context lengths n_test. */
  nCtx: number[];
  model: Estimate[];
  /** One-step GD with the best η for each n_test (closed form; for nonlinear responses, fitted on these prompts). */
  oneStepGd: Estimate[];
  /** Debiased GD with its best scale for each n_test (fitted on these prompts). */
  debiasedGd: Estimate[];
  ridge: Estimate[];
  /** Least squares, where n_test ≥ d (null below). */
  ols: (Estimate | null)[];
  /** dMMSE over the task pool (pooled runs, identity response). */
  dmmse?: Estimate[];
  prompts: number;
  /** Wall-clock seconds the curve took (a sweep keeps it under `timing`). */
  seconds?: number;
}

/** Default n_test grid: 1 … 4n, about 12 points, log-spaced, always including n. */
export function lengthGrid(n: number): number[] {
  const out = new Set<number>([1, n, 2 * n, 3 * n, 4 * n]);
  for (let k = 0; k <= 10; k++) out.add(Math.max(1, Math.round(Math.pow(4 * n, k / 10))));
  return [...out].sort((a, b) => a - b);
}

/** Work per prompt of the length curve, per context token: the model's heads and the predictors' XᵀX. */
function lengthTokenCost(spec: ExperimentSpec): number {
  const { d, tasks } = spec.task;
  const heads = spec.model.type === 'softmax' ? spec.model.heads : 1;
  return (d + tasks) * (1 + heads) + d * d;
}

/**
 * Prompts per context length of the length curve: 8,192 where that is cheap,
 * fewer (down to 256) where the grid's context lengths and the model make each
 * prompt costly, so the curve takes seconds, not minutes.
 */
export function lengthPrompts(spec: ExperimentSpec, grid: number[] = lengthGrid(spec.task.n)): number {
  const tokens = grid.reduce((a, b) => a + b, 0);
  // dMMSE's pass over the pool costs about M·k·(d² + 4d) per prompt and length.
  const { d, tasks, pool, poolSymmetric } = spec.task;
  const poolCost = pool > 0 ? (poolSymmetric ? 2 : 1) * pool * tasks * (d * d + 4 * d) * grid.length : 0;
  const budget = 2.5e8;
  return Math.max(256, Math.min(8192, Math.floor(budget / (tokens * lengthTokenCost(spec) + poolCost) / 64) * 64));
}

/**
 * Test MSE against context length, model and predictors on the same prompts
 * (the same tasks, queries and leading context pairs at every n_test), on the
 * GPU; one curve per output.
 */
export async function lengthGeneralization(trainer: Trainer, options: { nCtx?: number[]; prompts?: number; task?: TaskContext } = {}): Promise<LengthCurve[]> {
  const task = options.task ?? trainer.task;
  const grid = options.nCtx ?? lengthGrid(task.n);
  const prompts = options.prompts ?? lengthPrompts(trainer.spec, grid);
  const d = task.d;
  const t0 = performance.now();
  const pooled = task.pool !== null && task.response === 'identity';
  const curves: LengthCurve[] = task.outputs.map(() => ({ nCtx: grid, model: [], oneStepGd: [], debiasedGd: [], ridge: [], ols: [], ...(pooled ? { dmmse: [] } : {}), prompts, seconds: 0 }));
  const closed = hasClosedForm(task);
  for (const n of grid) {
    // Plain one-step GD x_qᵀu (Γ = I), scaled by η*(n) or by its fit on these prompts.
    const ev = await trainer.evaluate({ prompts, nCtx: n, gammas: [identity(d)], task });
    ev.outputs.forEach((out, t) => {
      const c = curves[t];
      if (out.dmmse) c.dmmse?.push(meanStderr(squaredErrors(out.dmmse, out.targets)));
      const eta = closed ? optimalEta({ ...momentView(taskView(task, t)), n }) : bestScale(out.predictors[0], out.targets);
      c.model.push(meanStderr(squaredErrors(out.model, out.targets)));
      c.ridge.push(meanStderr(squaredErrors(out.ridge, out.targets)));
      c.oneStepGd.push(meanStderr(squaredErrors(scaled(out.predictors[0], eta), out.targets)));
      c.debiasedGd.push(meanStderr(squaredErrors(scaled(out.debiased, bestScale(out.debiased, out.targets)), out.targets)));
      c.ols.push(out.ols ? meanStderr(squaredErrors(out.ols, out.targets)) : null);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const c of curves) c.seconds = seconds;
  return curves;
}

/** What happened and what to try, for a run that blew up. */
export function divergenceMessage(spec: ExperimentSpec, d: Divergence): string {
  const o = spec.optimizer;
  const what =
    d.reason === 'blowup'
      ? `The batch loss reached ${d.loss.toPrecision(3)} at step ${d.step}, more than ${BLOWUP_FACTOR.toExponential(0).replace('e+', 'e')} times its first value (${d.firstLoss.toPrecision(3)})`
      : `The batch loss became NaN or infinite at step ${d.step}`;
  const hint: Record<string, string> = {
    lion: "Lion steps by lr·sign(·) whatever the gradient's size, so it wants a learning rate 3–10× smaller than Adam's (Chen et al. 2023)",
    muon: "Muon's orthogonalized steps have spectral norm lr·√max(1, rows/cols) whatever the gradient's size",
    polargrad: o.polarScale === 'nuclear' ? "PolarGrad's step grows with the gradient's nuclear norm" : "PolarGrad's steps with Muon's scale have a fixed size",
    sgd: o.momentum > 0 ? `SGD with momentum ${o.momentum} takes steps about 1/(1 − μ) = ${(1 / (1 - o.momentum)).toPrecision(3)} times the gradient's` : '',
  };
  const tries = [
    `a smaller learning rate (now ${o.lr})`,
    o.schedule === 'constant' || o.schedule === 'cosine' ? 'a warmup (warmup-cosine or WSD schedule)' : o.warmup === 0 ? 'a warmup (warmup steps)' : '',
    o.clip === 0 ? 'gradient clipping (gradient clip, e.g. 1)' : `a smaller gradient clip (now ${o.clip})`,
    `a smaller init scale (now ${spec.model.initScale})`,
  ].filter(Boolean);
  return `${what}; the last finite parameters are from step ${d.lastFinite.step}. ${hint[o.kind] ? hint[o.kind] + '. ' : ''}Try ${tries.slice(0, -1).join(', ')} or ${tries[tries.length - 1]}.`;
}

/** The LSA reading of output t next to that output's theory: η_eff/η* and ‖Γ_eff − Γ*‖/‖Γ*‖. */
export function lsaSummary(params: ArrayLike<number>, d: number, theory: TheoryNumbers, k = 1, t = 0): NonNullable<ExperimentResult['lsa']> {
  const r = readLsa(params, d, k, t);
  const out: NonNullable<ExperimentResult['lsa']> = { ...r };
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
