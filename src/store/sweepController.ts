// The page's sweep mode: owns its GPU device and drives the DOM-free sweep
// engine (orchestration/sweep.ts), keeps every finished run in the browser's
// IndexedDB under the sweep's link (sweepStorage.ts), and publishes to the
// sweep store (sweepStore.ts). The page is in sweep mode when its link
// carries `sweep=`; the address bar then holds the whole sweep (encodeSweep)
// and its base experiment is the lab's spec, which the sidebar edits.
//
// Runs are atomic: Pause lets the run in flight finish, Cancel drops it; both
// keep the finished runs, and Resume (or a reload while the sweep was
// running, or a lost device) goes on without redoing them.
import { askConfirm } from './confirm.ts';
import { acquireDevice } from '../gpu/device.ts';
import { runSweep, type SweepBackend, type SweepProgress, type SweepRunRecord } from '../orchestration/sweep.ts';
import { batchedBackend, batchesOf } from '../orchestration/batchedBackend.ts';
import { runScalars } from '../analysis/sweepPoints.ts';
import { decodeSpec, encodeSpec } from '../spec/codec.ts';
import { FIELD_BY_PATH } from '../spec/fields.ts';
import { SWEEP_PRESETS } from '../spec/presets.ts';
import {
  checkSweep,
  decodeSweep,
  encodeSweep,
  expandSweep,
  hasSweep,
  parseAxis,
  runCount,
  sweepBudget,
  SWEEP_VERSION,
  type SweepSpec,
} from '../spec/sweep.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { addNotice, useLab } from './labStore.ts';
import { pause as pauseSingleRun, replaceSpec, setSpecChangeGuard } from './runController.ts';
import { MemoryStorage, openSweepStorage, describeStorageError, type SweepStorage } from './sweepStorage.ts';
import { freshSweepRuns, sweepActive, useSweep, type SweepView } from './sweepStore.ts';
import { writeSpecToLocation } from './url.ts';

const PUBLISH_INTERVAL_MS = 100;
/** How long a recovery waits for the sweep on the lost device to notice before going ahead. */
const QUEUE_WAIT_MS = 5000;
/** Losses within LOSS_WINDOW_MS after which the sweep stops re-creating the device. */
const MAX_LOSSES = 3;
const LOSS_WINDOW_MS = 60_000;
/** The tab's note that a sweep was running when the page went away: a reload resumes it. */
const ACTIVE_KEY = 'icl-lab-sweep-running';

export const SWEEP_LINK_TITLE = 'Some parts of this sweep link could not be used; the rest was applied.';

// ---- storage ------------------------------------------------------------------

let storage: SweepStorage | null = null;
let storageOpening: Promise<SweepStorage> | null = null;

function storageReady(): Promise<SweepStorage> {
  storageOpening ??= openSweepStorage().then((st) => {
    storage = st;
    useSweep.setState({ storage: { kind: st.kind, reason: st.reason } });
    if (st.kind === 'memory') memoryNotice(st.reason ?? 'IndexedDB is unavailable');
    return st;
  });
  return storageOpening;
}

function memoryNotice(reason: string): void {
  addNotice({
    tone: 'warning',
    title: 'Sweep runs are kept in memory only',
    items: [`${reason}. The sweep goes on, but a reload or a closed tab loses its finished runs; export the JSON to keep them.`],
  });
}

/** A write failed (quota, storage cleared): keep this sweep's runs in memory from here on, and say so. */
async function storageFailed(e: unknown, link: string): Promise<void> {
  if (storage?.kind === 'memory') return;
  const mem = new MemoryStorage(`saving to IndexedDB failed (${describeStorageError(e)})`);
  storage = mem;
  storageOpening = Promise.resolve(mem);
  await mem.adopt(link, useSweep.getState().records);
  useSweep.setState({ storage: { kind: 'memory', reason: mem.reason } });
  memoryNotice(mem.reason);
}

function noteActive(link: string | null): void {
  try {
    if (link) sessionStorage.setItem(ACTIVE_KEY, link);
    else sessionStorage.removeItem(ACTIVE_KEY);
  } catch {
    // No session storage: a reload then waits for Resume.
  }
}

function wasActive(link: string): boolean {
  try {
    return sessionStorage.getItem(ACTIVE_KEY) === link;
  } catch {
    return false;
  }
}

// ---- committing a sweep ---------------------------------------------------------

