// Owns the GPU device and the Trainer for the current spec, and turns the
// buttons and spec edits into trainer operations. Operations run one at a
// time through a promise queue, so a Reset or a spec change never races a
// running loop: they raise the stop flag, then queue behind it. Readbacks are
// folded into the loss history as they arrive and published to the store at
// most every PUBLISH_INTERVAL_MS, on an animation frame. For softmax
// attention each readback is also read the way He et al. do (KQ^h, OV^h, ω_h,
// μ_h): the ω/μ history records every readback, the views the latest one.
// When training finishes, the end-of-run evaluation measures every output's
// test MSE and algorithm identification on the GPU, then (softmax attention)
// compares the learned (ω_h, μ_h) with He et al.'s reduced predictor on the
// CPU in short slices, then measures each output's test MSE against context
// length on the GPU.
import { reducedComparisonSliced } from '../analysis/reduced.ts';
import { readSoftmax, softmaxMatrices, type SoftmaxReading } from '../analysis/softmax.ts';
import { divergenceMessage, evaluateTrainer, lengthGeneralization, lsaSummary, theoryFor, type TheoryNumbers } from '../engine/experiment.ts';
import { Trainer, type Readback, type TrainerSnapshot } from '../engine/trainer.ts';
import type { ImportedExperiment } from '../export/importExperiment.ts';
import { acquireDevice } from '../gpu/device.ts';
import { extractMatrices, type NamedMatrix } from '../models/types.ts';
import {
  encodeSpec,
  FIELD_BY_PATH,
  getPath,
  presetSpec,
  PRESETS,
  repairCombinations,
  setPath,
  type ExperimentSpec,
} from '../spec/index.ts';
import { buildTask, taskView } from '../tasks/task.ts';
import { addNotice, freshRunFields, hasProgress, useLab, type GpuState, type LabState, type LsaReadout, type RunFields } from './labStore.ts';
import type { OmegaMuHistory } from './omegaMuHistory.ts';

const PUBLISH_INTERVAL_MS = 100;
/** Window over which steps/s is measured. */
const RATE_WINDOW_MS = 2000;

let device: GPUDevice | null = null;
let trainer: Trainer | null = null;
/** Bumped by every Reset and spec change; work started under an older value is dropped. */
let generation = 0;
let stopRequested = false;
let queue: Promise<void> = Promise.resolve();

function enqueue(op: () => Promise<void>): void {
  queue = queue.then(op).catch((e: unknown) => fail(e));
}

function fail(e: unknown): void {
  // After a device loss, failing GPU calls are a symptom; the unavailable card explains it.
  if (useLab.getState().gpu.kind === 'unavailable') return;
  const message = e instanceof Error ? e.message : String(e);
  useLab.setState({ status: 'error' });
  addNotice({ tone: 'error', title: 'The run stopped with an error', items: [message] });
}

/** Each output's closed forms (the first also as `theory`). */
function theoryOf(spec: ExperimentSpec): Pick<LabState, 'theory' | 'theoryByOutput'> {
  try {
    const task = buildTask(spec.task);
    const theoryByOutput = task.outputs.map((_, t): TheoryNumbers => {
      // theoryFor also returns the float64 internals; the views need only the numbers.
      const { raw: _raw, ...numbers } = theoryFor(taskView(task, t));
      return numbers;
    });
    return { theory: theoryByOutput[0], theoryByOutput };
  } catch {
    return { theory: null, theoryByOutput: null };
  }
}

/** The latest LSA weights read for every output, next to that output's theory. */
function lsaReadouts(t: Trainer, params: ArrayLike<number>, theories: TheoryNumbers[] | null): LsaReadout[] | null {
  if (t.spec.model.type !== 'lsa' || !theories) return null;
  const { d, tasks: k } = t.spec.task;
  return theories.map((theory, out) => {
    const r = lsaSummary(params, d, theory, k, out);
    return { etaEff: r.etaEff, etaRatio: r.etaRatio, gammaEff: r.gammaEff, gammaRelError: r.gammaRelError };
  });
}

/**
 * Steps per submission. Each submission is one readback, so this sets how
 * often the curve can move; a few hundred readbacks per run keeps the curve
 * detailed without spending the GPU's time on round trips.
 */
function chunkStepsFor(spec: ExperimentSpec): number {
  return Math.min(100, Math.max(10, Math.ceil(spec.train.steps / 200)));
}

/**
 * Prompts per context length for the length curve: softmax attention costs
 * O(n²) per prompt at the longest contexts, so it gets fewer.
 */
function lengthPromptsFor(spec: ExperimentSpec): number {
  return spec.model.type === 'softmax' ? 2048 : 8192;
}

