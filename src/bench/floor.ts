// The floor of a configuration on an adapter: the time to draw and write once
// every normal that one training step consumes (shaders/floor.wgsl), one
// dispatch per step and many steps per submission, as the trainer does.
import floorSrc from '../../shaders/floor.wgsl?raw';
import { cachedPipeline } from '../engine/pipeline.ts';
import { composeShader, SOURCES } from '../engine/shaders.ts';
import { PROMPTS_PER_WORKGROUP } from '../engine/trainer.ts';
import type { ExperimentSpec } from '../spec/types.ts';

/** Milliseconds per step: the median over `runs` submissions of `steps` dispatches each. */
export async function measureFloor(device: GPUDevice, spec: ExperimentSpec, options: { steps: number; runs: number }): Promise<number[]> {
  const { d, n, tasks } = spec.task;
  const B = spec.train.batch;
  const consts = { DIM: d, NT: tasks, N_CTX: n, BATCH: B, WG: PROMPTS_PER_WORKGROUP };
  const pipeline = await cachedPipeline(device, 'floor', composeShader(consts, SOURCES.rng, floorSrc), 'auto');
  const nb = Math.ceil((d + tasks) / 4);
  const out = device.createBuffer({ size: B * (tasks + 1 + n) * nb * 16, usage: GPUBufferUsage.STORAGE });
  const uni = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uni, 0, new Uint32Array([spec.train.dataSeed, 0, 0, 0]));
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: uni } },
      { binding: 1, resource: { buffer: out } },
    ],
  });
  const submit = async (steps: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    for (let s = 0; s < steps; s++) pass.dispatchWorkgroups(Math.ceil(B / PROMPTS_PER_WORKGROUP));
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  try {
    await submit(2);
    const times: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      const t0 = performance.now();
      await submit(options.steps);
      times.push((performance.now() - t0) / options.steps);
    }
    return times;
  } finally {
    out.destroy();
    uni.destroy();
  }
}