/** A first sweep for a spec: the heads for softmax attention, the context length for LSA; three seeds. */
export function defaultSweep(base: ExperimentSpec): SweepSpec {
  const r = parseAxis(base.model.type === 'softmax' ? 'H=1,2,4,8' : 'n=5,10,20,40');
  if (!r.ok) throw new Error(r.message);
  return { version: SWEEP_VERSION, base, axes: [r.axis], seeds: 3, lengths: [] };
}

/** The figure a new sweep opens on: the length curve when it names lengths, else its metric against the field. */
function viewFor(sweep: SweepSpec, previous: SweepView, figure?: { kind: 'field' | 'length'; metric?: string }): SweepView {
  if (figure) return { kind: figure.kind, metric: figure.metric ?? previous.metric, output: 0 };
  return { ...previous, kind: sweep.lengths.length > 0 ? 'length' : 'field', output: Math.min(previous.output, sweep.base.task.tasks - 1) };
}

let loadGeneration = 0;

/** Makes `next` the sweep: the address bar follows and the runs saved for its link are loaded. */
function commitSweep(next: SweepSpec, figure?: { kind: 'field' | 'length'; metric?: string }): void {
  const link = encodeSweep(next);
  const s = useSweep.getState();
  const issues = checkSweep(next).map((i) => i.message);
  if (link === s.link) {
    useSweep.setState({ sweep: next, issues, ...(figure ? { view: viewFor(next, s.view, figure) } : {}) });
    return;
  }
  // A different sweep replaces this one (not the first one a link opens, which may resume).
  if (s.link) noteActive(null);
  useSweep.setState({
    sweep: next,
    link,
    issues,
    budget: sweepBudget(next),
    runsTotal: runCount(next),
    ...freshSweepRuns(),
    recordsVersion: s.recordsVersion + 1,
    activity: 'loading',
    view: viewFor(next, s.view, figure),
  });
  writeSweepLocation();
  void loadSaved(link, next, ++loadGeneration);
}

/** Keeps the records that are runs of this sweep as it expands now (a stored row from an older page may not be). */
function validRecords(sweep: SweepSpec, rows: SweepRunRecord[]): SweepRunRecord[] {
  const plans = new Map(expandSweep(sweep).map((p) => [p.index, p]));
  const out = new Map<number, SweepRunRecord>();
  for (const r of rows) {
    const plan = plans.get(r?.index);
    if (!plan || out.has(r.index)) continue;
    if (r.status !== 'done' && r.status !== 'diverged' && r.status !== 'failed') continue;
    if (!r.spec || encodeSpec(r.spec) !== encodeSpec(plan.spec)) continue;
    if (r.status === 'done') {
      try {
        if (!r.result || r.result.outputs.length !== plan.spec.task.tasks) continue;
        runScalars(r.result);
      } catch {
        continue;
      }
    }
    out.set(r.index, { ...r, point: plan.point, replicate: plan.replicate, coords: plan.coords, share: encodeSpec(plan.spec) });
  }
  return [...out.values()].sort((a, b) => a.index - b.index);
}

function staticProgress(sweep: SweepSpec, records: SweepRunRecord[]): SweepProgress {
  const plans = expandSweep(sweep);
  const done = new Set(records.map((r) => r.index));
  return {
    runsDone: records.length,
    runsTotal: plans.length,
    stepsDone: plans.filter((p) => done.has(p.index)).reduce((a, p) => a + p.spec.train.steps, 0),
    stepsTotal: plans.reduce((a, p) => a + p.spec.train.steps, 0),
    current: null,
  };
}

async function loadSaved(link: string, sweep: SweepSpec, gen: number): Promise<void> {
  let records: SweepRunRecord[] = [];
  try {
    const st = await storageReady();
    const rows = await st.load(link);
    records = validRecords(sweep, rows);
  } catch (e) {
    addNotice({ tone: 'warning', title: 'The saved runs of this sweep could not be read', items: [describeStorageError(e)] });
  }
  if (gen !== loadGeneration || useSweep.getState().link !== link) return;
  const s = useSweep.getState();
  useSweep.setState({
    records,
    recordsVersion: s.recordsVersion + 1,
    saved: records.length,
    fromStorage: records.length,
    activity: 'idle',
    progress: staticProgress(sweep, records),
  });
  // A reload while the sweep was running goes on with it.
  if (wasActive(link) && records.length < runCount(sweep)) startSweep();
}