function freshRun(): RunFields {
  return freshRunFields(useLab.getState().historyVersion + 1);
}

function readingOf(t: Trainer, params: ArrayLike<number>): SoftmaxReading | null {
  return t.spec.model.type === 'softmax' ? readSoftmax(params, t.spec.task.d, t.spec.model.heads, t.spec.task.tasks) : null;
}

/** What the views show of a parameter vector: LSA's raw matrices, or softmax attention's KQ^h and OV^h. */
function paramsView(t: Trainer, params: Float32Array, reading: SoftmaxReading | null): Pick<LabState, 'matrices' | 'params' | 'softmax'> {
  if (!reading) return { matrices: extractMatrices(t.model, params), params, softmax: null };
  return { matrices: softmaxMatrices(reading, t.spec.task.d), params, softmax: reading };
}

/** The view of the initial parameters, recording them as step 0 of the ω/μ history. */
function initialView(t: Trainer, omegaMu: OmegaMuHistory): Pick<LabState, 'matrices' | 'params' | 'softmax'> {
  const reading = readingOf(t, t.initialParams);
  if (reading) omegaMu.push(0, reading.omega, reading.mu);
  return paramsView(t, t.initialParams, reading);
}

// ---- throttled publishing -------------------------------------------------

interface Pending {
  step: number;
  params: Float32Array;
  reading: SoftmaxReading | null;
  lossMean: number;
  lossSteps: number;
}

let pending: Pending | null = null;
let firstLoss: number | null = null;
let publishQueued = false;
let lastPublish = 0;
let rateSamples: { t: number; step: number }[] = [];

function stepsPerSecond(): number | null {
  if (rateSamples.length < 2) return null;
  const a = rateSamples[0];
  const b = rateSamples[rateSamples.length - 1];
  return b.t > a.t ? ((b.step - a.step) * 1000) / (b.t - a.t) : null;
}

function onReadback(owner: Trainer, r: Readback): void {
  const s = useLab.getState();
  s.history.push(r.losses);
  const reading = readingOf(owner, r.params);
  if (reading) s.omegaMu.push(r.step, reading.omega, reading.mu);
  let sum = 0;
  for (let i = 0; i < r.losses.length; i++) sum += r.losses[i];
  const mean = sum / r.losses.length;
  firstLoss ??= mean;
  pending = { step: r.step, params: r.params, reading, lossMean: mean, lossSteps: r.losses.length };
  const t = performance.now();
  rateSamples.push({ t, step: r.step });
  while (rateSamples.length > 2 && t - rateSamples[1].t > RATE_WINDOW_MS) rateSamples.shift();
  schedulePublish();
}

function schedulePublish(): void {
  if (publishQueued) return;
  publishQueued = true;
  const wait = Math.max(0, PUBLISH_INTERVAL_MS - (performance.now() - lastPublish));
  setTimeout(() => requestAnimationFrame(publishNow), wait);
}

function publishNow(): void {
  publishQueued = false;
  lastPublish = performance.now();
  const p = pending;
  if (!p || !trainer) return;
  pending = null;
  const s = useLab.getState();
  useLab.setState({
    step: p.step,
    stepsPerSecond: stepsPerSecond(),
    firstLoss,
    lastLoss: p.lossMean,
    lastLossSteps: p.lossSteps,
    historyVersion: s.historyVersion + 1,
    ...paramsView(trainer, p.params, p.reading),
    lsa: lsaReadouts(trainer, p.params, s.theoryByOutput),
  });
}

function clearRunTracking(): void {
  pending = null;
  firstLoss = null;
  rateSamples = [];
}

// ---- operations -----------------------------------------------------------

async function rebuildOp(gen: number, spec: ExperimentSpec): Promise<void> {
  if (gen !== generation || !device) return; // a newer change superseded this one
  trainer?.destroy();
  trainer = null;
  clearRunTracking();
  useLab.setState({ status: 'building', matrices: null, params: null, softmax: null, ...freshRun() });
  const t = await createTrainer(gen, device, spec);
  if (!t) return;
  trainer = t;
  const s = useLab.getState();
  useLab.setState({ status: 'ready', ...initialView(t, s.omegaMu), historyVersion: s.historyVersion + 1 });
}

/**
 * A trainer for `spec`, prepared (e.g. restored from a file); null when a newer
 * operation superseded this one or the creation failed (then reported).
 */
