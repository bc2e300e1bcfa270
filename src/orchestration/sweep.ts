// The sweep engine, DOM-free, shared by the page and the runner: it expands a
// sweep into runs, skips the ones already finished (a resumed sweep), trains
// and evaluates the rest through a backend, streams each finished run's
// record, and can be cancelled between submissions. A run's record holds its
// spec, its own link and the single-run result; wall-clock figures and the
// adapter sit under `timing`, so two sweeps of the same spec compare equal
// once the `timing` keys are dropped.
//
// The backend is the seam for a trainer that trains several runs of one shape
// at once: it receives the whole list (grouped by shape with groupByShape)
// and yields records in any order; the engine keys them by index.
import type { ExperimentResult } from '../analysis/evaluation.ts';
import type { SweepRunResult } from '../analysis/sweepPoints.ts';
import type { Readback } from '../engine/trainer.ts';
import { encodeSpec } from '../spec/codec.ts';
import { expandSweep, shardRuns, type AxisValue, type SweepRunPlan, type SweepSpec } from '../spec/sweep.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { RunCancelled, RunDiverged, runExperiment } from './run.ts';

export interface RunTiming {
  adapter: string;
  wallSeconds: number;
  stepsPerSecond: number;
  /** Seconds the length curve took. */
  lengthSeconds: number;
  /** What the engine did to train the run (for runs trained in a batch, the batch's). */
  counters?: ExperimentResult['counters'];
  /** Runs trained together with this one in one set of dispatches (1 where alone). */
  batchRuns?: number;
}

export interface SweepRunRecord {
  index: number;
  point: number;
  replicate: number;
  coords: AxisValue[];
  spec: ExperimentSpec;
  /** The run's own link: opened alone it trains to the same bits. */
  share: string;
  /** done; diverged (its loss went NaN or infinite); failed (e.g. past a GPU limit). */
  status: 'done' | 'diverged' | 'failed';
  message?: string;
  /** Other fields the grid point forced. */
  notes: string[];
  result?: SweepRunResult;
  timing: RunTiming | null;
}

/** Moves a result's wall-clock figures and adapter name under `timing`. */
export function splitTiming(r: ExperimentResult, batchRuns = 1): { result: SweepRunResult; timing: RunTiming } {
  const { adapter, wallSeconds, stepsPerSecond, counters, ...rest } = r;
  const lengthSeconds = r.lengthGeneralization.seconds ?? 0;
  const strip = <T extends { seconds?: number }>(c: T): T => {
    const { seconds: _s, ...keep } = c;
    return keep as T;
  };
  const result: SweepRunResult = {
    ...rest,
    lengthGeneralization: strip(rest.lengthGeneralization),
    outputs: rest.outputs.map((o) => ({ ...o, lengthGeneralization: strip(o.lengthGeneralization) })),
  };
  return { result, timing: { adapter, wallSeconds, stepsPerSecond, lengthSeconds, counters, batchRuns } };
}

/** A run's record from its plan and how it ended. */
export function runRecord(plan: SweepRunPlan, outcome: { result: ExperimentResult; batchRuns?: number } | { status: 'diverged' | 'failed'; message: string }): SweepRunRecord {
  const base = { index: plan.index, point: plan.point, replicate: plan.replicate, coords: plan.coords, spec: plan.spec, share: encodeSpec(plan.spec), notes: plan.notes };
  if ('result' in outcome) {
    const { result, timing } = splitTiming(outcome.result, outcome.batchRuns);
    return { ...base, status: 'done', result, timing };
  }
  return { ...base, status: outcome.status, message: outcome.message, timing: null };
}

export interface BackendContext {
  lengths: number[];
  /** See RunOptions.cpuSliceMs (the page sets it). */
  cpuSliceMs?: number;
  maxHistory: number;
  shouldStop: () => boolean;
  /** Training progress of a run in flight. */
  onSteps?: (plan: SweepRunPlan, step: number) => void;
}

export interface SweepBackend {
  /**
   * Trains and evaluates the runs, yielding each run's record as it
   * finishes. Ends early (without a record for the run in flight) once
   * ctx.shouldStop() is true. Errors that are not the run's own (a lost
   * device) propagate.
   */
  runAll(plans: SweepRunPlan[], ctx: BackendContext): AsyncIterable<SweepRunRecord>;
}

/** What a run's failure says about the run rather than the device: its own message, else null. */
function runOwnFailure(e: unknown): { status: 'diverged' | 'failed'; message: string } | null {
  if (e instanceof RunDiverged) return { status: 'diverged', message: e.message };
  if (e instanceof Error && e.name === 'ResourceLimitError') return { status: 'failed', message: e.message };
  return null;
}

