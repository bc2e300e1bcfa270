// One benchmark configuration through the real engine (the trainer the page and
// the runner use), DOM-free so Node (Dawn) and the browser run the same code.
import { Trainer, type TrainerOptions } from '../engine/trainer.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { cpuStepFloat32, cpuStepFloat64 } from './cpuStep.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import { flopsPerStep, normalsPerStep } from './cost.ts';
import { measureFloor } from './floor.ts';
import { benchSpec, type BenchCase } from './grid.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface BenchResult {
  id: string;
  query: string;
  adapter: string;
  runs: number;
  stepsPerRun: number;
  stepsPerSecond: Spread;
  msPerStep: number;
  flopsPerStep: number;
  gflops: number;
  normalsPerStep: number;
  dispatchesPerStep: number;
  passesPerStep: number;
  bytesReadBackPerStep: number;
  floorMsPerStep: number;
  /** Time per step over the floor's: the median over alternating training and floor runs. */
  floorRatio: number;
  floorTarget: boolean;
  /** n · H · batch (H = 1 for LSA). */
  work: number;
  cpu: { float64: number; float32: number | null; promptsTimed: number };
  /** GPU steps/s over the faster CPU implementation's. */
  gpuOverCpu: number;
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

export interface BenchOptions {
  adapter: string;
  /** Timed runs per configuration (≥ 3). */
  runs?: number;
  /** Seconds each timed run aims for. */
  secondsPerRun?: number;
  /** Skip the CPU timings (the browser leaves them to Node). */
  skipCpu?: boolean;
  log?: (line: string) => void;
}

/**
 * A first pass with one step per submission (which also builds the kernels)
 * estimates the step time; the timed runs then take about 0.2 s per
 * submission, as in the page, and at least 3 submissions a run.
 */
export async function timingPlan(
  device: GPUDevice,
  spec: ExperimentSpec,
  secondsPerRun: number,
  options: TrainerOptions = {},
): Promise<{ msPerStep: number; chunk: number; stepsPerRun: number; createMs: number }> {
  const t0 = performance.now();
  const probe = await Trainer.create(device, spec, { ...options, chunkSteps: 1 });
  const createMs = performance.now() - t0;
  let msPerStep: number;
  try {
    await probe.run({ steps: 2 });
    const t1 = performance.now();
    await probe.run({ steps: 3 });
    msPerStep = (performance.now() - t1) / 3;
  } finally {
    probe.destroy();
  }
  const chunk = Math.max(1, Math.min(100, Math.round(200 / msPerStep)));
  const stepsPerRun = Math.max(3 * chunk, Math.round((secondsPerRun * 1000) / msPerStep / chunk) * chunk);
  return { msPerStep, chunk, stepsPerRun, createMs };
}

export async function benchCase(device: GPUDevice, c: BenchCase, o: BenchOptions): Promise<BenchResult> {
  const spec = benchSpec(c);
  const runs = Math.max(3, o.runs ?? 3);
  const target = o.secondsPerRun ?? 1.5;
  const { msPerStep, chunk, stepsPerRun } = await timingPlan(device, spec, target);
  const trainer = await Trainer.create(device, spec, { chunkSteps: chunk });
  const floorSteps = Math.max(3, Math.min(200, Math.round((target * 1000) / msPerStep / 2)));
  // Training and floor runs alternate, so a machine whose speed drifts (shared
  // CPUs) affects both alike; the ratio is the median of the per-pair ratios.
  const rates: number[] = [];
  const floors: number[] = [];
  const ratios: number[] = [];
  let counters = { ...trainer.counters };
  try {
    await trainer.run({ steps: chunk });
    await measureFloor(device, spec, { steps: 2, runs: 1 });
    counters = { ...trainer.counters };
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await trainer.run({ steps: stepsPerRun });
      const ms = (performance.now() - t0) / stepsPerRun;
      const [floor] = await measureFloor(device, spec, { steps: floorSteps, runs: 1 });
      rates.push(1000 / ms);
      floors.push(floor);
      ratios.push(ms / floor);
    }
  } finally {
    trainer.destroy();
  }
  const timed = runs * stepsPerRun;
  const c1 = trainer.counters;
  const sps = spread(rates);
  const floorMs = spread(floors).median;
  const floorRatio = spread(ratios).median;
  o.log?.(`  ${c.id}: ${sps.median.toFixed(1)} steps/s, ${floorRatio.toFixed(2)}× floor (chunk ${chunk}, ${stepsPerRun} steps × ${runs})`);
  let cpu: BenchResult['cpu'] = { float64: NaN, float32: null, promptsTimed: 0 };
  if (!o.skipCpu) {
    // Enough prompts for a stable time, at most the batch.
    const prompts = Math.min(spec.train.batch, Math.max(4, Math.round(2e6 / (spec.task.n * spec.model.heads * (spec.task.d + 1) ** 2))));
    const f64 = cpuStepFloat64(spec, prompts);
    // The float32 CPU step is hand-written for one merged LSA layer and softmax attention.
    const f32 = isGeneralLinearAttention(spec.model) ? null : cpuStepFloat32(spec, prompts);
    cpu = { float64: f64.stepsPerSecond, float32: f32?.stepsPerSecond ?? null, promptsTimed: prompts };
  }
  const flops = flopsPerStep(spec);
  const bestCpu = Math.max(cpu.float64, cpu.float32 ?? 0);
  return {
    id: c.id,
    query: c.query,
    adapter: o.adapter,
    runs,
    stepsPerRun,
    stepsPerSecond: sps,
    msPerStep: 1000 / sps.median,
    flopsPerStep: flops,
    gflops: (flops * sps.median) / 1e9,
    normalsPerStep: normalsPerStep(spec),
    dispatchesPerStep: (c1.dispatches - counters.dispatches) / timed,
    passesPerStep: (c1.computePasses - counters.computePasses) / timed,
    bytesReadBackPerStep: (c1.bytesReadBack - counters.bytesReadBack) / timed,
    floorMsPerStep: floorMs,
    floorRatio,
    floorTarget: c.floorTarget,
    work: spec.task.n * (spec.model.type === 'softmax' ? spec.model.heads : 1) * spec.train.batch,
    cpu,
    gpuOverCpu: bestCpu > 0 ? sps.median / bestCpu : NaN,
  };
}
