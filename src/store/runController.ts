// Owns the GPU device and the Trainer for the current spec, and turns the
// buttons and spec edits into trainer operations. Operations run one at a
// time through a promise queue, so a Reset or a spec change never races a
// running loop: they raise the stop flag, then queue behind it. Readbacks are
// folded into the loss history as they arrive and published to the store at
// most every PUBLISH_INTERVAL_MS, on an animation frame. For softmax
// attention each readback is also read the way He et al. do (KQ^h, OV^h, ω_h,
// μ_h): the ω/μ history records every readback, the views the latest one.
// When training finishes, the runner's own end-of-run measurements
// (orchestration/run.ts finishRun: the evaluation, He et al.'s reduced
// predictor in short CPU slices, the length curve) are shown stage by stage,
// so the page's numbers are the runner's. The steps to within 1% of the
// theory optimum are tracked from each readback's per-step losses as they come
// (convergenceReadout.ts) and shown with the evaluation.
import type { SoftmaxReading } from '../analysis/softmax.ts';
import { divergenceMessage, theoryFor, type TheoryNumbers } from '../analysis/evaluation.ts';
import { finishRun } from '../orchestration/run.ts';
import { Timeline, timelinePoints } from '../orchestration/timeline.ts';
import { Trainer, type Readback, type TrainerSnapshot } from '../engine/trainer.ts';
import type { ImportedExperiment } from '../export/importExperiment.ts';
import { trackBuffers, type BufferAccount } from '../gpu/bufferAccounting.ts';
import { acquireDevice } from '../gpu/device.ts';
import { withErrorScopes } from '../gpu/errorScope.ts';
import { modelFor } from '../models/index.ts';
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
  type FieldValue,
} from '../spec/index.ts';
import { ConvergenceTracker, convergenceReadout } from './convergenceReadout.ts';
import { sameFieldValue } from './fieldValues.ts';
import type { LossHistory } from './lossHistory.ts';
import { SOURCE_DEFAULTS_TITLE, switchOptimizer } from './optimizerSwitch.ts';
import { buildTask, taskView } from '../tasks/task.ts';
import { fitMultiStepLevels } from './multiStepReference.ts';
import { askConfirm } from './confirm.ts';
import { lsaReadouts, paramsView, readingOf } from './paramsView.ts';
import { addNotice, freshRunFields, hasProgress, useLab, type GpuState, type LabState, type LsaReadout, type RunFields, type Speed } from './labStore.ts';
import type { OmegaMuHistory } from './omegaMuHistory.ts';
import {
  describeLoss,
  destroyedByLab,
  GIVEN_UP_TITLE,
  givenUpItems,
  keepSnapshot,
  keptSnapshotFor,
  rewindHistory,
  lostSoon,
  MAX_LOSSES,
  noteRecovery,
  recordLoss,
  resumedTitle,
  snapshotDue,
  trainerErrorNotice,
  watchLoss,
} from './deviceRecovery.ts';

const PUBLISH_INTERVAL_MS = 100;
/** Window over which steps/s is measured. */
const RATE_WINDOW_MS = 2000;

let device: GPUDevice | null = null;
let trainer: Trainer | null = null;
/** Bumped by every Reset and spec change; work started under an older value is dropped. */
let generation = 0;
let stopRequested = false;
let queue: Promise<void> = Promise.resolve();
/** Set from a device loss until the lab has re-created the device (or given up). */
let recovering = false;

function enqueue(op: () => Promise<void>): void {
  queue = queue.then(op).catch((e: unknown) => fail(e));
}

