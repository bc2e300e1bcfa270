// The sweep backend that trains runs of one shape together (BatchTrainer: one
// set of dispatches for up to MAX_BATCH runs), then gives each its own
// trainer, restored to its final state, for the end-of-run measurements. Each
// run's record is the one the sequential backend writes, number for number:
// the batch trains every run bit for bit as alone, a diverged run reports the
// divergence its solo run would, and the evaluation is the same code on the
// same parameters. A run alone in its shape goes through runExperiment.
import { divergenceMessage } from '../analysis/evaluation.ts';
import { BatchTrainer, batchShapeKey } from '../engine/batchTrainer.ts';
import { Trainer } from '../engine/trainer.ts';
import type { SweepRunPlan } from '../spec/sweep.ts';
import { experimentResult, omegaMuTracker, RunCancelled } from './run.ts';
import { runRecord, sequentialBackend, type BackendContext, type SweepBackend, type SweepRunRecord } from './sweep.ts';

/** At most this many runs in one batch (the benchmark's largest R). */
export const MAX_BATCH = 64;

/** Consecutive plans of one shape (batchShapeKey), at most `max` a batch. */
export function batchesOf(plans: SweepRunPlan[], max = MAX_BATCH): SweepRunPlan[][] {
  const out: SweepRunPlan[][] = [];
  let key: string | null = null;
  for (const p of plans) {
    const k = batchShapeKey(p.spec);
    const last = out[out.length - 1];
    if (k === key && last.length < max) last.push(p);
    else out.push([p]);
    key = k;
  }
  return out;
}

export function batchedBackend(device: GPUDevice, adapter: string, options: { chunkSteps?: number; maxBatch?: number } = {}): SweepBackend {
  const sequential = sequentialBackend(device, adapter, options);
  return {
    async *runAll(plans, ctx) {
      for (const batch of batchesOf(plans, options.maxBatch ?? MAX_BATCH)) {
        if (ctx.shouldStop()) return;
        if (batch.length === 1) {
          yield* sequential.runAll(batch, ctx);
          continue;
        }
        const records = await trainBatch(device, adapter, batch, ctx, options.chunkSteps);
        // A batch past the GPU's limits goes one run at a time (each then says what it needs).
        if (records === 'too-large') {
          yield* sequential.runAll(batch, ctx);
          continue;
        }
        if (records === null) return;
        yield* records;
      }
    },
  };
}

/** The batch's records in plan order; null when stopped; 'too-large' when the batch does not fit the GPU. */
async function trainBatch(device: GPUDevice, adapter: string, batch: SweepRunPlan[], ctx: BackendContext, chunkSteps?: number): Promise<SweepRunRecord[] | null | 'too-large'> {
  const specs = batch.map((p) => p.spec);
  let b: BatchTrainer;
  try {
    b = await BatchTrainer.create(device, specs, { chunkSteps });
  } catch (e) {
    if (e instanceof Error && e.name === 'ResourceLimitError') return 'too-large';
    throw e;
  }
  const steps = specs[0].train.steps;
  const losses = specs.map(() => new Float32Array(steps));
  const trackers = specs.map(omegaMuTracker);
  let snapshots;
  let wallSeconds: number;
  try {
    b.initialParams.forEach((p, r) => trackers[r].track(0, p));
    const t0 = performance.now();
    await b.run({
      steps,
      shouldStop: ctx.shouldStop,
      onReadback: (rb) => {
        rb.losses.forEach((l, r) => {
          losses[r].set(l, rb.step - l.length);
          trackers[r].track(rb.step, rb.params[r]);
        });
        batch.forEach((plan) => ctx.onSteps?.(plan, rb.step));
      },
    });
    wallSeconds = (performance.now() - t0) / 1000;
    if (ctx.shouldStop()) return null;
    snapshots = await b.snapshots();
  } finally {
    b.destroy();
  }
  const divergences = b.divergences;
  const counters = { ...b.counters };
  const records: SweepRunRecord[] = [];
  for (const [r, plan] of batch.entries()) {
    const div = divergences[r];
    if (div) {
      records.push(runRecord(plan, { status: 'diverged', message: `training diverged. ${divergenceMessage(plan.spec, div)}` }));
      continue;
    }
    const t = await Trainer.create(device, plan.spec, { chunkSteps });
    try {
      await t.restore(snapshots[r]);
      const result = await experimentResult(
        t,
        { steps, losses: losses[r], trajectory: trackers[r].trajectory, timeline: null, wallSeconds, counters },
        { adapter, lengths: ctx.lengths, cpuSliceMs: ctx.cpuSliceMs, shouldStop: ctx.shouldStop, maxHistory: ctx.maxHistory },
      );
      records.push(runRecord(plan, { result, batchRuns: batch.length }));
    } catch (e) {
      if (e instanceof RunCancelled) return null;
      throw e;
    } finally {
      t.destroy();
    }
  }
  return records;
}
