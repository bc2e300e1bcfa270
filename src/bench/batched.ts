// Runs batched into one set of dispatches (engine/batchTrainer.ts) against R:
// dispatches and submissions per run-step, steps/s per run and summed over
// the runs. The runs differ in their seeds, as a sweep's seeds do.
import { BatchTrainer } from '../engine/batchTrainer.ts';
import { benchSpec, type BenchCase } from './grid.ts';

export const BATCH_SIZES = [1, 4, 16, 64] as const;

export interface BatchedRow {
  id: string;
  runs: number;
  /** Steps every run took in the timed part. */
  steps: number;
  seconds: number;
  /** Steps per second of one run, and of all runs together. */
  stepsPerSecond: number;
  runStepsPerSecond: number;
  dispatchesPerRunStep: number;
  submitsPerRunStep: number;
  /** Building the kernels and buffers. */
  createMs: number;
}

/** One batch size: build, one warm-up submission, then about `seconds` of training. */
export async function batchedCase(device: GPUDevice, c: BenchCase, runs: number, o: { seconds?: number; chunkSteps?: number; log?: (s: string) => void } = {}): Promise<BatchedRow> {
  const base = benchSpec(c);
  const specs = Array.from({ length: runs }, (_, r) => ({ ...base, train: { ...base.train, dataSeed: 1 + r, initSeed: 1 + r } }));
  const chunk = o.chunkSteps ?? 100;
  const t0 = performance.now();
  const b = await BatchTrainer.create(device, specs, { chunkSteps: chunk });
  const createMs = performance.now() - t0;
  try {
    // The warm-up submission also measures the step time, which sizes the timed part.
    const w0 = performance.now();
    await b.run({ steps: chunk });
    const perStep = (performance.now() - w0) / chunk;
    const steps = Math.max(chunk, Math.round(((o.seconds ?? 1) * 1000) / perStep / chunk) * chunk);
    const before = { ...b.counters };
    const t1 = performance.now();
    await b.run({ steps });
    const seconds = (performance.now() - t1) / 1000;
    const runSteps = steps * runs;
    const row: BatchedRow = {
      id: c.id,
      runs,
      steps,
      seconds,
      stepsPerSecond: steps / seconds,
      runStepsPerSecond: runSteps / seconds,
      dispatchesPerRunStep: (b.counters.dispatches - before.dispatches) / runSteps,
      submitsPerRunStep: (b.counters.submits - before.submits) / runSteps,
      createMs,
    };
    o.log?.(`  ${c.id} R=${runs}: ${row.stepsPerSecond.toFixed(0)} steps/s per run, ${row.runStepsPerSecond.toFixed(0)} run-steps/s, ${row.dispatchesPerRunStep.toFixed(3)} dispatches per run-step`);
    return row;
  } finally {
    b.destroy();
  }
}