async function fail(e: unknown): Promise<void> {
  // After a device loss, failing GPU calls are a symptom: the recovery (or the
  // unavailable card) explains it. A readback can fail just before the loss shows.
  const dev = device;
  if (recovering || (dev && (await lostSoon(dev)))) return;
  if (useLab.getState().gpu.kind === 'unavailable') return;
  const message = e instanceof Error ? e.message : String(e);
  useLab.setState({ status: 'error' });
  const tooLarge = e instanceof Error && e.name === 'ResourceLimitError';
  addNotice({ tone: 'error', title: tooLarge ? 'This model does not fit this GPU' : 'The run stopped with an error', items: [message] });
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

/**
 * Steps per submission. Each submission is one readback, so this sets how
 * often the curve can move; a few hundred readbacks per run keeps the curve
 * detailed without spending the GPU's time on round trips.
 */
export function chunkStepsFor(spec: ExperimentSpec): number {
  return Math.min(100, Math.max(10, Math.ceil(spec.train.steps / 200)));
}

function freshRun(): RunFields {
  return freshRunFields(useLab.getState().historyVersion + 1);
}

/** LSA: records each output's η_eff and relative Γ error at `step`; returns the readouts (null for softmax). */
function traceLsa(t: Trainer, step: number, params: ArrayLike<number>, trace: OmegaMuHistory): LsaReadout[] | null {
  const lsa = lsaReadouts(t, params, useLab.getState().theoryByOutput);
  if (lsa) trace.push(step, lsa.map((r) => r.etaEff), lsa.map((r) => r.gammaRelError ?? NaN));
  return lsa;
}

/** An imported run's timeline: the file's snapshots where it has them, else the initialization and the imported step. */
function importedTimeline(t: Trainer, exp: ImportedExperiment): Timeline {
  const timeline = exp.timeline ?? newTimeline(t);
  if (!exp.timeline) timeline.offer(exp.step, exp.params);
  live = { step: exp.step, params: Float32Array.from(exp.params) };
  return timeline;
}

/** A run's timeline, holding its initialization as step 0. */
function newTimeline(t: Trainer): Timeline {
  const timeline = new Timeline(t.spec.train.steps, timelinePoints(t.model.paramCount));
  timeline.offer(0, t.initialParams);
  live = { step: 0, params: t.initialParams };
  return timeline;
}

/** The view of the initial parameters, recording them as step 0 of the ω/μ (softmax) or η_eff (LSA) history. */
function initialView(t: Trainer, omegaMu: OmegaMuHistory, lsaTrace: OmegaMuHistory): Pick<LabState, 'matrices' | 'params' | 'softmax' | 'lsa'> {
  const reading = readingOf(t, t.initialParams);
  if (reading) omegaMu.push(0, reading.omega, reading.mu);
  const lsa = traceLsa(t, 0, t.initialParams, lsaTrace);
  return { ...paramsView(t, t.initialParams, reading), lsa };
}

// ---- throttled publishing -------------------------------------------------

interface Pending {
  step: number;
  params: Float32Array;
  reading: SoftmaxReading | null;
  lsa: LsaReadout[] | null;
  lossMean: number;
  lossSteps: number;
}

let pending: Pending | null = null;
/** The latest parameters read back (what "live" shows while a kept step is on view). */
let live: { step: number; params: Float32Array } | null = null;
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

// ---- steps to within 1% of the theory optimum ----------------------------------

/**
 * The convergence tracker of the run whose loss history is `history`: a new
 * run (Reset, a spec change, an import) has a new history, so a new tracker;
 * a run resumed after a device loss keeps its history, and its tracker skips
 * the replayed steps.
 */
let convergenceRun: { history: LossHistory; tracker: ConvergenceTracker } | null = null;

function convergenceTracker(history: LossHistory, spec: ExperimentSpec): ConvergenceTracker {
  if (convergenceRun?.history !== history) convergenceRun = { history, tracker: new ConvergenceTracker(spec.train.batch, spec.train.steps) };
  return convergenceRun.tracker;
}

function onReadback_(owner: Trainer, r: Readback): void {
  const s = useLab.getState();
  s.history.push(r.losses);
  convergenceTracker(s.history, owner.spec).push(r.step - r.losses.length, r.losses);
  const reading = readingOf(owner, r.params);
  if (reading) s.omegaMu.push(r.step, reading.omega, reading.mu);
  const lsa = traceLsa(owner, r.step, r.params, s.lsaTrace);
  let sum = 0;
  for (let i = 0; i < r.losses.length; i++) sum += r.losses[i];
  const mean = sum / r.losses.length;
  firstLoss ??= mean;
  s.timeline?.offer(r.step, r.params);
  live = { step: r.step, params: r.params };
  pending = { step: r.step, params: r.params, reading, lsa, lossMean: mean, lossSteps: r.losses.length };
  const t = performance.now();
  rateSamples.push({ t, step: r.step });
  while (rateSamples.length > 2 && t - rateSamples[1].t > RATE_WINDOW_MS) rateSamples.shift();
  // What a lost device resumes from: a snapshot riding on a readback every few seconds.
  if (r.optState) keepSnapshot({ step: r.step, params: r.params, optState: r.optState }, s.history);
  else if (snapshotDue(t)) owner.requestSnapshot();
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
    // While a kept step is shown, the weight views stay on it; the rest follows training.
    ...(s.viewStep === null ? { ...paramsView(trainer, p.params, p.reading), lsa: p.lsa } : {}),
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
  useLab.setState({ status: 'ready', ...initialView(t, s.omegaMu, s.lsaTrace), timeline: newTimeline(t), historyVersion: s.historyVersion + 1 });
  multiStepReferenceOp(gen, spec);
  await ridgeReferenceOp(gen, t);
}

/**
 * Prompts for the ridge reference line: enough for a standard error well
 * under 1% of the loss, fewer where each prompt's solve is large, so the
 * measurement stays well under a second.
 */
function ridgeReferencePrompts(spec: ExperimentSpec): number {
  const D = spec.task.d + spec.task.tasks;
  return Math.max(512, Math.min(8192, 2 ** Math.floor(Math.log2(2e7 / (spec.task.n * D * D)))));
}

/** Measures the Bayes ridge's test MSE (mean over outputs) on the GPU for the loss plot. */
async function ridgeReferenceOp(gen: number, t: Trainer): Promise<void> {
  try {
    const ev = await t.evaluate({ prompts: ridgeReferencePrompts(t.spec) });
    if (gen !== generation) return;
    const perPrompt = new Float64Array(ev.count);
    for (const o of ev.outputs) for (let i = 0; i < ev.count; i++) perPrompt[i] += (o.ridge[i] - o.targets[i]) ** 2 / ev.outputs.length;
    let sum = 0;
    let sq = 0;
    for (const v of perPrompt) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / ev.count;
    const se = Math.sqrt(Math.max(0, sq / ev.count - mean * mean) / (ev.count - 1));
    if (Number.isFinite(mean)) useLab.setState({ ridgeReference: { mean, se } });
  } catch {
    // Only a reference line is missing; the run itself is unaffected.
  }
}

/** Fits the multi-step reference lines in the background (not in the queue: training need not wait for them). */
function multiStepReferenceOp(gen: number, spec: ExperimentSpec): void {
  void fitMultiStepLevels(spec).then((levels) => {
    if (gen === generation && levels && levels.length > 0) useLab.setState({ multiStepReference: levels });
  });
}

/**
 * A trainer for `spec`, prepared (e.g. restored from a file); null when a newer
 * operation superseded this one or the creation failed (then reported). The
 * buffers are allocated inside GPU error scopes, so a batch too large for the
 * GPU's memory becomes a notice naming the spec's size, not a broken page.
 */
async function createTrainer(gen: number, dev: GPUDevice, spec: ExperimentSpec, prepare?: (t: Trainer) => Promise<void>): Promise<Trainer | null> {
  let t: Trainer | null = null;
  try {
    t = await withErrorScopes(dev, () => Trainer.create(dev, spec, { chunkSteps: chunkStepsFor(spec) }), (made) => made.destroy());
    if (gen === generation) await prepare?.(t);
  } catch (e) {
    t?.destroy();
    const notice = trainerErrorNotice(e, spec);
    if (gen === generation && notice && !recovering && !(await lostSoon(dev))) {
      useLab.setState({ status: 'error' });
      addNotice({ tone: 'error', ...notice });
    } else if (gen === generation) void fail(e);
    return null;
  }
  if (gen !== generation) {
    t.destroy();
    return null;
  }
  return t;
}

/** Resolves on the next animation frame (the page's paint rhythm). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/**
 * Trains the current trainer to the spec's step count, or `limit` more steps
 * (the Step button). At the speed setting 'max' chunks stream back to back;
 * at N steps per frame, each animation frame submits N steps and waits for
 * them, so a run can be watched step by step. Either way the numbers are the
 * same: every step's random numbers are keyed by its index.
 */
async function trainOp(gen: number, limit?: number): Promise<void> {
  const t = trainer;
  if (gen !== generation || !t) return;
  const total = t.spec.train.steps;
  // A run imported at its last step is paused there and still owes its evaluation.
  if (t.stepsCompleted >= total && useLab.getState().status !== 'paused') return;
  stopRequested = false;
  rateSamples = [{ t: performance.now(), step: t.stepsCompleted }];
  useLab.setState({ status: 'running', autoPaused: false });
  const target = Math.min(total, limit === undefined ? total : t.stepsSubmitted + limit);
  const shouldStop = () => stopRequested || gen !== generation;
  const onReadback = (r: Readback) => {
    if (gen === generation) onReadback_(t, r);
  };
  // Submissions end at the timeline's steps, so their parameters are read back.
  const boundary = (submitted: number) => useLab.getState().timeline?.nextBoundary(submitted);
  while (t.stepsSubmitted < target && !t.divergence && !shouldStop()) {
    const speed = useLab.getState().speed;
    if (speed === 'max') {
      // Streams to the target; a speed change takes effect at the next pause.
      await t.run({ steps: target - t.stepsSubmitted, onReadback, shouldStop: () => shouldStop() || useLab.getState().speed !== 'max', boundary });
    } else {
      await nextFrame();
      if (shouldStop()) break;
      await t.run({ steps: Math.min(speed, target - t.stepsSubmitted), onReadback, shouldStop, boundary });
    }
  }
  if (gen !== generation) return;
  publishNow();
  if (t.divergence) {
    // Pause on the last finite parameters, and say what happened and what to try.
    const d = t.divergence;
    live = d.lastFinite;
    useLab.setState({ status: 'diverged', step: d.lastFinite.step, viewStep: null, timelinePlaying: false, ...paramsView(t, d.lastFinite.params, readingOf(t, d.lastFinite.params)) });
    addNotice({ tone: 'error', title: 'Training diverged', items: [divergenceMessage(t.spec, d)] });
    return;
  }
  if (t.stepsCompleted < total) {
    useLab.setState({ status: useLab.getState().step === 0 && t.stepsCompleted === 0 ? 'ready' : 'paused' });
    return;
  }
  useLab.setState({ status: 'evaluating' });
  // The runner's end-of-run measurements (orchestration/run.ts), shown stage by stage.
  // He et al.'s reduced predictor's Monte Carlo (~0.1-0.2 s of CPU at He et al.'s
  // sizes) runs in ~8 ms slices, so the page keeps painting; a Reset or spec change
  // abandons the rest. Still inside the queued operation, so they wait for it.
  const softmax = t.spec.model.type === 'softmax';
  const stale = () => gen !== generation;
  await finishRun(t, {
    evalPrompts: useLab.getState().spec.eval.prompts,
    cpuSliceMs: 8,
    shouldStop: stale,
    onEvaluation: ({ test, identification, outputs, shift, trainSet }) =>
      useLab.setState({
        status: 'done',
        convergence: convergenceReadout(t.spec.model.type, { outputs, shift }, convergenceTracker(useLab.getState().history, t.spec)),
        evaluation: test,
        identification,
        outputs,
        shift: shift ?? null,
        trainSet: trainSet ?? null,
        lengthPending: true,
        reducedPending: softmax,
      }),
    onReduced: (reduced) => useLab.setState({ reduced, reducedPending: false }),
    onStageError: (stage, e) => {
      if (stale() || useLab.getState().gpu.kind === 'unavailable') return;
      // The run itself is complete; only this measurement is missing.
      useLab.setState(stage === 'reduced' ? { reducedPending: false } : { lengthPending: false });
      addNotice({
        tone: 'warning',
        title: stage === 'reduced' ? "He et al.'s reduced predictor could not be compared" : 'Test MSE against context length could not be measured',
        items: [e instanceof Error ? e.message : String(e)],
      });
    },
  }).then((finish) => {
    if (finish?.lengthCurves && !stale()) useLab.setState({ lengthCurves: finish.lengthCurves, shiftLengthCurves: finish.shiftLengthCurves, lengthPending: false });
  });
}

async function resetOp(gen: number): Promise<void> {
  const t = trainer;
  if (gen !== generation || !t) return;
  await t.reset();
  if (gen !== generation) return;
  clearRunTracking();
  const fresh = freshRun();
  useLab.setState({ status: 'ready', ...fresh, ...initialView(t, fresh.omegaMu, fresh.lsaTrace), timeline: newTimeline(t) });
}

// ---- public actions -------------------------------------------------------

export function train(): void {
  const { status } = useLab.getState();
  if (status !== 'ready' && status !== 'paused' && status !== 'pausing') return;
  const gen = generation;
  enqueue(() => trainOp(gen));
}

/** One optimizer step from where the run stands (then paused there). */
export function step(): void {
  const { status } = useLab.getState();
  if (status !== 'ready' && status !== 'paused') return;
  const gen = generation;
  enqueue(() => trainOp(gen, 1));
}

/**
 * Sets the weight views (heatmaps, Γ_eff, the per-head readings) to the
 * timeline's snapshot at `step` (the latest kept one at or before it), or back
 * to the latest parameters with null. Training goes on either way; only the
 * views stay where they were set.
 */
export function showTimelineStep(step: number | null): void {
  const s = useLab.getState();
  const t = trainer;
  if (!t || !s.timeline) return;
  const shown = step === null ? live : s.timeline.at(step);
  if (!shown) return;
  useLab.setState({
    viewStep: step === null ? null : shown.step,
    ...paramsView(t, shown.params, readingOf(t, shown.params)),
    lsa: lsaReadouts(t, shown.params, s.theoryByOutput),
  });
}

/** Steps per animation frame, or 'max' (stream as fast as the GPU goes). Does not change the numbers. */
export function setSpeed(speed: Speed): void {
  useLab.setState({ speed });
}

/**
 * The tab was hidden or shown again: a hidden tab pauses a running run (the
 * browser throttles it anyway, and a long-hidden tab may lose its device),
 * and the run resumes when the tab is back if the lab paused it.
 */
export function setPageHidden(hidden: boolean): void {
  const s = useLab.getState();
  if (hidden) {
    if (s.status !== 'running') return;
    stopRequested = true;
    useLab.setState({ status: 'pausing', autoPaused: true });
  } else if (s.autoPaused) {
    useLab.setState({ autoPaused: false });
    if (s.status === 'paused' || s.status === 'pausing') train();
  }
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
    ridgeReference: null,
    multiStepReference: null,
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
 * discarding trained steps; resolves false if the user declined.
 */
export async function setSpecField(path: string, value: FieldValue): Promise<boolean> {
  let s = useLab.getState();
  if (sameFieldValue(getPath(s.spec, path), value)) return true;
  if (specChangeGuard && !(await specChangeGuard(FIELD_BY_PATH.get(path)?.label ?? path))) return false;
  const rebuild = invalidatesRun(path);
  if (rebuild && hasProgress(s)) {
    const label = FIELD_BY_PATH.get(path)?.label ?? path;
    const ok = await askConfirm(`Changing ${label} starts a new run and discards the current one (${s.step} steps trained). Continue?`, 'Start a new run');
    if (!ok) return false;
  }
  // Asked twice for the same edit (Enter, then the blur): the first answer applied it.
  s = useLab.getState();
  if (sameFieldValue(getPath(s.spec, path), value)) return true;
  let spec = structuredClone(s.spec);
  setPath(spec as unknown as Record<string, unknown>, path, Array.isArray(value) ? [...value] : value);
  // A new optimizer starts from its source's published settings (the learning
  // rate stays); only here, on the control: links and presets apply as written.
  if (path === 'optimizer.kind') {
    const switched = switchOptimizer(spec, spec.optimizer.kind);
    spec = switched.spec;
    useLab.setState((st) => ({ notices: st.notices.filter((n) => n.title !== SOURCE_DEFAULTS_TITLE) }));
    if (switched.note) addNotice({ tone: 'info', title: SOURCE_DEFAULTS_TITLE, items: [switched.note] });
  }
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

/** Loads a preset's spec (a new run). Asks before discarding trained steps; resolves false if the user declined. */
export async function loadPreset(id: string): Promise<boolean> {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) return false;
  const spec = presetSpec(preset);
  const s = useLab.getState();
  if (encodeSpec(spec) === encodeSpec(s.spec)) return true;
  if (specChangeGuard && !(await specChangeGuard(`the preset "${preset.label}"`))) return false;
  if (hasProgress(s)) {
    const ok = await askConfirm(`Loading the preset "${preset.label}" starts a new run and discards the current one (${s.step} steps trained). Continue?`, 'Load the preset');
    if (!ok) return false;
  }
  useLab.setState({ loadedPreset: preset.id });
  applySpec(spec, true);
  return true;
}

/**
 * Asked before a field edit or a preset replaces the spec, with what is
 * changing; false declines the change. The sweep mode sets it: the spec is
 * its base experiment, so an edit would make a different sweep.
 */
let specChangeGuard: ((what: string) => boolean | Promise<boolean>) | null = null;

export function setSpecChangeGuard(guard: ((what: string) => boolean | Promise<boolean>) | null): void {
  specChangeGuard = guard;
}

/**
 * Replaces the whole spec (a sweep preset's base experiment): a new run.
 * Asks before discarding trained steps; returns false if the user declined.
 */
export async function replaceSpec(spec: ExperimentSpec, what: string): Promise<boolean> {
  const s = useLab.getState();
  if (encodeSpec(spec) === encodeSpec(s.spec)) return true;
  if (hasProgress(s)) {
    const ok = await askConfirm(`Loading ${what} starts a new run and discards the current one (${s.step} steps trained). Continue?`, 'Start a new run');
    if (!ok) return false;
  }
  useLab.setState({ loadedPreset: null });
  applySpec(structuredClone(spec), true);
  return true;
}

/**
 * What resumes the current run (step, parameters, optimizer state), for the
 * experiment export; null where there is nothing steady to read: no trainer,
 * a run in flight, or a diverged run (its GPU state is no longer finite).
 */
export async function resumableSnapshot(): Promise<TrainerSnapshot | null> {
  const t = trainer;
  const { status, history } = useLab.getState();
  // No live trainer (the device was lost): the run as of its last snapshot.
  if (!t) return status === 'running' || status === 'pausing' || status === 'evaluating' ? null : keptSnapshotFor(history);
  if (status !== 'ready' && status !== 'paused' && status !== 'done') return null;
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
  // Only the curve's bucket means are known of the imported steps.
  convergenceTracker(fresh.history, exp.spec).seedMeans(xs, ys);
  firstLoss = ys.length > 0 ? ys[0] : null;
  const initial = t.initialParams;
  const initialReading = readingOf(t, initial);
  if (initialReading) fresh.omegaMu.push(0, initialReading.omega, initialReading.mu);
  const params = Float32Array.from(exp.params);
  const reading = readingOf(t, params);
  if (reading && exp.step > 0) fresh.omegaMu.push(exp.step, reading.omega, reading.mu);
  traceLsa(t, 0, initial, fresh.lsaTrace);
  const lsa = exp.step > 0 ? traceLsa(t, exp.step, params, fresh.lsaTrace) : lsaReadouts(t, params, s.theoryByOutput);
  useLab.setState({
    ...fresh,
    status: exp.step === 0 ? 'ready' : 'paused',
    step: exp.step,
    firstLoss: ys.length > 0 ? ys[0] : null,
    lastLoss: ys.length > 0 ? ys[ys.length - 1] : null,
    lastLossSteps: ys.length > 0 ? xs[xs.length - 1] - (xs.length > 1 ? xs[xs.length - 2] : 0) : 0,
    historyVersion: Math.max(fresh.historyVersion, s.historyVersion + 1),
    ...paramsView(t, params, reading),
    lsa,
    timeline: importedTimeline(t, exp),
  });
  multiStepReferenceOp(gen, exp.spec);
  await ridgeReferenceOp(gen, t);
}

/**
 * Replaces the current experiment with an imported one (already checked:
 * src/export/importExperiment.ts): applies its spec (the URL follows),
 * rebuilds the trainer, restores its step, parameters and optimizer state and
 * its loss curve, and leaves the run paused there so Train continues it.
 * Asks before discarding trained steps; resolves false if the user declined.
 */
export async function importExperimentRun(exp: ImportedExperiment): Promise<boolean> {
  const s = useLab.getState();
  if (!device || s.gpu.kind !== 'ready') {
    addNotice({ tone: 'error', title: 'Could not import the experiment', items: ['no GPU: the run cannot be rebuilt'] });
    return false;
  }
  if (hasProgress(s)) {
    const ok = await askConfirm(`Importing an experiment replaces the current one (${s.step} steps trained). Continue?`, 'Import');
    if (!ok) return false;
  }
  stopRequested = true;
  const gen = ++generation;
  clearRunTracking();
  const spec = structuredClone(exp.spec);
  useLab.setState({
    spec,
    ...theoryOf(spec),
    ridgeReference: null,
    multiStepReference: null,
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
  // Without a trainer (the device was lost) the current spec gives the layout.
  const model = trainer?.model ?? modelOrNull(useLab.getState().spec);
  if (!model || model.paramCount !== params.length) return null;
  return {
    matrices: extractMatrices(model, params),
    layout: model.matrices.map((m) => ({ name: m.name, offset: m.offset, rows: m.rows, cols: m.cols })),
  };
}

function modelOrNull(spec: ExperimentSpec): ReturnType<typeof modelFor> | null {
  try {
    return modelFor(spec);
  } catch {
    return null;
  }
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
  attachDevice(acquired.device, acquired.description);
  const gen = ++generation;
  enqueue(() => rebuildOp(gen, useLab.getState().spec));
}

// ---- device loss ------------------------------------------------------------

let bufferAccount: BufferAccount | null = null;

/** The lab's current GPU device and its adapter's description; null while there is none (starting, lost, unavailable). */
export function labDevice(): { device: GPUDevice; description: string } | null {
  const gpu = useLab.getState().gpu;
  return device && gpu.kind === 'ready' && !recovering ? { device, description: gpu.description } : null;
}

/**
 * Runs `op` on the lab's device as one of the lab's queued operations, so it
 * never runs beside the single run's training (a Train pressed meanwhile waits
 * behind it). Rejects when there is no device; `op`'s errors reject too,
 * without touching the single run's state.
 */
export function runOnLabDevice<T>(op: (device: GPUDevice, description: string) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    enqueue(async () => {
      const lab = labDevice();
      if (!lab) {
        reject(new Error('no GPU device: the lab has none right now'));
        return;
      }
      try {
        resolve(await op(lab.device, lab.description));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** GPU buffers the lab holds on its current device (count and bytes), for the memory readout and the soak run. */
export function gpuBufferUsage(): { count: number; bytes: number; created: number } | null {
  return bufferAccount ? { count: bufferAccount.liveCount(), bytes: bufferAccount.liveBytes(), created: bufferAccount.createdCount() } : null;
}

/** How long a recovery waits for the operation in flight to notice the loss before going ahead. */
const QUEUE_WAIT_MS = 5000;

/** Takes a device on: its loss is recovered from, its uncaptured errors reported once each. */
function attachDevice(dev: GPUDevice, description: string): void {
  device = dev;
  bufferAccount = trackBuffers(dev);
  watchLoss(dev);
  void dev.lost.then((info) => {
    // Only the lab's current device matters, and not where the lab destroyed it on purpose.
    if (dev === device && !destroyedByLab(dev)) onDeviceLost(info);
  });
  const seen = new Set<string>();
  dev.addEventListener('uncapturederror', (ev) => {
    const message = (ev as GPUUncapturedErrorEvent).error.message;
    if (seen.has(message)) return; // one notice per distinct error, not one per step
    seen.add(message);
    addNotice({ tone: 'error', title: 'GPU error', items: [message] });
  });
  useLab.setState({ gpu: { kind: 'ready', description } });
}

/**
 * The device is gone (driver reset, a long-hidden tab, destroy()): stop the
 * work on it and queue the recovery behind whatever was running, which now
 * fails or returns as its generation is stale.
 */
function onDeviceLost(info: GPUDeviceLostInfo): void {
  const lostAt = performance.now();
  const was = useLab.getState().status;
  recovering = true;
  stopRequested = true;
  generation++;
  device = null;
  trainer?.destroy();
  trainer = null;
  useLab.setState({ status: 'building' });
  const behind = queue;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = Promise.race([behind, new Promise<void>((resolve) => (timer = setTimeout(resolve, QUEUE_WAIT_MS)))]);
  queue = settled
    .then(() => {
      clearTimeout(timer);
      return recoverOp(info, was, lostAt);
    })
    .catch((e: unknown) => fail(e));
}

/**
 * Re-creates the device and the trainer for the current spec, restores the
 * run's last snapshot, cuts the histories back to its step and carries on as
 * the run was (training resumes; the replayed steps give the same numbers, as
 * every step's data is keyed by its index). Gives up, saying so, when no
 * device can be had or the device keeps getting lost.
 */
async function recoverOp(info: GPUDeviceLostInfo, was: LabState['status'], lostAt: number): Promise<void> {
  try {
    if (recordLoss(lostAt)) {
      giveUp(info, `It was lost more than ${MAX_LOSSES} times within a minute, so the lab stopped re-creating it.`);
      return;
    }
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    let acquired;
    try {
      if (!gpu) throw new Error('WebGPU is no longer available');
      acquired = await acquireDevice(gpu);
    } catch (e) {
      giveUp(info, `Re-creating it failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    attachDevice(acquired.device, acquired.description);
    const gen = ++generation;
    const s = useLab.getState();
    const spec = s.spec;
    // A snapshot of this very run (a spec change or Reset meanwhile started a new one).
    const snap = keptSnapshotFor(s.history);
    if (!snap) {
      recovering = false;
      await rebuildOp(gen, spec);
      if (gen === generation) addNotice({ tone: 'info', title: resumedTitle(info, 0), items: [] });
      noteRecovery({ fromStep: 0, ms: performance.now() - lostAt });
      return;
    }
    const t = await createTrainer(gen, acquired.device, spec, (tr) => tr.restore(snap));
    if (gen !== generation) return;
    if (!t) {
      giveUp(info, 'The trainer could not be rebuilt on the new device.');
      return;
    }
    trainer = t;
    const total = spec.train.steps;
    const view = restoreView(t, snap);
    // The kept snapshots stay (the replayed steps are bit-identical); the views go live.
    live = { step: snap.step, params: Float32Array.from(snap.params) };
    // A finished run keeps its results; a run cut short carries on (through its evaluation).
    const finished = was === 'done' && snap.step >= total;
    const resume = !finished && (was === 'running' || was === 'evaluating' || was === 'done');
    useLab.setState({
      ...view,
      viewStep: null,
      timelinePlaying: false,
      status: finished ? 'done' : snap.step === 0 ? 'ready' : 'paused',
      ...(finished ? { lengthPending: false, reducedPending: false } : {}),
    });
    recovering = false;
    noteRecovery({ fromStep: snap.step, ms: performance.now() - lostAt });
    addNotice({ tone: 'info', title: resumedTitle(info, snap.step), items: [] });
    if (resume) train();
  } finally {
    recovering = false;
  }
}

/**
 * The page's run fields at a snapshot: the histories cut back to its step
 * (the steps after it are replayed), the step counter there, and its
 * parameters shown. `t` gives the model's layout; a live trainer or the spec's model.
 */
function restoreView(t: Pick<Trainer, 'spec' | 'model'>, snap: TrainerSnapshot): Partial<LabState> {
  const s = useLab.getState();
  rewindHistory(s.history, snap);
  s.omegaMu.truncateAfter(snap.step);
  s.lsaTrace.truncateAfter(snap.step);
  clearRunTracking();
  firstLoss = snap.step > 0 ? s.firstLoss : null;
  const curve = s.history.points();
  const n = curve.x.length;
  const params = Float32Array.from(snap.params);
  return {
    step: snap.step,
    stepsPerSecond: null,
    firstLoss,
    lastLoss: n > 0 ? curve.y[n - 1] : null,
    lastLossSteps: n > 0 ? curve.x[n - 1] - (n > 1 ? curve.x[n - 2] : 0) : 0,
    historyVersion: s.historyVersion + 1,
    ...paramsView(t, params, readingOf(t, params)),
    lsa: lsaReadouts(t, params, s.theoryByOutput),
  };
}

/**
 * No device to continue on: says so, leaves the page unable to train, and
 * shows the run as of its last snapshot so Export experiment still saves it.
 */
function giveUp(info: GPUDeviceLostInfo, why: string): void {
  recovering = false;
  generation++;
  stopRequested = true;
  device = null;
  trainer?.destroy();
  trainer = null;
  const s = useLab.getState();
  const snap = keptSnapshotFor(s.history);
  const model = modelOrNull(s.spec);
  const usable = snap && model && model.paramCount === snap.params.length ? snap : null;
  if (usable && model) useLab.setState(restoreView({ spec: s.spec, model }, usable));
  unavailable({ kind: 'unavailable', reason: 'device-lost', detail: describeLoss(info) });
  addNotice({ tone: 'error', title: GIVEN_UP_TITLE, items: givenUpItems(info, why, usable ? usable.step : null) });
  noteRecovery('given-up');
}

/**
 * Whenever the run comes to rest (ready, paused, done), the exact state there
 * becomes the kept snapshot, so a loss while resting loses no step.
 */
async function restSnapshotOp(gen: number): Promise<void> {
  const t = trainer;
  if (gen !== generation || !t || recovering) return;
  const { status, history } = useLab.getState();
  if (status !== 'ready' && status !== 'paused' && status !== 'done') return;
  if (keptSnapshotFor(history)?.step === t.stepsSubmitted) return;
  const snap = await t.snapshot();
  if (gen === generation && trainer === t && useLab.getState().history === history) keepSnapshot(snap, history);
}

useLab.subscribe((s, prev) => {
  if (s.status === prev.status || !trainer || recovering) return;
  if (s.status !== 'ready' && s.status !== 'paused' && s.status !== 'done') return;
  const gen = generation;
  enqueue(() => restSnapshotOp(gen));
});

/**
 * Destroys the lab's current device the way a driver reset or the browser
 * would lose it (for the page's tests and the devtools console); the lab
 * recovers as from any loss. False when there is no device.
 */
export function loseDevice(): boolean {
  const dev = device;
  if (!dev) return false;
  dev.destroy();
  return true;
}
