// One Dawn device per test file (SwiftShader where there is no GPU).
import { afterAll } from 'vitest';
import { nodeDevice, type NodeGpu } from '../../src/gpu/node.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import type { Trainer } from '../../src/engine/trainer.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { trainingStream } from '../../src/tasks/sampler.ts';

let gpu: Promise<NodeGpu> | null = null;

export function testDevice(): Promise<NodeGpu> {
  if (!gpu) {
    gpu = nodeDevice();
    afterAll(async () => (await gpu!).close());
  }
  return gpu;
}

export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} ≠ ${ref.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    num += (a[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Mean batch gradient and loss in float64 on the prompts the GPU drew for `step`. */
export async function referenceGradient(device: GPUDevice, trainer: Trainer, params: ArrayLike<number>, step: number) {
  const spec = trainer.spec;
  // A fixed training set: the step's prompts are set prompts, picked by the seeded order.
  const prompts =
    spec.train.set > 0
      ? await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: STREAM.TRAINSET, count: spec.train.set }).then((set) =>
          Array.from({ length: spec.train.batch }, (_, b) => set[trainingStream(spec.train, step, b).prompt]),
        )
      : await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: step, count: spec.train.batch });
  const grad = new Float64Array(trainer.model.paramCount);
  let loss = 0;
  for (const p of prompts) {
    const r = trainer.model.lossGrad(params, p);
    loss += r.loss;
    for (let i = 0; i < grad.length; i++) grad[i] += r.grad[i];
  }
  const B = prompts.length;
  return { grad: grad.map((g) => g / B), loss: loss / B };
}