/** One run after another on one device, through runExperiment: the single-run computation exactly. */
export function sequentialBackend(device: GPUDevice, adapter: string, options: { chunkSteps?: number } = {}): SweepBackend {
  return {
    async *runAll(plans, ctx) {
      for (const plan of plans) {
        if (ctx.shouldStop()) return;
        let record: SweepRunRecord;
        try {
          const result = await runExperiment(device, plan.spec, {
            adapter,
            chunkSteps: options.chunkSteps,
            maxHistory: ctx.maxHistory,
            lengths: ctx.lengths,
            shouldStop: ctx.shouldStop,
            cpuSliceMs: ctx.cpuSliceMs,
            onProgress: (r: Readback) => ctx.onSteps?.(plan, r.step),
          });
          record = runRecord(plan, { result });
        } catch (e) {
          if (e instanceof RunCancelled) return;
          const own = runOwnFailure(e);
          if (!own) throw e;
          record = runRecord(plan, own);
        }
        yield record;
      }
    },
  };
}

/** The key of the runs a batched trainer could train together: same model, sizes and batch. */
export function shapeKey(spec: ExperimentSpec): string {
  const { model, task, train } = spec;
  return [model.type, task.d, task.n, task.tasks, model.type === 'softmax' ? model.heads : 1, train.batch].join('/');
}

/** Plans grouped by shape, each group in index order, groups in order of their first run. */
export function groupByShape(plans: SweepRunPlan[]): SweepRunPlan[][] {
  const groups = new Map<string, SweepRunPlan[]>();
  for (const p of plans) {
    const k = shapeKey(p.spec);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  return [...groups.values()];
}

export interface SweepProgress {
  /** Runs of this sweep (or shard) finished, including those found already done. */
  runsDone: number;
  runsTotal: number;
  /** Training steps of finished runs plus the runs in flight, of all runs' steps. */
  stepsDone: number;
  stepsTotal: number;
  /** The run in flight (the latest reported, where a batch trains several). */
  current: { index: number; step: number; steps: number } | null;
}

/** Points kept of each run's loss history in a sweep. */
export const SWEEP_HISTORY_POINTS = 1000;

export interface SweepOptions {
  backend: SweepBackend;
  shard?: { index: number; count: number } | null;
  /** Records already finished (a resumed sweep): their runs are not redone. */
  finished?: SweepRunRecord[];
  onRecord?: (r: SweepRunRecord) => void;
  onProgress?: (p: SweepProgress) => void;
  shouldStop?: () => boolean;
  /** See RunOptions.cpuSliceMs (the page sets it). */
  cpuSliceMs?: number;
}

export interface SweepOutcome {
  /** This sweep's (or shard's) records in index order: the finished ones passed in and the new ones. */
  records: SweepRunRecord[];
  /** True when it stopped before every run had a record. */
  cancelled: boolean;
}

export async function runSweep(sweep: SweepSpec, options: SweepOptions): Promise<SweepOutcome> {
  const plans = shardRuns(expandSweep(sweep), options.shard ?? null);
  const byIndex = new Map<number, SweepRunRecord>();
  const planIndex = new Set(plans.map((p) => p.index));
  for (const r of options.finished ?? []) if (planIndex.has(r.index)) byIndex.set(r.index, r);
  const todo = plans.filter((p) => !byIndex.has(p.index));
  const stepsTotal = plans.reduce((a, p) => a + p.spec.train.steps, 0);
  let stepsDone = plans.filter((p) => byIndex.has(p.index)).reduce((a, p) => a + p.spec.train.steps, 0);
  const shouldStop = options.shouldStop ?? (() => false);
  // Steps of the runs in flight (several where the backend trains a batch together).
  const inFlight = new Map<number, number>();
  const report = (current: SweepProgress['current']) => {
    let flying = 0;
    for (const v of inFlight.values()) flying += v;
    options.onProgress?.({ runsDone: byIndex.size, runsTotal: plans.length, stepsDone: stepsDone + flying, stepsTotal, current });
  };
  report(null);
  const ordered = groupByShape(todo).flat();
  for await (const rec of options.backend.runAll(ordered, {
    lengths: sweep.lengths,
    maxHistory: SWEEP_HISTORY_POINTS,
    shouldStop,
    cpuSliceMs: options.cpuSliceMs,
    onSteps: (plan, step) => {
      inFlight.set(plan.index, step);
      report({ index: plan.index, step, steps: plan.spec.train.steps });
    },
  })) {
    inFlight.delete(rec.index);
    byIndex.set(rec.index, rec);
    stepsDone += rec.spec.train.steps;
    options.onRecord?.(rec);
    report(null);
  }
  const records = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return { records, cancelled: records.length < plans.length };
}