/** The address bar holds the sweep (replaceState: an edit does not pile up history entries). */
export function writeSweepLocation(): void {
  const { link, mode } = useSweep.getState();
  if (mode !== 'sweep' || !link) return;
  const query = '?' + link;
  if (window.location.search === query) return;
  window.history.replaceState(window.history.state, '', query + window.location.hash);
}

/**
 * At start-up: a link with `sweep=` opens the sweep mode. Each bad part is
 * named in a notice and dropped, the rest applied (a link left without a valid
 * swept field gets the default one). Returns the base experiment for the lab,
 * or null for a single-run link.
 */
export function openSweepFromLocation(loc: Location = window.location): ExperimentSpec | null {
  const query = loc.search.replace(/^\?/, '');
  if (!hasSweep(query)) return null;
  const parsed = decodeSweep(query);
  let sweep = parsed.sweep;
  const errors = parsed.errors.map((e) => e.message);
  if (!sweep) {
    sweep = defaultSweep(decodeSpec(query).spec);
    errors.push(`no valid swept field was left, so the sweep varies ${FIELD_BY_PATH.get(sweep.axes[0].field)!.key} = ${sweep.axes[0].text} for now`);
  }
  // The grid's own problems (a rule a point breaks, the budget) are shown where Run is refused, not as link errors.
  const issues = new Set(checkSweep(sweep).map((i) => i.message));
  const linkErrors = errors.filter((m) => !issues.has(m));
  if (linkErrors.length > 0) addNotice({ tone: 'warning', title: SWEEP_LINK_TITLE, items: linkErrors });
  useSweep.setState({ mode: 'sweep', linkErrors });
  commitSweep(sweep);
  return sweep.base;
}

// ---- the base experiment follows the lab's spec -------------------------------

let applyingPreset = false;

useLab.subscribe((s, prev) => {
  if (s.spec === prev.spec || applyingPreset) return;
  const sw = useSweep.getState();
  if (sw.mode === 'sweep' && sw.sweep) commitSweep({ ...sw.sweep, base: s.spec });
});

function discardQuestion(what: string, n: number): string {
  return `${what} makes a different sweep. The ${n} finished run${n === 1 ? '' : 's'} of this one stay saved in this browser under its link (Copy link first to come back to ${n === 1 ? 'it' : 'them'}), but leave this view. Continue?`;
}

// In sweep mode the lab's spec is the sweep's base: an edit that would make a
// different sweep asks first where runs are done, and waits while one runs.
setSpecChangeGuard((what) => {
  const s = useSweep.getState();
  if (s.mode !== 'sweep') return true;
  if (sweepActive(s.activity)) return false;
  if (s.records.length === 0) return true;
  return askConfirm(discardQuestion(`Changing ${what}`, s.records.length), 'Make a new sweep');
});

/** Replaces the sweep's axes, seeds or lengths (already valid). Asks before leaving finished runs behind; false if declined. */
export async function proposeSweep(next: SweepSpec): Promise<boolean> {
  const s = useSweep.getState();
  if (encodeSweep(next) === s.link) return true;
  if (sweepActive(s.activity)) return false;
  if (s.records.length > 0 && !(await askConfirm(discardQuestion('This change', s.records.length), 'Make a new sweep'))) return false;
  // Asked twice for one edit (Enter, then the blur): the first answer applied it.
  if (encodeSweep(next) === useSweep.getState().link) return true;
  if (sweepActive(useSweep.getState().activity)) return false;
  commitSweep(next);
  return true;
}

/** Loads a paper figure's sweep: its base experiment into the lab and its sweep here, in one click. */
export async function loadSweepPreset(id: string): Promise<boolean> {
  const preset = SWEEP_PRESETS.find((p) => p.id === id);
  if (!preset) return false;
  const { sweep, errors } = decodeSweep(`v=1&${preset.query}`);
  if (!sweep || errors.length > 0) throw new Error(`sweep preset ${id} is invalid: ${errors.map((e) => e.message).join('; ')}`);
  const s = useSweep.getState();
  if (encodeSweep(sweep) === s.link) {
    commitSweep({ ...sweep, base: useLab.getState().spec }, preset.figures[0]);
    return true;
  }
  if (sweepActive(s.activity)) return false;
  if (s.records.length > 0 && !(await askConfirm(discardQuestion(`Loading "${preset.label}"`, s.records.length), 'Load the sweep'))) return false;
  applyingPreset = true;
  let ok: boolean;
  try {
    ok = await replaceSpec(sweep.base, `the sweep "${preset.label}"`);
  } finally {
    applyingPreset = false;
  }
  if (!ok) return false;
  useSweep.setState({ mode: 'sweep' });
  commitSweep({ ...sweep, base: useLab.getState().spec }, preset.figures[0]);
  return true;
}

