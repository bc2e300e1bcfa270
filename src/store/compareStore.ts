// "Compare two runs": a pinned run held beside the page's current one. Pin the
// page's run (finished, or paused at a step), a sweep's run (pinRun), or open a
// link whose vs= carries the pinned run's spec: then the pinned run is "not
// trained yet" until Train pinned run trains it headless on the lab's GPU
// device (runExperiment, queued with the lab's own operations so the two never
// train at once). While a run is pinned the address bar carries both specs:
// ?<current spec>&vs=<encodeURIComponent(pinned spec)>.
import { create } from 'zustand';
import { RunCancelled, runExperiment } from '../orchestration/run.ts';
import { decodeSpec, encodeSpec, type ExperimentSpec } from '../spec/index.ts';
import { pinnedFromLab, pinnedFromResult, type PinnedRun } from './compareModel.ts';
import { addNotice, useLab, type LabState } from './labStore.ts';
import { chunkStepsFor, pause, runOnLabDevice } from './runController.ts';
import { linkExtraFromLocation, setLinkExtra } from './url.ts';
import { openSweepStorage } from './sweepStorage.ts';

export { pinnedFromLab, pinnedFromResult, type PinnedRun } from './compareModel.ts';

/** The link key that carries the pinned run's spec. */
export const COMPARE_LINK_KEY = 'vs';

export interface PinnedTraining {
  /** 'queued': waiting for the lab's operation in flight; 'training'; 'evaluating': trained, measuring test MSE. */
  phase: 'queued' | 'training' | 'evaluating';
  step: number;
  total: number;
}

export interface CompareState {
  /** The pinned run's spec; null when nothing is pinned. */
  spec: ExperimentSpec | null;
  /** The pinned run; null while only its spec is known (opened from a link, not trained yet). */
  run: PinnedRun | null;
  /** Set while Train pinned run trains it. */
  training: PinnedTraining | null;
  /** Why the last Train pinned run failed, if it did. */
  error: string | null;
  /** View option: the overlaid loss plot's y axis is logarithmic. */
  logScale: boolean;
}

export const useCompare = create<CompareState>()(() => ({ spec: null, run: null, training: null, error: null, logScale: true }));

// The address bar follows the pinned spec.
useCompare.subscribe((s, prev) => {
  if (s.spec !== prev.spec) setLinkExtra(COMPARE_LINK_KEY, s.spec ? encodeSpec(s.spec) : null);
});

/** Whether the page's run can be pinned now: finished, or paused partway. */
export function canPinLab(s: Pick<LabState, 'status' | 'step' | 'matrices'>): boolean {
  return s.matrices !== null && (s.status === 'done' || (s.status === 'paused' && s.step > 0));
}

let stopTraining = false;

/** Pins a run (the page's, a sweep's), replacing any pinned before; a Train pinned run in flight is cancelled. */
export function pinRun(p: PinnedRun): void {
  stopTraining = true;
  useCompare.setState({ spec: structuredClone(p.spec), run: p, training: null, error: null });
}

/** Pins the page's run as it stands (finished, or paused at its step). False when it cannot be pinned now. */
export function pinCurrentRun(): boolean {
  const s = useLab.getState();
  if (!canPinLab(s)) return false;
  const p = pinnedFromLab(s);
  if (!p) return false;
  pinRun(p);
  return true;
}

/** Drops the pinned run (and cancels its training, if any). */
export function unpin(): void {
  stopTraining = true;
  useCompare.setState({ spec: null, run: null, training: null, error: null });
}

export function setCompareLogScale(log: boolean): void {
  useCompare.setState({ logScale: log });
}

/** Cancels a Train pinned run in flight (it stays "not trained yet"). */
export function cancelPinnedTraining(): void {
  stopTraining = true;
}

/** Readbacks are folded into the progress at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Trains the pinned spec to completion, headless, on the lab's GPU device,
 * then pins the result. A running single run is paused first, and the
 * training is queued behind the lab's operation in flight.
 */
export async function trainPinned(): Promise<void> {
  const { spec, run, training } = useCompare.getState();
  if (!spec || run || training) return;
  if (useLab.getState().status === 'running') pause();
  stopTraining = false;
  const total = spec.train.steps;
  const still = () => useCompare.getState().spec === spec;
  useCompare.setState({ training: { phase: 'queued', step: 0, total }, error: null });
  let last = 0;
  try {
    const result = await runOnLabDevice((device, adapter) => {
      if (stopTraining || !still()) throw new RunCancelled();
      useCompare.setState({ training: { phase: 'training', step: 0, total } });
      return runExperiment(device, spec, {
        adapter,
        cpuSliceMs: 8,
        // The page's own cadence of readbacks; the numbers do not depend on it.
        chunkSteps: chunkStepsFor(spec),
        maxHistory: 2000,
        // The compare view shows no length curve: measure one length, the training n.
        lengths: [spec.task.n],
        shouldStop: () => stopTraining || !still(),
        onProgress: (r) => {
          const now = performance.now();
          if (r.step < total && now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          if (still()) useCompare.setState({ training: { phase: r.step >= total ? 'evaluating' : 'training', step: r.step, total } });
        },
      });
    });
    if (!still()) return;
    useCompare.setState({ run: pinnedFromResult(result, 'link'), training: null, error: null });
  } catch (e) {
    if (!still()) return;
    useCompare.setState({ training: null, error: e instanceof RunCancelled ? null : e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Reads vs= from the page's link: the pinned spec (each bad field named in a
 * notice, the valid rest applied), shown as not trained yet. Call before the
 * address bar is first rewritten.
 */
export function initCompareFromLocation(loc: Location = window.location): void {
  const raw = linkExtraFromLocation(COMPARE_LINK_KEY, loc);
  if (raw === null || raw.trim() === '') return;
  const { spec, errors } = decodeSpec(raw);
  if (errors.length > 0) {
    addNotice({
      tone: 'warning',
      title: 'Some settings of the pinned run (vs= in this link) could not be used; their defaults apply.',
      items: errors.map((e) => e.message),
    });
  }
  useCompare.setState({ spec, run: null, training: null, error: null });
  void pinFromSavedSweeps(spec);
}

/**
 * A pinned spec that a sweep in this browser already trained (the sweep's
 * "compare with pinned") is pinned from that sweep's saved result, with no
 * training: the same numbers, as a run inside a sweep is bit-identical to it alone.
 */
async function pinFromSavedSweeps(spec: ExperimentSpec): Promise<void> {
  const share = encodeSpec(spec);
  try {
    const storage = await openSweepStorage();
    const found = await storage.findDone(share);
    const s = useCompare.getState();
    if (!found?.result || s.run || !s.spec || encodeSpec(s.spec) !== share) return;
    pinRun(pinnedFromResult(found.result, 'sweep'));
  } catch {
    // Nothing saved to use: the pinned run is trained on demand as before.
  }
}