async function createTrainer(gen: number, dev: GPUDevice, spec: ExperimentSpec, prepare?: (t: Trainer) => Promise<void>): Promise<Trainer | null> {
  let t: Trainer | null = null;
  try {
    t = await Trainer.create(dev, spec, { chunkSteps: chunkStepsFor(spec) });
    if (gen === generation) await prepare?.(t);
  } catch (e) {
    t?.destroy();
    if (gen === generation) fail(e);
    return null;
  }
  if (gen !== generation) {
    t.destroy();
    return null;
  }
  return t;
}

async function trainOp(gen: number): Promise<void> {
  const t = trainer;
  if (gen !== generation || !t) return;
  const total = t.spec.train.steps;
  // A run imported at its last step is paused there and still owes its evaluation.
  if (t.stepsCompleted >= total && useLab.getState().status !== 'paused') return;
  stopRequested = false;
  rateSamples = [{ t: performance.now(), step: t.stepsCompleted }];
  useLab.setState({ status: 'running' });
  await t.run({
    steps: total - t.stepsSubmitted,
    onReadback: (r) => {
      if (gen === generation) onReadback(t, r);
    },
    shouldStop: () => stopRequested || gen !== generation,
  });
  if (gen !== generation) return;
  publishNow();
  if (t.divergence) {
    // Pause on the last finite parameters, and say what happened and what to try.
    const d = t.divergence;
    useLab.setState({ status: 'diverged', step: d.lastFinite.step, ...paramsView(t, d.lastFinite.params, readingOf(t, d.lastFinite.params)) });
    addNotice({ tone: 'error', title: 'Training diverged', items: [divergenceMessage(t.spec, d)] });
    return;
  }
  if (t.stepsCompleted < total) {
    useLab.setState({ status: 'paused' });
    return;
  }
  useLab.setState({ status: 'evaluating' });
  const { test, identification, outputs } = await evaluateTrainer(t, useLab.getState().spec.eval.prompts);
  if (gen !== generation) return;
  const softmax = t.spec.model.type === 'softmax';
  useLab.setState({ status: 'done', evaluation: test, identification, outputs, lengthPending: true, reducedPending: softmax });
  // Still inside the queued operation, so a Reset or spec change waits for it.
  if (softmax) await reducedOp(gen, t);
  if (gen !== generation) return;
  try {
    const lengthCurves = await lengthGeneralization(t, { prompts: lengthPromptsFor(t.spec) });
    if (gen === generation) useLab.setState({ lengthCurves, lengthPending: false });
  } catch (e) {
    if (gen !== generation || useLab.getState().gpu.kind === 'unavailable') return;
    // The run itself is complete; only the extra curve is missing.
    useLab.setState({ lengthPending: false });
    addNotice({ tone: 'warning', title: 'Test MSE against context length could not be measured', items: [e instanceof Error ? e.message : String(e)] });
  }
}

/**
 * He et al.'s reduced predictor at the trained (ω_h, μ_h): L̃ there, its Monte
 * Carlo true loss (REDUCED_MC_PROMPTS = 4000 prompts, the runner's count and
 * prompts, so the page shows the runner's numbers) and inf L̃. The Monte
 * Carlo loop costs ~0.1-0.2 s of CPU at He et al.'s sizes (more with many
 * heads or long contexts), too long for one main-thread task, so it runs in
 * slices of ~8 ms with a zero-delay timeout between them: the page keeps
 * painting and taking input, and a Reset or spec change abandons it.
 */
async function reducedOp(gen: number, t: Trainer): Promise<void> {
  try {
    const params = await t.readParams();
    if (gen !== generation) return;
    const { d, tasks: k } = t.spec.task;
    const reading = readSoftmax(params, d, t.spec.model.heads, k);
    const start = performance.now();
    const r = await reducedComparisonSliced(t.spec, t.task, reading.omega, reading.mu, { sliceMs: 8, shouldStop: () => gen !== generation });
    if (!r || gen !== generation) return;
    useLab.setState({ reduced: { ...r, wallMs: performance.now() - start }, reducedPending: false });
  } catch (e) {
    if (gen !== generation || useLab.getState().gpu.kind === 'unavailable') return;
    useLab.setState({ reducedPending: false });
    addNotice({ tone: 'warning', title: "He et al.'s reduced predictor could not be compared", items: [e instanceof Error ? e.message : String(e)] });
  }
}

async function resetOp(gen: number): Promise<void> {
  const t = trainer;
  if (gen !== generation || !t) return;
  await t.reset();
  if (gen !== generation) return;
  clearRunTracking();
  const fresh = freshRun();
  useLab.setState({ status: 'ready', ...fresh, ...initialView(t, fresh.omegaMu) });
}

// ---- public actions -------------------------------------------------------