// ---- modes ------------------------------------------------------------------------

/** Single run → Sweep: the sweep of the current spec (the last one, or a default); the single run pauses. */
export function enterSweepMode(): void {
  const s = useSweep.getState();
  if (s.mode === 'sweep') return;
  pauseSingleRun();
  const base = useLab.getState().spec;
  const sweep = s.sweep ? { ...s.sweep, base } : defaultSweep(base);
  useSweep.setState({ mode: 'sweep' });
  commitSweep(sweep);
  writeSweepLocation();
}

/** Sweep → Single run: asks first while a sweep runs (it stops; its finished runs stay saved). */
export async function leaveSweepMode(): Promise<boolean> {
  const s = useSweep.getState();
  if (s.mode === 'single') return true;
  if (sweepActive(s.activity)) {
    const n = s.records.length;
    if (!(await askConfirm(`The single-run view stops the sweep: the run in flight is dropped, the ${n} finished run${n === 1 ? '' : 's'} stay saved. Continue?`, 'Stop the sweep'))) return false;
    if (sweepActive(useSweep.getState().activity)) cancelSweep();
  }
  useSweep.setState({ mode: 'single' });
  writeSpecToLocation(useLab.getState().spec);
  return true;
}

/**
 * Opens one run in the single-run view: a navigation to the run's own link
 * (a new history entry, so Back returns to the sweep). While the sweep runs
 * it asks first; a sweep left running resumes when the page comes back.
 */
export async function openRun(share: string): Promise<boolean> {
  if (!(await confirmLeaving())) return false;
  window.location.assign('?' + share);
  return true;
}

/** While the sweep runs, asks before the page navigates away; true when it may. */
export async function confirmLeaving(): Promise<boolean> {
  const s = useSweep.getState();
  if (!sweepActive(s.activity)) return true;
  return askConfirm('Opening this run leaves the sweep page: the run in flight stops and the finished runs stay saved; the sweep resumes when you come back. Continue?', 'Open the run');
}

// ---- the device -----------------------------------------------------------------

let device: GPUDevice | null = null;
let adapterDescription = '';
let acquiring: Promise<GPUDevice> | null = null;
const lossTimes: number[] = [];

async function ensureDevice(): Promise<GPUDevice> {
  if (device) return device;
  acquiring ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) throw new Error('WebGPU is not available in this browser, so the sweep cannot train (its saved runs are still shown)');
    const acquired = await acquireDevice(gpu);
    attachDevice(acquired.device, acquired.description);
    return acquired.device;
  })().finally(() => {
    acquiring = null;
  });
  return acquiring;
}

function attachDevice(dev: GPUDevice, description: string): void {
  device = dev;
  adapterDescription = description;
  useSweep.setState((s) => ({ device: { ...s.device, description } }));
  void dev.lost.then((info) => {
    if (dev === device) onDeviceLost(info);
  });
  const seen = new Set<string>();
  dev.addEventListener('uncapturederror', (ev) => {
    const message = (ev as GPUUncapturedErrorEvent).error.message;
    if (seen.has(message)) return;
    seen.add(message);
    addNotice({ tone: 'error', title: 'GPU error in the sweep', items: [message] });
  });
}

function lossReason(info: GPUDeviceLostInfo): string {
  return info.reason === 'destroyed' ? `destroyed${info.message ? `: ${info.message}` : ''}` : info.message || 'unknown reason';
}

