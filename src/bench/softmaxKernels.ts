// The two softmax training kernels measured against each other on the
// adapter at hand: one thread a prompt holding every head's sums
// (softmax_train.wgsl), or a prompt's heads split across a workgroup's
// threads with its context in workgroup memory (softmax_train_heads.wgsl).
// The engine picks the heads kernel past HEADS_KERNEL_FLOATS numbers a
// thread; this table is what that threshold is read against.
import { softmaxKernelOf, threadKernelFloats } from '../models/softmax.ts';
import { benchSpec, type BenchCase } from './grid.ts';
import { fasterOf, timeTrainer, type TrainerTiming } from './shaderPasses.ts';

export interface KernelsResult {
  id: string;
  /** Numbers one thread of the one-thread kernel holds at this shape. */
  threadFloats: number;
  /** The kernel the engine picks here (softmaxKernelOf). */
  chosen: 'thread' | 'heads';
  thread: TrainerTiming;
  heads: TrainerTiming;
}

const softmaxCase = (d: number, n: number, B: number, H: number): BenchCase => ({
  id: `softmax d=${d} n=${n} B=${B} H=${H}`,
  query: `model=softmax&init=default&d=${d}&n=${n}&B=${B}&H=${H}`,
  floorTarget: false,
});

/** He et al.'s shape, one just under the threshold and two past it. */
export const KERNEL_CASES: readonly BenchCase[] = [softmaxCase(5, 40, 256, 2), softmaxCase(20, 40, 256, 8), softmaxCase(32, 128, 256, 8), softmaxCase(64, 40, 64, 16)];

export async function softmaxKernelsCase(device: GPUDevice, c: BenchCase, o: { runs?: number; secondsPerRun?: number; log?: (s: string) => void }): Promise<KernelsResult> {
  const spec = benchSpec(c);
  const runs = Math.max(3, o.runs ?? 3);
  const seconds = o.secondsPerRun ?? 0.3;
  const { d, tasks: K } = spec.task;
  const H = spec.model.heads;
  const thread = await timeTrainer(device, spec, { softmaxKernel: 'thread' }, runs, seconds);
  const heads = await timeTrainer(device, spec, { softmaxKernel: 'heads' }, runs, seconds);
  o.log?.(`  ${c.id}: one thread a prompt ${thread.stepsPerSecond.median.toFixed(1)} steps/s, heads across threads ${heads.stepsPerSecond.median.toFixed(1)} steps/s`);
  return { id: c.id, threadFloats: threadKernelFloats(d, H, K), chosen: softmaxKernelOf(d, H, K), thread, heads };
}

/** The faster kernel by more than the spread between runs, and whether the engine's pick agrees. */
export function kernelsVerdict(r: KernelsResult): { faster: 'thread' | 'heads' | 'tie'; agrees: boolean } {
  const faster = ({ a: 'thread', b: 'heads', tie: 'tie' } as const)[fasterOf(r.thread.stepsPerSecond, r.heads.stepsPerSecond)];
  return { faster, agrees: faster === 'tie' || faster === r.chosen };
}