export function train(): void {
  const { status } = useLab.getState();
  if (status !== 'ready' && status !== 'paused' && status !== 'pausing') return;
  const gen = generation;
  enqueue(() => trainOp(gen));
}

export function pause(): void {
  if (useLab.getState().status !== 'running') return;
  stopRequested = true;
  useLab.setState({ status: 'pausing' });
}

export function reset(): void {
  if (!trainer) return;
  stopRequested = true;
  const gen = ++generation;
  enqueue(() => resetOp(gen));
}

function applySpec(spec: ExperimentSpec, rebuild: boolean): void {
  if (!rebuild) {
    useLab.setState({ spec });
    return;
  }
  stopRequested = true;
  const gen = ++generation;
  clearRunTracking();
  const { gpu } = useLab.getState();
  useLab.setState({
    spec,
    ...theoryOf(spec),
    ...(spec.task.tasks !== useLab.getState().spec.task.tasks ? { viewTask: 0 } : {}),
    ...freshRun(),
    ...(gpu.kind === 'ready' ? { status: 'building' as const, matrices: null, params: null, softmax: null } : {}),
  });
  if (device) enqueue(() => rebuildOp(gen, spec));
}

/** Whether changing this field makes the current trainer (and its progress) obsolete. */
export function invalidatesRun(path: string): boolean {
  return FIELD_BY_PATH.get(path)?.group !== 'Eval';
}

const ADJUSTED_TITLE = 'Another setting was adjusted to fit this change';

/**
 * Sets one spec field (already validated against its field). Asks before
 * discarding trained steps; returns false if the user declined.
 */
export function setSpecField(path: string, value: number | string | boolean): boolean {
  const s = useLab.getState();
  if (getPath(s.spec, path) === value) return true;
  const rebuild = invalidatesRun(path);
  if (rebuild && hasProgress(s)) {
    const label = FIELD_BY_PATH.get(path)?.label ?? path;
    const ok = window.confirm(`Changing ${label} starts a new run and discards the current one (${s.step} steps trained). Continue?`);
    if (!ok) return false;
  }
  const spec = structuredClone(s.spec);
  setPath(spec as unknown as Record<string, unknown>, path, value);
  // Fields that are valid alone can clash (an init LSA has no use for, an odd
  // head count with opposite-sign pairs): move to the nearest valid spec and say so.
  const repaired = repairCombinations(spec);
  if (repaired.length > 0) {
    // The latest adjustment replaces an earlier one rather than piling up.
    useLab.setState((st) => ({ notices: st.notices.filter((n) => n.title !== ADJUSTED_TITLE) }));
    addNotice({ tone: 'info', title: ADJUSTED_TITLE, items: repaired.map((i) => i.message) });
  }
  applySpec(spec, rebuild);
  return true;
}

let presetQueries: Map<string, string> | null = null;

/** The preset whose spec is exactly the current one, if any. */
export function matchingPresetId(spec: ExperimentSpec): string | null {
  presetQueries ??= new Map(PRESETS.map((p) => [encodeSpec(presetSpec(p)), p.id]));
  return presetQueries.get(encodeSpec(spec)) ?? null;
}

/** Loads a preset's spec (a new run). Asks before discarding trained steps; returns false if the user declined. */
export function loadPreset(id: string): boolean {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) return false;
  const spec = presetSpec(preset);
  const s = useLab.getState();
  if (encodeSpec(spec) === encodeSpec(s.spec)) return true;
  if (hasProgress(s)) {
    const ok = window.confirm(`Loading the preset "${preset.label}" starts a new run and discards the current one (${s.step} steps trained). Continue?`);
    if (!ok) return false;
  }
  useLab.setState({ loadedPreset: preset.id });
  applySpec(spec, true);
  return true;
}

/**
 * What resumes the current run (step, parameters, optimizer state), for the
 * experiment export; null where there is nothing steady to read: no trainer,
 * a run in flight, or a diverged run (its GPU state is no longer finite).
 */
export async function resumableSnapshot(): Promise<TrainerSnapshot | null> {
  const t = trainer;
  const { status } = useLab.getState();
  if (!t || (status !== 'ready' && status !== 'paused' && status !== 'done')) return null;
  const snap = await t.snapshot();
  return trainer === t ? snap : null;
}