/** The sweep's device is gone: stop the work on it, and where the sweep was running re-create it and go on. */
function onDeviceLost(info: GPUDeviceLostInfo): void {
  device = null;
  const now = performance.now();
  lossTimes.push(now);
  while (lossTimes.length > 0 && now - lossTimes[0] > LOSS_WINDOW_MS) lossTimes.shift();
  const s = useSweep.getState();
  useSweep.setState({ device: { ...s.device, losses: s.device.losses + 1 } });
  const wasRunning = s.activity === 'running' || s.activity === 'pausing';
  if (!wasRunning) {
    // Cancelled just before: nothing to resume. Otherwise the next Run acquires a new device.
    if (s.activity === 'stopping') {
      generation++;
      useSweep.setState({ activity: 'idle' });
    }
    return;
  }
  const gen = ++generation;
  useSweep.setState({ activity: 'recovering' });
  const behind = loop ?? Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  void Promise.race([behind, new Promise<void>((resolve) => (timer = setTimeout(resolve, QUEUE_WAIT_MS)))]).then(() => {
    clearTimeout(timer);
    if (gen !== generation) return;
    const n = useSweep.getState().records.length;
    if (lossTimes.length > MAX_LOSSES) {
      useSweep.setState((st) => ({ activity: 'error', error: `the GPU device was lost more than ${MAX_LOSSES} times within a minute, so the sweep stopped`, device: { ...st.device, givenUp: true } }));
      addNotice({ tone: 'error', title: 'The sweep stopped: the GPU device keeps getting lost', items: [`Last loss: ${lossReason(info)}. The ${n} finished runs are kept; Resume tries again.`] });
      return;
    }
    useSweep.setState((st) => ({ activity: s.activity, device: { ...st.device, recoveries: st.device.recoveries + 1 } }));
    addNotice({ tone: 'info', title: `The GPU device was lost during the sweep (${lossReason(info)}); the sweep resumed with its ${n} finished run${n === 1 ? '' : 's'} kept.`, items: [] });
    loop = runLoop(gen);
  });
}

/** Destroys the sweep's device the way a driver reset would (tests, devtools); false without one. */
export function loseSweepDevice(): boolean {
  const dev = device;
  if (!dev) return false;
  dev.destroy();
  return true;
}

// ---- running --------------------------------------------------------------------

/** Bumped by every start and recovery; a loop of an older generation drops out. */
let generation = 0;
let loop: Promise<void> | null = null;
let pauseRequested = false;
let cancelRequested = false;

let pendingProgress: SweepProgress | null = null;
let publishTimer: ReturnType<typeof setTimeout> | null = null;
let lastPublish = 0;
let rateStart: { t: number; steps: number } | null = null;

function publishProgress(): void {
  publishTimer = null;
  lastPublish = performance.now();
  const p = pendingProgress;
  if (!p) return;
  pendingProgress = null;
  let stepsPerSecond: number | null = null;
  let secondsLeft: number | null = null;
  const now = performance.now();
  rateStart ??= { t: now, steps: p.stepsDone };
  const secs = (now - rateStart.t) / 1000;
  if (secs > 1 && p.stepsDone > rateStart.steps) {
    stepsPerSecond = (p.stepsDone - rateStart.steps) / secs;
    secondsLeft = (p.stepsTotal - p.stepsDone) / stepsPerSecond;
  }
  useSweep.setState({ progress: p, stepsPerSecond, secondsLeft });
}

function queueProgress(p: SweepProgress): void {
  pendingProgress = p;
  if (publishTimer !== null) return;
  // setTimeout, not an animation frame: the numbers keep up in a hidden tab too.
  publishTimer = setTimeout(publishProgress, Math.max(0, PUBLISH_INTERVAL_MS - (performance.now() - lastPublish)));
}

function flushProgress(): void {
  if (publishTimer !== null) clearTimeout(publishTimer);
  publishProgress();
}

function acceptRecord(gen: number, link: string, r: SweepRunRecord): void {
  if (gen !== generation || useSweep.getState().link !== link) return;
  const s = useSweep.getState();
  const records = [...s.records.filter((x) => x.index !== r.index), r].sort((a, b) => a.index - b.index);
  useSweep.setState({ records, recordsVersion: s.recordsVersion + 1, trainedHere: s.trainedHere + 1 });
  const st = storage;
  if (!st) return;
  st.save(link, r).then(
    () => {
      if (useSweep.getState().link === link && st === storage) useSweep.setState((x) => ({ saved: x.saved + 1 }));
    },
    (e: unknown) => void storageFailed(e, link),
  );
}

/** A backend that runs one plan at a time, so Pause can stop between runs (Cancel stops inside one). */
/**
 * Runs of one shape train together in batches of up to PAGE_BATCH; a pause
 * takes effect between batches (a batch of the page's size trains in a few
 * seconds), a cancel within one.
 */
const PAGE_BATCH = 16;

function pausable(inner: SweepBackend): SweepBackend {
  return {
    async *runAll(plans, ctx) {
      for (const batch of batchesOf(plans, PAGE_BATCH)) {
        if (pauseRequested || ctx.shouldStop()) return;
        yield* inner.runAll(batch, ctx);
      }
    },
  };
}

