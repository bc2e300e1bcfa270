// Runs the optimizer kernels alone on gradients the test chooses: the update
// kernel (elementwise optimizers) with grad_sum reading work[], or the
// per-matrix kernel (matrix optimizers, clipping), step after step.
import '../../src/engine/float16-shim.ts';
import { makeShaderDataDefinitions, makeStructuredView } from 'webgpu-utils';
import { composeShader, SOURCES } from '../../src/engine/shaders.ts';
import { createPipelineChecked } from '../../src/engine/pipeline.ts';
import { usesMatrixKernel, type ParamBlock } from '../../src/engine/optimizer.ts';
import {
  blockTable,
  optimizerConstants,
  optimizerKernelParts,
  optimizerRunParams,
  optimizerStateFloats,
  writeOptimizerStep,
} from '../../src/engine/optimizerKernel.ts';
import type { OptimizerSpec } from '../../src/spec/types.ts';

const GRAD_FROM_WORK = 'fn grad_sum(i: u32) -> f32 { return work[i]; }';

export async function gpuOptimizerRun(
  device: GPUDevice,
  opt: OptimizerSpec,
  blocks: ParamBlock[],
  params0: Float32Array,
  grads: Float32Array[],
  totalSteps: number,
): Promise<{ params: Float32Array; state: Float32Array }> {
  const np = params0.length;
  const matrix = usesMatrixKernel(opt);
  const consts = { NP: np, ...optimizerConstants(opt) };
  const code = matrix
    ? composeShader(consts, ...optimizerKernelParts())
    : composeShader(consts, SOURCES.common, GRAD_FROM_WORK, SOURCES.elementwise, SOURCES.update);
  const pipeline = await createPipelineChecked(device, matrix ? 'optimizer' : 'update', code, 'auto');
  const runView = makeStructuredView(makeShaderDataDefinitions(SOURCES.common).structs.RunParams);
  runView.set({ data_seed: 0, base_step: 0, ...optimizerRunParams(opt), inv_batch: 1 });
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const buf = (size: number, usage = S) => device.createBuffer({ size: Math.max(16, size), usage });
  const run = buf(runView.arrayBuffer.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(run, 0, runView.arrayBuffer);
  const step = buf(32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const params = buf(np * 4);
  device.queue.writeBuffer(params, 0, Float32Array.from(params0));
  const stateFloats = optimizerStateFloats(opt, blocks, np);
  const state = buf(stateFloats * 4);
  const work = buf((np + 1) * 4);
  const losses = buf(16);
  const table = blockTable(opt.kind, blocks, np);
  const scratch = buf(table.scratchFloats * 4);
  const tableBuf = buf(table.table.byteLength);
  device.queue.writeBuffer(tableBuf, 0, table.table);
  const entries = matrix
    ? [[0, run], [1, step], [3, params], [5, state], [7, work], [8, scratch], [9, tableBuf]]
    : [[0, run], [1, step], [3, params], [5, state], [6, losses], [7, work]];
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: entries.map(([binding, buffer]) => ({ binding: binding as number, resource: { buffer: buffer as GPUBuffer } })),
  });
  const slot = new ArrayBuffer(32);
  const u32 = new Uint32Array(slot);
  const f32 = new Float32Array(slot);
  grads.forEach((g, t) => {
    u32[0] = 0;
    writeOptimizerStep(opt, t, totalSteps, u32, f32, 0);
    device.queue.writeBuffer(step, 0, slot);
    device.queue.writeBuffer(work, 0, Float32Array.from([...g, 0]));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(matrix ? blocks.length : Math.ceil((np + 1) / 64));
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  const read = async (src: GPUBuffer, floats: number) => {
    const staging = device.createBuffer({ size: floats * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, staging, 0, floats * 4);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    return out;
  };
  const out = { params: await read(params, np), state: await read(state, stateFloats) };
  for (const b of [run, step, params, state, work, losses, scratch, tableBuf]) b.destroy();
  return out;
}
