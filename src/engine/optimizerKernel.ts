// What the optimizer kernels need beside the model's gradient: the optimizer's
// code and prelude constants, the per-step values the CPU computes in float64
// (scheduled lr, bias corrections, SOAP's flags), and for the per-matrix
// kernel (shaders/optimizer.wgsl) the block table and its scratch.
import type { OptimizerKind, OptimizerSpec } from '../spec/types.ts';
import type { ModelDef } from '../models/types.ts';
import { JACOBI_SWEEPS, JACOBI_TOL, NS5, POLAR_CUTOFF } from '../linalg/matrixFunctions.ts';
import { extraStateSize, learningRate, SOAP_MAX_DIM, soapBiasFactor, soapOffsets, soapStepFlags, usesMatrixKernel, type ParamBlock } from './optimizer.ts';
import { SOURCES, type Constants } from './shaders.ts';

export const OPTIMIZER_CODE: Record<OptimizerKind, number> = { sgd: 0, adam: 1, adamw: 2, lion: 3, muon: 4, polargrad: 5, soap: 6 };

/** Threads per workgroup of the per-matrix kernel (one workgroup per block). */
export const OPT_WORKGROUP = 64;

export function paramBlocks(model: Pick<ModelDef, 'matrices' | 'paramCount'>): ParamBlock[] {
  const blocks = model.matrices.map((m) => ({ offset: m.offset, rows: m.rows, cols: m.cols }));
  const covered = blocks.reduce((n, b) => n + b.rows * b.cols, 0);
  if (covered !== model.paramCount) throw new Error(`the model's matrices hold ${covered} of its ${model.paramCount} parameters`);
  return blocks;
}

/** Scratch floats of one block in shaders/optimizer.wgsl (see the layout there). */
export function scratchSize(kind: OptimizerKind, b: ParamBlock): number {
  const rc = b.rows * b.cols;
  const pl = b.rows <= SOAP_MAX_DIM;
  const pr = b.cols <= SOAP_MAX_DIM;
  const w = kind === 'soap' ? Math.max(pl ? b.rows : 0, pr ? b.cols : 0) : Math.min(b.rows, b.cols);
  return 5 * rc + (pl ? b.rows * b.rows : 0) + (pr ? b.cols * b.cols : 0) + 2 * w * w;
}

/** The block table (two vec4<u32> per block) and the scratch it addresses. */
export function blockTable(kind: OptimizerKind, blocks: readonly ParamBlock[], np: number): { table: Uint32Array<ArrayBuffer>; scratchFloats: number } {
  const table = new Uint32Array(blocks.length * 8);
  const soap = soapOffsets(blocks);
  let at = 0;
  blocks.forEach((b, i) => {
    // The Jacobi kernels keep a round's rotations and the singular values in workgroup arrays of 64 and 128.
    if (kind === 'polargrad' && Math.min(b.rows, b.cols) > SOAP_MAX_DIM)
      throw new Error(`PolarGrad's polar factor handles matrices up to ${SOAP_MAX_DIM} on their short side; this model has a ${b.rows}×${b.cols} one`);
    table.set([b.offset, b.rows, b.cols, at, 2 * np + soap[i], 0, 0, 0], i * 8);
    at += kind === 'soap' || kind === 'muon' || kind === 'polargrad' ? scratchSize(kind, b) : 0;
  });
  return { table, scratchFloats: Math.max(4, at) };
}

/** Floats of the optimizer state on the GPU: m and v, then SOAP's preconditioners. */
export function optimizerStateFloats(opt: Pick<OptimizerSpec, 'kind'>, blocks: readonly ParamBlock[], np: number): number {
  return 2 * np + extraStateSize(opt, blocks);
}

/** Prelude constants of the optimizer kernels. */
export function optimizerConstants(opt: OptimizerSpec): Constants {
  return {
    DEFER_STEP: usesMatrixKernel(opt),
    OPT_KIND: OPTIMIZER_CODE[opt.kind],
    CLIP: opt.clip > 0,
    NESTEROV: opt.nesterov,
    POLAR_NUCLEAR: opt.polarScale === 'nuclear',
    SOAP_MAX_DIM,
    JACOBI_SWEEPS,
  };
}

/** The float constants of shaders/optimizer.wgsl, from the float64 reference's own. */
export function optimizerFloatConstants(): string {
  const f = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
  return [
    `const NS5_A: f32 = ${f(NS5.a)};`,
    `const NS5_B: f32 = ${f(NS5.b)};`,
    `const NS5_C: f32 = ${f(NS5.c)};`,
    `const NS5_EPS: f32 = ${f(NS5.eps)};`,
    `const POLAR_CUTOFF: f32 = ${f(POLAR_CUTOFF)};`,
    `const JACOBI_TOL: f32 = ${f(JACOBI_TOL)};`,
  ].join('\n');
}

/** The WGSL parts of the per-matrix kernel, after the prelude. */
export function optimizerKernelParts(): string[] {
  return [SOURCES.common, optimizerFloatConstants(), SOURCES.elementwise, SOURCES.optimizer];
}

/**
 * The optimizer's per-step values into a StepInfo slot (u32/f32 views at
 * word `o`): the scheduled lr, Adam's bias corrections (SOAP: its step
 * factor) and SOAP's flags.
 */
export function writeOptimizerStep(opt: OptimizerSpec, step: number, total: number, u32: Uint32Array, f32: Float32Array, o: number): void {
  const t = step + 1;
  f32[o + 1] = learningRate(opt, step, total);
  if (opt.kind === 'soap') {
    const flags = soapStepFlags(opt, step);
    f32[o + 2] = soapBiasFactor(opt, step);
    f32[o + 3] = 0;
    u32[o + 6] = (flags.init ? 1 : 0) | (flags.refresh ? 2 : 0);
  } else {
    f32[o + 2] = 1 / (1 - Math.pow(opt.beta1, t));
    f32[o + 3] = 1 / (1 - Math.pow(opt.beta2, t));
    u32[o + 6] = 0;
  }
}

/** The RunParams fields of the optimizer. */
export function optimizerRunParams(opt: OptimizerSpec) {
  return {
    optimizer: OPTIMIZER_CODE[opt.kind],
    beta1: opt.beta1,
    beta2: opt.beta2,
    eps: opt.eps,
    weight_decay: opt.weightDecay,
    momentum: opt.momentum,
    clip: opt.clip,
    nesterov: opt.nesterov ? 1 : 0,
  };
}

/** The bind group layout of the per-matrix kernel (`perRun`: BatchTrainer's, with per-run storage in place of the uniforms). */
export function optimizerLayout(device: GPUDevice, perRun = false): GPUBindGroupLayout {
  const entry = (binding: number, type: GPUBufferBindingType, dynamic = false): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type, hasDynamicOffset: dynamic },
  });
  return device.createBindGroupLayout({
    label: perRun ? 'batch optimizer' : 'optimizer',
    entries: [entry(0, perRun ? 'read-only-storage' : 'uniform'), entry(1, perRun ? 'read-only-storage' : 'uniform', true), entry(3, 'storage'), entry(5, 'storage'), entry(7, 'read-only-storage'), entry(8, 'storage'), entry(9, 'read-only-storage')],
  });
}