async function lostSoon(dev: GPUDevice | null, ms = 300): Promise<boolean> {
  if (!dev) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lost = await Promise.race([dev.lost.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return lost;
}

async function runLoop(gen: number): Promise<void> {
  const start = useSweep.getState();
  const sweep = start.sweep;
  if (!sweep) return;
  const link = start.link;
  let dev: GPUDevice | null = null;
  try {
    await storageReady();
    dev = await ensureDevice();
    if (gen !== generation) return;
    rateStart = null;
    const outcome = await runSweep(sweep, {
      backend: pausable(batchedBackend(dev, adapterDescription, { maxBatch: PAGE_BATCH })),
      finished: useSweep.getState().records,
      onRecord: (r) => acceptRecord(gen, link, r),
      onProgress: (p) => {
        if (gen === generation) queueProgress(p);
      },
      shouldStop: () => cancelRequested || gen !== generation,
      cpuSliceMs: 8,
    });
    if (gen !== generation) return;
    flushProgress();
    if (!outcome.cancelled) noteActive(null);
    useSweep.setState({ activity: 'idle', stepsPerSecond: null, secondsLeft: null, progress: { ...staticProgress(sweep, useSweep.getState().records) } });
  } catch (e) {
    // A lost device surfaces as failing GPU calls: the recovery takes over.
    if (gen !== generation || (dev && (await lostSoon(dev)))) return;
    if (gen !== generation) return;
    const message = e instanceof Error ? e.message : String(e);
    useSweep.setState({ activity: 'error', error: message, stepsPerSecond: null, secondsLeft: null });
    addNotice({ tone: 'error', title: 'The sweep stopped with an error', items: [message, 'The finished runs are kept; Resume tries the rest again.'] });
  }
}

/** Whether Run (or Resume) can start now. */
export function canStartSweep(s = useSweep.getState()): boolean {
  if (s.mode !== 'sweep' || !s.sweep || s.issues.length > 0) return false;
  if (s.activity !== 'idle' && s.activity !== 'error') return false;
  return s.records.length < s.runsTotal && useLab.getState().gpu.kind !== 'unavailable';
}

/** Runs the sweep's runs that have no record yet; the single-run trainer pauses meanwhile. */
export function startSweep(): void {
  const s = useSweep.getState();
  if (!canStartSweep(s)) return;
  pauseSingleRun();
  pauseRequested = false;
  cancelRequested = false;
  noteActive(s.link);
  const gen = ++generation;
  useSweep.setState({ activity: 'running', error: null, device: { ...s.device, givenUp: false } });
  loop = runLoop(gen);
}

/** Stops after the run in flight (nothing is lost); Resume goes on. */
export function pauseSweep(): void {
  if (useSweep.getState().activity !== 'running') return;
  pauseRequested = true;
  noteActive(null);
  useSweep.setState({ activity: 'pausing' });
}

/** Stops now: the run in flight is dropped, the finished runs are kept. */
export function cancelSweep(): void {
  const { activity } = useSweep.getState();
  noteActive(null);
  if (activity === 'recovering') {
    generation++;
    useSweep.setState({ activity: 'idle' });
    return;
  }
  if (activity !== 'running' && activity !== 'pausing') return;
  cancelRequested = true;
  useSweep.setState({ activity: 'stopping' });
}

/** Deletes this sweep's saved runs (after a confirmation) so it can be run afresh. */
export async function discardSavedRuns(): Promise<boolean> {
  const s = useSweep.getState();
  if (sweepActive(s.activity) || s.records.length === 0) return false;
  const n = s.records.length;
  if (!(await askConfirm(`Discard the ${n} finished run${n === 1 ? '' : 's'} of this sweep, here and in this browser's storage? Run then trains ${n === 1 ? 'it' : 'them'} again.`, 'Discard'))) return false;
  if (sweepActive(useSweep.getState().activity)) return false;
  const link = s.link;
  try {
    await (await storageReady()).discard(link);
  } catch (e) {
    addNotice({ tone: 'warning', title: 'The saved runs could not be deleted from storage', items: [describeStorageError(e)] });
  }
  if (useSweep.getState().link !== link || sweepActive(useSweep.getState().activity)) return false;
  const sweep = useSweep.getState().sweep!;
  useSweep.setState((x) => ({
    ...freshSweepRuns(),
    recordsVersion: x.recordsVersion + 1,
    activity: 'idle',
    progress: staticProgress(sweep, []),
  }));
  return true;
}
