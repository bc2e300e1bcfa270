// The sweep mode's state, for its views: the sweep (its base experiment
// mirrors the lab's spec), its link, the finished runs' records, progress,
// where the records are kept, and the figure's view options. The engine and
// the device are not state: sweepController.ts owns them and publishes here,
// progress at most ~10 times per second.
import { create } from 'zustand';
import type { SweepProgress, SweepRunRecord } from '../orchestration/sweep.ts';
import type { SweepBudget, SweepSpec } from '../spec/sweep.ts';

export type SweepMode = 'single' | 'sweep';

/**
 * What the sweep engine is doing: reading the saved runs for the link,
 * nothing, training, finishing the run in flight before pausing, stopping now
 * (cancel), re-creating a lost device, or stopped by an error.
 */
export type SweepActivity = 'loading' | 'idle' | 'running' | 'pausing' | 'stopping' | 'recovering' | 'error';

/** What the page shows as the sweep's status (activity, with idle split by how many runs are done). */
export type SweepStatus = Exclude<SweepActivity, 'idle'> | 'ready' | 'paused' | 'done';

export interface SweepView {
  kind: 'field' | 'length';
  metric: string;
  /** Output (task) shown, 0-based. */
  output: number;
}

export interface SweepState {
  mode: SweepMode;
  /** The committed sweep (null until the sweep mode is first entered). */
  sweep: SweepSpec | null;
  /** encodeSweep(sweep): the address bar's query in sweep mode, and the key of its saved runs. */
  link: string;
  /** Why the sweep cannot run as it stands (a grid point that breaks a rule, the budget). */
  issues: string[];
  budget: SweepBudget | null;
  runsTotal: number;
  activity: SweepActivity;
  /** Finished runs of this sweep (done, diverged or failed), in index order. */
  records: SweepRunRecord[];
  /** Bumped whenever `records` changes. */
  recordsVersion: number;
  /** Records of this link confirmed written to storage. */
  saved: number;
  /** Records of this link loaded from storage when it was opened, and runs trained in this page load. */
  fromStorage: number;
  trainedHere: number;
  progress: SweepProgress | null;
  /** Training steps per second over this session of the sweep (evaluation time included), and the time left. */
  stepsPerSecond: number | null;
  secondsLeft: number | null;
  storage: { kind: 'pending' | 'indexeddb' | 'memory'; reason?: string };
  error: string | null;
  /** What the link it was opened from had wrong (each bad part, dropped). */
  linkErrors: string[];
  device: { losses: number; recoveries: number; givenUp: boolean; description: string | null };
  view: SweepView;
}

export const DEFAULT_VIEW: SweepView = { kind: 'field', metric: 'test.model', output: 0 };

/** A sweep's run fields before any run is known (a new sweep, or its saved runs discarded). */
export function freshSweepRuns(): Pick<SweepState, 'records' | 'saved' | 'fromStorage' | 'trainedHere' | 'progress' | 'stepsPerSecond' | 'secondsLeft' | 'error'> {
  return { records: [], saved: 0, fromStorage: 0, trainedHere: 0, progress: null, stepsPerSecond: null, secondsLeft: null, error: null };
}

export const useSweep = create<SweepState>()(() => ({
  mode: 'single',
  sweep: null,
  link: '',
  issues: [],
  budget: null,
  runsTotal: 0,
  activity: 'idle',
  recordsVersion: 0,
  ...freshSweepRuns(),
  storage: { kind: 'pending' },
  linkErrors: [],
  device: { losses: 0, recoveries: 0, givenUp: false, description: null },
  view: DEFAULT_VIEW,
}));

/** True while the engine is working on the sweep (the form and the base experiment are locked). */
export function sweepActive(activity: SweepActivity): boolean {
  return activity === 'running' || activity === 'pausing' || activity === 'stopping' || activity === 'recovering';
}

export function sweepStatus(s: Pick<SweepState, 'activity' | 'records' | 'runsTotal'>): SweepStatus {
  if (s.activity !== 'idle') return s.activity;
  if (s.runsTotal > 0 && s.records.length >= s.runsTotal) return 'done';
  return s.records.length > 0 ? 'paused' : 'ready';
}

export function setSweepView(view: Partial<SweepView>): void {
  useSweep.setState((s) => ({ view: { ...s.view, ...view } }));
}
