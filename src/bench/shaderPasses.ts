// The source-level shader passes (loop unrolling, array scalarization; see
// engine/unroll.ts) measured on the adapter at hand: for a configuration, the
// trainer's pipeline build time and WGSL size, and steps/s, with the passes
// and without. They were written for CPU-emulated GPUs, whose JIT does
// neither; whether a hardware compiler gains or loses by them is this table's
// to say, not a guess.
import { Trainer, type TrainerOptions } from '../engine/trainer.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { pipelineBuildCount, pipelineBuildsSince } from '../engine/pipeline.ts';
import { benchSpec, type BenchCase } from './grid.ts';
import { spread, timingPlan, type Spread } from './run.ts';

/** A trainer built and timed with some TrainerOptions (the passes on or off, a softmax kernel). */
export interface TrainerTiming {
  /** Wall time of Trainer.create, its pipeline builds included (kernels both sides share build once, on the first). */
  createMs: number;
  /** The training kernel's build time and WGSL size: the kernel the passes change most. */
  trainBuildMs: number;
  trainChars: number;
  stepsPerSecond: Spread;
}
export type PassesSide = TrainerTiming;

export interface PassesResult {
  id: string;
  on: PassesSide;
  off: PassesSide;
}

/** Builds a trainer for `spec` with `options` (timing the build), then times `runs` runs of about `secondsPerRun` each. */
export async function timeTrainer(device: GPUDevice, spec: ExperimentSpec, options: TrainerOptions, runs: number, secondsPerRun: number): Promise<TrainerTiming> {
  const mark = pipelineBuildCount();
  const { chunk, stepsPerRun: steps, createMs } = await timingPlan(device, spec, secondsPerRun, options);
  const train = pipelineBuildsSince(mark).find((b) => b.label === 'train');
  const t = await Trainer.create(device, spec, { ...options, chunkSteps: chunk });
  const rates: number[] = [];
  try {
    await t.run({ steps: chunk });
    for (let r = 0; r < runs; r++) {
      const t1 = performance.now();
      await t.run({ steps });
      rates.push((steps * 1000) / (performance.now() - t1));
    }
  } finally {
    t.destroy();
  }
  return { createMs, trainBuildMs: train?.ms ?? NaN, trainChars: train?.chars ?? NaN, stepsPerSecond: spread(rates) };
}

/**
 * One configuration without the passes, then with them. Run it before
 * anything else has built these kernels on the device (the pipeline cache
 * would serve them), e.g. first in the benchmark.
 */
export async function shaderPassesCase(device: GPUDevice, c: BenchCase, o: { runs?: number; secondsPerRun?: number; log?: (s: string) => void }): Promise<PassesResult> {
  const runs = Math.max(3, o.runs ?? 3);
  const seconds = o.secondsPerRun ?? 0.5;
  const off = await timeTrainer(device, benchSpec(c), { shaderPasses: false }, runs, seconds);
  const on = await timeTrainer(device, benchSpec(c), { shaderPasses: true }, runs, seconds);
  o.log?.(
    `  ${c.id}: passes on ${on.stepsPerSecond.median.toFixed(0)} steps/s (training kernel built in ${on.trainBuildMs.toFixed(0)} ms), off ${off.stepsPerSecond.median.toFixed(0)} steps/s (${off.trainBuildMs.toFixed(0)} ms)`,
  );
  return { id: c.id, on, off };
}

/** Which of two timings is faster by more than the spread between runs: its slowest run beats the other's fastest. */
export function fasterOf(a: Spread, b: Spread): 'a' | 'b' | 'tie' {
  if (a.min > b.max) return 'a';
  if (b.min > a.max) return 'b';
  return 'tie';
}

/** What the table says: the passes pay where they raise steps/s by more than the spread between runs. */
export function passesVerdict(r: PassesResult): 'on' | 'off' | 'tie' {
  return ({ a: 'on', b: 'off', tie: 'tie' } as const)[fasterOf(r.on.stepsPerSecond, r.off.stepsPerSecond)];
}
