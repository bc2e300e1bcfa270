// Samples prompts on the GPU and reads them back: the check that the GPU
// sampler draws the distribution (and the very numbers) of the CPU sampler,
// and the inputs on which kernels are compared with the float64 reference.
import type { TaskContext } from '../tasks/task.ts';
import { promptOutput, type Prompt } from '../tasks/sampler.ts';
import { composeShader, SOURCES, taskConstants } from './shaders.ts';
import { cachedPipeline } from './pipeline.ts';
import { taskMatrices } from './trainer.ts';

export async function gpuSamplePrompts(
  device: GPUDevice,
  task: TaskContext,
  opts: { seed: number; stepWord: number; count: number; nCtx?: number },
): Promise<Prompt[]> {
  const d = task.d;
  const n = opts.nCtx ?? task.n;
  const K = task.outputs.length;
  const consts = { DIM: d, NT: K, ...taskConstants(task) };
  const pipeline = await cachedPipeline(device, 'sample_dump', composeShader(consts, SOURCES.rng, SOURCES.task, SOURCES.dump), 'auto');
  const stride = (K + 1) * d + K + n * (d + K);
  const size = opts.count * stride * 4;
  const uni = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uni, 0, new Uint32Array([opts.seed, opts.stepWord, n, opts.count]));
  const mats = taskMatrices(task);
  const matBuf = device.createBuffer({ size: mats.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(matBuf, 0, mats);
  const out = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  // Poison the output so an element the kernel fails to write shows up as NaN.
  device.queue.writeBuffer(out, 0, new Float32Array(size / 4).fill(NaN));
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uni } },
        { binding: 2, resource: { buffer: matBuf } },
        { binding: 5, resource: { buffer: out } },
      ],
    }),
  );
  pass.dispatchWorkgroups(Math.ceil(opts.count / 64));
  pass.end();
  enc.copyBufferToBuffer(out, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const data = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  for (const b of [uni, matBuf, out, staging]) b.destroy();
  const prompts: Prompt[] = [];
  for (let p = 0; p < opts.count; p++) {
    let o = p * stride;
    const wAll = Float64Array.from(data.subarray(o, o + K * d));
    o += K * d;
    const xq = Float64Array.from(data.subarray(o, o + d));
    o += d;
    const yqAll = Float64Array.from(data.subarray(o, o + K));
    o += K;
    const xs = new Float64Array(n * d);
    const ysAll = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) xs[i * d + k] = data[o++];
      for (let t = 0; t < K; t++) ysAll[i * K + t] = data[o++];
    }
    prompts.push(promptOutput({ w: wAll, xs, ys: ysAll, xq, yq: yqAll[0], k: K, wAll, ysAll, yqAll }, 0));
  }
  return prompts;
}
