// A small read-only view of the sweep mode for browser tests (e2e/suites/sweep.mjs)
// and the devtools console, beside window.__iclLab (testHook.ts): numbers, not the store.
import { FIELD_BY_PATH } from '../spec/fields.ts';
import { sweepFigureOf } from './sweepDerived.ts';
import { loseSweepDevice } from './sweepController.ts';
import { sweepStatus, useSweep } from './sweepStore.ts';

export interface SweepSnapshot {
  mode: string;
  /** Ready, running, pausing, stopping, recovering, paused, done, loading or error. */
  status: string;
  /** The sweep's link (the address bar's query in sweep mode). */
  link: string;
  axes: { key: string; field: string; text: string; values: (number | string | boolean | null)[] }[];
  seeds: number;
  lengths: number[];
  runsTotal: number;
  /** Why Run is refused (a grid point's conflict, the budget), if it is. */
  issues: string[];
  budget: { ok: boolean; runs: number; promptSteps: number; message: string | null } | null;
  /** Every finished run: index, status, the model's test MSE (exact), its link. */
  records: { index: number; point: number; replicate: number; coords: (number | string | boolean | null)[]; status: string; message: string | null; testMse: number | null; share: string }[];
  /** Records confirmed in storage; loaded from storage when the link opened; trained in this page load. */
  saved: number;
  fromStorage: number;
  trainedHere: number;
  progress: { runsDone: number; runsTotal: number; stepsDone: number; stepsTotal: number; current: { index: number; step: number; steps: number } | null } | null;
  stepsPerSecond: number | null;
  secondsLeft: number | null;
  storage: { kind: string; reason: string | null };
  error: string | null;
  linkErrors: string[];
  device: { losses: number; recoveries: number; givenUp: boolean; description: string | null };
  view: { kind: string; metric: string; output: number };
  /** The figure as computed from the records (what the plot draws). */
  figure: {
    kind: string;
    title: string;
    logX: boolean;
    logY: boolean;
    traces: { name: string; role: string; x: number[]; y: number[]; se: (number | null)[]; diverged: number[]; points: number[] | null }[];
  } | null;
}

declare global {
  interface Window {
    __iclSweep?: {
      state: () => SweepSnapshot;
      /** Destroys the sweep's GPU device as a real loss would (false without one); a running sweep recovers. */
      loseDevice: () => boolean;
    };
  }
}

export function installSweepTestHook(): void {
  window.__iclSweep = Object.freeze({
    state: (): SweepSnapshot => {
      const s = useSweep.getState();
      const fig = sweepFigureOf(s);
      return {
        mode: s.mode,
        status: sweepStatus(s),
        link: s.link,
        axes: (s.sweep?.axes ?? []).map((a) => ({ key: FIELD_BY_PATH.get(a.field)?.key ?? a.field, field: a.field, text: a.text, values: [...a.values] })),
        seeds: s.sweep?.seeds ?? 0,
        lengths: [...(s.sweep?.lengths ?? [])],
        runsTotal: s.runsTotal,
        issues: [...s.issues],
        budget: s.budget ? { ok: s.budget.ok, runs: s.budget.runs, promptSteps: s.budget.promptSteps, message: s.budget.message ?? null } : null,
        records: s.records.map((r) => ({
          index: r.index,
          point: r.point,
          replicate: r.replicate,
          coords: [...r.coords],
          status: r.status,
          message: r.message ?? null,
          testMse: r.result?.test.model.mean ?? null,
          share: r.share,
        })),
        saved: s.saved,
        fromStorage: s.fromStorage,
        trainedHere: s.trainedHere,
        progress: s.progress ? { ...s.progress, current: s.progress.current ? { ...s.progress.current } : null } : null,
        stepsPerSecond: s.stepsPerSecond,
        secondsLeft: s.secondsLeft,
        storage: { kind: s.storage.kind, reason: s.storage.reason ?? null },
        error: s.error,
        linkErrors: [...s.linkErrors],
        device: { ...s.device },
        view: { ...s.view },
        figure: fig
          ? {
              kind: fig.kind,
              title: fig.title,
              logX: fig.logX,
              logY: fig.logY,
              traces: fig.traces.map((t) => ({ name: t.name, role: t.role, x: [...t.x], y: [...t.y], se: [...t.se], diverged: [...t.diverged], points: t.points ? [...t.points] : null })),
            }
          : null,
      };
    },
    loseDevice: () => loseSweepDevice(),
  });
}