async function importOp(gen: number, exp: ImportedExperiment): Promise<void> {
  if (gen !== generation || !device) return;
  trainer?.destroy();
  trainer = null;
  clearRunTracking();
  const t = await createTrainer(gen, device, exp.spec, (tr) => tr.restore({ step: exp.step, params: exp.params, optState: exp.optState }));
  if (!t) return;
  trainer = t;
  const s = useLab.getState();
  const fresh = freshRun();
  const { step: xs, loss: ys } = exp.lossHistory;
  fresh.history.seed(xs, ys);
  firstLoss = ys.length > 0 ? ys[0] : null;
  const initial = t.initialParams;
  const initialReading = readingOf(t, initial);
  if (initialReading) fresh.omegaMu.push(0, initialReading.omega, initialReading.mu);
  const params = Float32Array.from(exp.params);
  const reading = readingOf(t, params);
  if (reading && exp.step > 0) fresh.omegaMu.push(exp.step, reading.omega, reading.mu);
  useLab.setState({
    ...fresh,
    status: exp.step === 0 ? 'ready' : 'paused',
    step: exp.step,
    firstLoss: ys.length > 0 ? ys[0] : null,
    lastLoss: ys.length > 0 ? ys[ys.length - 1] : null,
    lastLossSteps: ys.length > 0 ? xs[xs.length - 1] - (xs.length > 1 ? xs[xs.length - 2] : 0) : 0,
    historyVersion: Math.max(fresh.historyVersion, s.historyVersion + 1),
    ...paramsView(t, params, reading),
    lsa: lsaReadouts(t, params, s.theoryByOutput),
  });
}

/**
 * Replaces the current experiment with an imported one (already checked:
 * src/export/importExperiment.ts): applies its spec (the URL follows),
 * rebuilds the trainer, restores its step, parameters and optimizer state and
 * its loss curve, and leaves the run paused there so Train continues it.
 * Asks before discarding trained steps; returns false if the user declined.
 */
export function importExperimentRun(exp: ImportedExperiment): boolean {
  const s = useLab.getState();
  if (!device || s.gpu.kind !== 'ready') {
    addNotice({ tone: 'error', title: 'Could not import the experiment', items: ['no GPU: the run cannot be rebuilt'] });
    return false;
  }
  if (hasProgress(s)) {
    const ok = window.confirm(`Importing an experiment replaces the current one (${s.step} steps trained). Continue?`);
    if (!ok) return false;
  }
  stopRequested = true;
  const gen = ++generation;
  clearRunTracking();
  const spec = structuredClone(exp.spec);
  useLab.setState({
    spec,
    ...theoryOf(spec),
    ...(spec.task.tasks !== s.spec.task.tasks ? { viewTask: 0 } : {}),
    ...freshRun(),
    status: 'building',
    matrices: null,
    params: null,
    softmax: null,
    loadedPreset: null,
  });
  enqueue(() => importOp(gen, exp));
  return true;
}

/**
 * The model's own matrices (LSA: W_KQ, W_PV; softmax: its raw weights) and
 * their places in the flat vector, read from `params` with the current
 * trainer's layout; null when no trainer matches the vector's length.
 */
export function modelMatrices(params: ArrayLike<number>): { matrices: NamedMatrix[]; layout: { name: string; offset: number; rows: number; cols: number }[] } | null {
  if (!trainer || trainer.model.paramCount !== params.length) return null;
  return {
    matrices: extractMatrices(trainer.model, params),
    layout: trainer.model.matrices.map((m) => ({ name: m.name, offset: m.offset, rows: m.rows, cols: m.cols })),
  };
}

function unavailable(gpu: Extract<GpuState, { kind: 'unavailable' }>): void {
  useLab.setState({ gpu, status: 'unavailable' });
}

/** Starts the lab with a spec: acquires the GPU and builds the first trainer. */
export async function startLab(spec: ExperimentSpec): Promise<void> {
  useLab.setState({ spec, ...theoryOf(spec), status: 'starting' });
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    unavailable({ kind: 'unavailable', reason: window.isSecureContext ? 'no-api' : 'insecure-context' });
    return;
  }
  let acquired;
  try {
    acquired = await acquireDevice(gpu);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    unavailable({ kind: 'unavailable', reason: /no GPU adapter/i.test(detail) ? 'no-adapter' : 'device-failed', detail });
    return;
  }
  device = acquired.device;
  device.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    stopRequested = true;
    generation++;
    trainer = null;
    device = null;
    unavailable({ kind: 'unavailable', reason: 'device-lost', detail: info.message || undefined });
  });
  const seen = new Set<string>();
  device.addEventListener('uncapturederror', (ev) => {
    const message = (ev as GPUUncapturedErrorEvent).error.message;
    if (seen.has(message)) return; // one notice per distinct error, not one per step
    seen.add(message);
    addNotice({ tone: 'error', title: 'GPU error', items: [message] });
  });
  useLab.setState({ gpu: { kind: 'ready', description: acquired.description } });
  const gen = ++generation;
  enqueue(() => rebuildOp(gen, useLab.getState().spec));
}
