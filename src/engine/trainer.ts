// The GPU trainer. Per step it records two dispatches into one compute pass —
// the fused sample/forward/backward/workgroup-reduce kernel and the
// reduce/optimizer kernel — and per submission it records many steps, then
// copies the per-step losses and the parameters into one buffer of a small ring
// of MAP_READ staging buffers. Readbacks resolve asynchronously; the loop only
// waits when every staging buffer is still in flight (flow control, so the
// queue cannot grow without bound). No DOM code: runs in the page and in Node.
import './float16-shim.ts';
import { makeShaderDataDefinitions, makeStructuredView } from 'webgpu-utils';
import { modelFor } from '../models/index.ts';
import type { ModelDef } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { buildTask, type TaskContext } from '../tasks/task.ts';
import { checkTrainingLimits, evalChunkPrompts, isCpuAdapter, privateFloats } from './limits.ts';
import { SUM_CHUNK, sumChunks, type SoftmaxKernel } from '../models/softmax.ts';
import { STREAM } from '../rng/rng.ts';
import { usesMatrixKernel } from './optimizer.ts';
import { blockTable, optimizerConstants, optimizerKernelParts, optimizerLayout, optimizerRunParams, optimizerStateFloats, paramBlocks, writeOptimizerStep } from './optimizerKernel.ts';
import { inverse, trace } from '../linalg/dense.ts';
import { dmmseNoiseVar } from '../theory/predictors.ts';
import { composeShaderWith, SOURCES, taskConstants, type Constants } from './shaders.ts';
import { setHalfBits } from '../rng/rng.ts';
import { cachedPipeline } from './pipeline.ts';
import { PROMPT_BASE_WORD, stepsPerSubmission, trainDispatchParts, type DispatchParts } from './dispatchParts.ts';

/** Pool entries × prompts of dMMSE's work per evaluation dispatch (each entry costs about d² + 4d per output), so no dispatch runs long. */
const DMMSE_WORK_PER_DISPATCH = 2 ** 28;

/** Bytes between per-step uniform slots (WebGPU's minimum dynamic-offset alignment is at most 256). */
const STEP_SLOT = 256;
const F32 = 4;

export interface TrainerOptions {
  /** Steps encoded into one submission (and read back together). */
  chunkSteps?: number;
  /** Staging buffers in the readback ring. */
  ringSize?: number;
  /** The source-level unrolling and scalarization (composeShaderWith; default on). */
  shaderPasses?: boolean;
  /** The softmax training kernel (default: the one the spec's shape calls for, softmaxKernelOf). */
  softmaxKernel?: SoftmaxKernel;
  /** Dispatches each step's training kernel is split into (default: trainDispatchParts, by its work). */
  trainParts?: number;
}

export interface Readback {
  /** Steps completed once this readback was taken. */
  step: number;
  /** Batch loss of each step in [step − losses.length, step). */
  losses: Float32Array;
  /** Parameters after `step` steps. */
  params: Float32Array;
  /**
   * The optimizer state after `step` steps, on the readback that answers
   * requestSnapshot(): with `step` and `params` it is a TrainerSnapshot.
   */
  optState?: Float32Array;
}

/**
 * A batch loss this many times the first one the trainer saw counts as a
 * divergence: optimizers with bounded steps (Lion's signs, Muon's orthogonal
 * updates) blow the loss up without ever reaching NaN in float32.
 */
export const BLOWUP_FACTOR = 1e6;

/** Where a run blew up: the first non-finite (or blown-up) batch loss, and the last parameters read back before it. */
export interface Divergence {
  /** The step whose batch loss was NaN or ±∞ or past BLOWUP_FACTOR × the first loss (or, if only the parameters were non-finite, the end of that chunk). */
  step: number;
  /** nonfinite: NaN or ±∞; blowup: finite but past BLOWUP_FACTOR × the first loss. */
  reason: 'nonfinite' | 'blowup';
  /** The loss at that step (NaN where only the parameters were non-finite) and the first loss it is compared with. */
  loss: number;
  firstLoss: number;
  lastFinite: { step: number; params: Float32Array };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

export interface TrainerCounters {
  submits: number;
  computePasses: number;
  dispatches: number;
  mapAsyncCalls: number;
  /** Times the loop waited for a staging buffer to come back. */
  ringWaits: number;
  /** Bytes mapped back to the CPU by the training loop (losses and parameters). */
  bytesReadBack: number;
}

/** One output's targets and predictions on the evaluation prompts (all on the same prompts). */
export interface EvalOutput {
  /** Targets y_q. */
  targets: Float32Array;
  /** The model's predictions. */
  model: Float32Array;
  /** Bayes-optimal ridge on the output's window: x_qᵀ(XᵀX + σ²Ω⁻¹)⁻¹Xᵀy (exact posterior mean for the identity response). */
  ridge: Float32Array;
  /** Least squares on all of x; null when n_test < d. */
  ols: Float32Array | null;
  /** He et al.'s debiased GD up to its scale c: x_qᵀ(u − ȳ x̄), u = (1/n) Σ y_i x_i. */
  debiased: Float32Array;
  /** dMMSE, the posterior mean over the task pool (where the task knows a pool and the response is linear); else null. */
  dmmse: Float32Array | null;
  /** One array per k-step GD run passed in. */
  gd: Float32Array[];
  /** One array of one-step predictions x_qᵀ Γ u per Γ passed in. */
  predictors: Float32Array[];
}

/** Evaluation samples: every output, and the first output's arrays at the top level. */
export interface EvalSamples extends EvalOutput {
  count: number;
  nCtx: number;
  outputs: EvalOutput[];
}

/** What continues a run: see Trainer.snapshot(). */
export interface TrainerSnapshot {
  step: number;
  params: Float32Array;
  /** Adam's m then v (SGD, Lion, Muon, PolarGrad: the momentum, then unused), then SOAP's preconditioners. */
  optState: Float32Array;
}

/** k steps of gradient descent from w = 0 with step η. */
export interface GdRun {
  steps: number;
  eta: number;
}

interface StagingSlot {
  buffer: GPUBuffer;
  inFlight: Promise<void> | null;
}

/** The batch rounded up to a multiple of 4: the per-prompt rows are summed as vec4s. */
export function batchPad(batch: number): number {
  return Math.ceil(batch / 4) * 4;
}

/** Prompts (threads) per workgroup of the training kernel. */
export const PROMPTS_PER_WORKGROUP = 64;

export class Trainer {
  readonly spec: ExperimentSpec;
  readonly model: ModelDef;
  readonly task: TaskContext;
  readonly counters: TrainerCounters = { submits: 0, computePasses: 0, dispatches: 0, mapAsyncCalls: 0, ringWaits: 0, bytesReadBack: 0 };
  readonly workgroups: number;
  /** How each step's training dispatch is split (one part unless its work would run long). */
  readonly split: DispatchParts;

  private readonly device: GPUDevice;
  private readonly chunkSteps: number;
  private readonly initParams: Float32Array<ArrayBuffer>;
  private readonly runView;
  private readonly buffers: Record<'run' | 'step' | 'taskMats' | 'params' | 'contrib' | 'work' | 'optState' | 'losses' | 'optScratch' | 'blocks', GPUBuffer>;
  /** Floats of the optimizer state (m, v, and SOAP's preconditioners). */
  readonly optStateFloats: number;
  private readonly optPipeline: GPUComputePipeline | null;
  private readonly optGroup: GPUBindGroup | null;
  private readonly blockCount: number;
  private readonly trainPipeline: GPUComputePipeline;
  private readonly updatePipeline: GPUComputePipeline;
  private readonly stagePipelines: GPUComputePipeline[];
  private readonly trainGroup: GPUBindGroup;
  private readonly stageGroup: GPUBindGroup;
  private readonly updateGroup: GPUBindGroup;
  private readonly ring: StagingSlot[];
  private ringNext = 0;
  private readonly stepSlots: ArrayBuffer;
  private submitted = 0;
  private completed = 0;
  private lastFinite: { step: number; params: Float32Array };
  /** Set when a readback shows a non-finite or blown-up loss or a non-finite parameter; run() then stops and submits nothing more. */
  divergence: Divergence | null = null;
  /** The first batch loss read back since the trainer was created, reset or restored (the blow-up test's scale). */
  private firstLoss: number | null = null;
  private destroyed = false;
  /** Set by requestSnapshot(): the next submission also copies out the optimizer state. */
  private snapshotWanted = false;

  /** Whether this trainer's kernels were built with the source-level passes (TrainerOptions.shaderPasses). */
  readonly shaderPasses: boolean;

  private constructor(device: GPUDevice, spec: ExperimentSpec, parts: {
    shaderPasses: boolean;
    model: ModelDef;
    task: TaskContext;
    chunkSteps: number;
    split: DispatchParts;
    ringSize: number;
    trainPipeline: GPUComputePipeline;
    updatePipeline: GPUComputePipeline;
    optPipeline: GPUComputePipeline | null;
    stagePipelines: GPUComputePipeline[];
    trainLayout: GPUBindGroupLayout;
    optLayout: GPUBindGroupLayout;
    stageLayout: GPUBindGroupLayout;
    updateLayout: GPUBindGroupLayout;
  }) {
    this.device = device;
    this.spec = spec;
    this.shaderPasses = parts.shaderPasses;
    this.model = parts.model;
    this.task = parts.task;
    this.workgroups = Math.ceil(spec.train.batch / (this.model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP));
    this.split = parts.split;
    this.chunkSteps = parts.chunkSteps;
    this.trainPipeline = parts.trainPipeline;
    this.updatePipeline = parts.updatePipeline;
    this.stagePipelines = parts.stagePipelines;
    const np = this.model.paramCount;

    const defs = makeShaderDataDefinitions(SOURCES.common);
    this.runView = makeStructuredView(defs.structs.RunParams);
    const opt = spec.optimizer;
    this.runView.set({ data_seed: spec.train.dataSeed, base_step: 0, ...optimizerRunParams(opt), inv_batch: 1 / spec.train.batch });
    const blocks = paramBlocks(this.model);
    this.blockCount = blocks.length;
    this.optStateFloats = optimizerStateFloats(opt, blocks, np);
    const table = blockTable(opt.kind, blocks, np);

    const S = GPUBufferUsage.STORAGE;
    const make = (label: string, size: number, usage: number) => device.createBuffer({ label, size: Math.max(16, size), usage });
    this.buffers = {
      run: make('run', this.runView.arrayBuffer.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
      // Slot i + p·chunkSteps: step i of the submission, for part p of its training dispatch.
      step: make('step slots', this.chunkSteps * this.split.parts * STEP_SLOT, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
      taskMats: make('task matrices', taskMatrices(this.task).byteLength, S | GPUBufferUsage.COPY_DST),
      params: make('params', np * F32, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC),
      // Entry-major (entry e of prompt b at e·BATCH_PAD + b) and zero-filled, so the
      // batch sums read four prompts at a time and the padding prompts add 0.
      contrib: make('per-prompt gradient rows', batchPad(spec.train.batch) * this.model.contribStride * F32, S | GPUBufferUsage.COPY_SRC),
      work: make('gradient and scratch', (np + 1 + this.model.scratchSize) * F32, S | GPUBufferUsage.COPY_SRC),
      optState: make('optimizer state', this.optStateFloats * F32, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC),
      losses: make('losses', this.chunkSteps * F32, S | GPUBufferUsage.COPY_SRC),
      optScratch: make('optimizer scratch', (parts.optPipeline ? table.scratchFloats : 4) * F32, S),
      blocks: make('weight-matrix table', table.table.byteLength, S | GPUBufferUsage.COPY_DST),
    };
    device.queue.writeBuffer(this.buffers.blocks, 0, table.table);
    device.queue.writeBuffer(this.buffers.run, 0, this.runView.arrayBuffer);
    this.stepSlots = new ArrayBuffer(this.chunkSteps * this.split.parts * STEP_SLOT);
    device.queue.writeBuffer(this.buffers.taskMats, 0, taskMatrices(this.task));
    this.initParams = this.model.init(spec);
    this.lastFinite = { step: 0, params: this.initParams.slice() };
    this.uploadState(this.initParams);

    const stepBinding = { buffer: this.buffers.step, size: 32 };
    this.trainGroup = device.createBindGroup({
      label: 'train',
      layout: parts.trainLayout,
      entries: [
        { binding: 0, resource: { buffer: this.buffers.run } },
        { binding: 1, resource: stepBinding },
        { binding: 2, resource: { buffer: this.buffers.taskMats } },
        { binding: 3, resource: { buffer: this.buffers.params } },
        { binding: 4, resource: { buffer: this.buffers.contrib } },
        { binding: 7, resource: { buffer: this.buffers.work } },
      ],
    });
    this.stageGroup = device.createBindGroup({
      label: 'gradient stages',
      layout: parts.stageLayout,
      entries: [
        { binding: 0, resource: { buffer: this.buffers.run } },
        { binding: 1, resource: stepBinding },
        { binding: 3, resource: { buffer: this.buffers.params } },
        { binding: 4, resource: { buffer: this.buffers.contrib } },
        { binding: 7, resource: { buffer: this.buffers.work } },
      ],
    });
    this.updateGroup = device.createBindGroup({
      label: 'update',
      layout: parts.updateLayout,
      entries: [
        { binding: 0, resource: { buffer: this.buffers.run } },
        { binding: 1, resource: stepBinding },
        { binding: 3, resource: { buffer: this.buffers.params } },
        { binding: 4, resource: { buffer: this.buffers.contrib } },
        { binding: 5, resource: { buffer: this.buffers.optState } },
        { binding: 6, resource: { buffer: this.buffers.losses } },
        { binding: 7, resource: { buffer: this.buffers.work } },
      ],
    });
    this.optPipeline = parts.optPipeline;
    this.optGroup = parts.optPipeline
      ? device.createBindGroup({
          label: 'optimizer',
          layout: parts.optLayout,
          entries: [
            { binding: 0, resource: { buffer: this.buffers.run } },
            { binding: 1, resource: stepBinding },
            { binding: 3, resource: { buffer: this.buffers.params } },
            { binding: 5, resource: { buffer: this.buffers.optState } },
            { binding: 7, resource: { buffer: this.buffers.work } },
            { binding: 8, resource: { buffer: this.buffers.optScratch } },
            { binding: 9, resource: { buffer: this.buffers.blocks } },
          ],
        })
      : null;
    this.ring = Array.from({ length: parts.ringSize }, (_, i) => ({
      buffer: device.createBuffer({
        label: `staging ${i}`,
        size: (this.chunkSteps + np) * F32,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
      inFlight: null,
    }));
  }

  static async create(device: GPUDevice, spec: ExperimentSpec, options: TrainerOptions = {}): Promise<Trainer> {
    const model = modelFor(spec, { softmaxKernel: options.softmaxKernel });
    const task = buildTask(spec.task);
    const workgroups = Math.ceil(spec.train.batch / (model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP));
    const split = trainDispatchParts(spec, workgroups, 1, options.trainParts);
    const chunkSteps = stepsPerSubmission(spec, options.chunkSteps ?? 100, split.parts);
    const passes = options.shaderPasses ?? true;
    const compose = (consts: Constants, ...parts: string[]) => composeShaderWith(passes, consts, ...parts);
    checkTrainingLimits(spec, model, device.limits, chunkSteps, { cpu: isCpuAdapter((device as { adapterInfo?: GPUAdapterInfo }).adapterInfo) });
    const consts = trainingConstants(spec, model, task);
    const optConsts = { NP: model.paramCount, ...optimizerConstants(spec.optimizer) };
    const { trainLayout, stageLayout, updateLayout, optLayout } = trainingLayouts(device);
    const stages = [...model.preStages, ...model.stages];
    const matrixKernel = usesMatrixKernel(spec.optimizer);
    const [trainPipeline, updatePipeline, optPipeline, ...stagePipelines] = await Promise.all([
      cachedPipeline(device, 'train', compose(consts, SOURCES.common, SOURCES.rng, SOURCES.task, SOURCES.trainKey, model.trainShader), trainLayout),
      cachedPipeline(device, 'update', compose({ ...consts, ...optConsts }, SOURCES.common, model.gradSumShader, updateKernelSource()), updateLayout),
      matrixKernel ? cachedPipeline(device, 'optimizer', compose(optConsts, ...optimizerKernelParts()), optLayout) : Promise.resolve(null),
      ...stages.map((st) => cachedPipeline(device, st.label, compose(consts, SOURCES.common, st.shader), stageLayout)),
    ]);
    return new Trainer(device, spec, {
      shaderPasses: passes,
      model,
      task,
      chunkSteps,
      split,
      ringSize: Math.max(1, options.ringSize ?? 3),
      trainPipeline,
      updatePipeline,
      optPipeline,
      stagePipelines,
      trainLayout,
      stageLayout,
      updateLayout,
      optLayout,
    });
  }

  /** Steps submitted to the GPU so far. */
  get stepsSubmitted(): number {
    return this.submitted;
  }

  /** Steps whose results have been read back. */
  get stepsCompleted(): number {
    return this.completed;
  }

  get initialParams(): Float32Array {
    return this.initParams.slice();
  }

  /**
   * Trains `steps` more steps (clamped to the spec's total), calling onReadback
   * once per submission with that submission's losses and the parameters after
   * it. Returns when all of them have been read back, or early once shouldStop()
   * is true (after the submissions already in flight come back).
   */
  async run(options: {
    steps: number;
    onReadback?: (r: Readback) => void;
    shouldStop?: () => boolean;
    /**
     * The next step after `submitted` at which a submission should end (so a
     * readback carries that step's parameters), or undefined for none; the
     * numbers do not depend on where submissions end.
     */
    boundary?: (submitted: number) => number | undefined;
  }): Promise<void> {
    this.assertAlive();
    const target = Math.min(this.spec.train.steps, this.submitted + Math.max(0, Math.floor(options.steps)));
    const np = this.model.paramCount;
    while (this.submitted < target && !this.divergence && !(options.shouldStop?.() ?? false)) {
      const next = options.boundary?.(this.submitted);
      const k = Math.min(this.chunkSteps, target - this.submitted, next !== undefined && next > this.submitted ? next - this.submitted : Infinity);
      const slot = this.ring[this.ringNext];
      this.ringNext = (this.ringNext + 1) % this.ring.length;
      if (slot.inFlight) {
        this.counters.ringWaits++;
        await slot.inFlight;
        if (this.destroyed) return;
      }
      const first = this.submitted;
      const optStaging = this.snapshotWanted
        ? this.device.createBuffer({ label: 'optimizer state snapshot', size: this.optStateFloats * F32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
        : null;
      this.snapshotWanted = false;
      this.encodeSteps(first, k, slot.buffer, optStaging);
      this.submitted += k;
      this.counters.mapAsyncCalls += optStaging ? 2 : 1;
      this.counters.bytesReadBack += slot.buffer.size + (optStaging?.size ?? 0);
      slot.inFlight = Promise.all([slot.buffer.mapAsync(GPUMapMode.READ), optStaging?.mapAsync(GPUMapMode.READ)]).then(() => {
        const data = new Float32Array(slot.buffer.getMappedRange().slice(0));
        slot.buffer.unmap();
        slot.inFlight = null;
        const optState = optStaging ? new Float32Array(optStaging.getMappedRange().slice(0)) : undefined;
        optStaging?.destroy();
        // Chunks already in flight behind a divergence are dropped.
        if (this.divergence || this.destroyed) return;
        const losses = data.subarray(0, k);
        const params = data.subarray(this.chunkSteps, this.chunkSteps + np);
        if (this.firstLoss === null && losses.length > 0 && Number.isFinite(losses[0])) this.firstLoss = losses[0];
        const limit = BLOWUP_FACTOR * Math.max(this.firstLoss ?? Infinity, 1e-12);
        const bad = losses.findIndex((v) => !Number.isFinite(v) || v > limit);
        if (bad >= 0 || !allFinite(params)) {
          const loss = bad >= 0 ? losses[bad] : NaN;
          this.divergence = {
            step: bad >= 0 ? first + bad : first + k,
            reason: bad >= 0 && Number.isFinite(loss) ? 'blowup' : 'nonfinite',
            loss,
            firstLoss: this.firstLoss ?? NaN,
            lastFinite: this.lastFinite,
          };
          return;
        }
        this.completed = first + k;
        // `data` is this readback's own copy of the staging buffer: keep a view, not another copy.
        this.lastFinite = { step: first + k, params };
        options.onReadback?.(optState ? { step: first + k, losses, params, optState } : { step: first + k, losses, params });
      });
      // A lost device fails every readback in flight; the first one awaited reports it, the others must not go unhandled.
      slot.inFlight.catch(() => {});
    }
    await Promise.all(this.ring.map((s) => s.inFlight));
  }

  private encodeSteps(first: number, k: number, staging: GPUBuffer, optStaging: GPUBuffer | null): void {
    const q = this.device.queue;
    q.writeBuffer(this.buffers.run, 4, new Uint32Array([first]));
    const opt = this.spec.optimizer;
    const u32 = new Uint32Array(this.stepSlots);
    const f32 = new Float32Array(this.stepSlots);
    const { batch, set } = this.spec.train;
    for (let i = 0; i < k; i++) {
      const o = (i * STEP_SLOT) / 4;
      u32[o] = i;
      writeOptimizerStep(opt, first + i, this.spec.train.steps, u32, f32, o);
      if (set > 0) {
        // step·B < 2^53: exact in float64.
        const g = (first + i) * batch;
        u32[o + 4] = Math.floor(g / set) >>> 0;
        u32[o + 5] = g % set;
      }
    }
    const { parts, groupsPerPart } = this.split;
    const ppw = this.model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP;
    for (let p = 1; p < parts; p++) {
      const base = p * this.chunkSteps * STEP_SLOT;
      new Uint8Array(this.stepSlots, base, k * STEP_SLOT).set(new Uint8Array(this.stepSlots, 0, k * STEP_SLOT));
      for (let i = 0; i < k; i++) u32[(base + i * STEP_SLOT) / 4 + PROMPT_BASE_WORD] = p * groupsPerPart * ppw;
    }
    q.writeBuffer(this.buffers.step, 0, this.stepSlots, 0, ((parts - 1) * this.chunkSteps + k) * STEP_SLOT);
    const enc = this.device.createCommandEncoder({ label: `steps ${first}..${first + k}` });
    const pass = enc.beginComputePass();
    const updateGroups = Math.ceil((this.model.paramCount + 1) / 64);
    for (let i = 0; i < k; i++) {
      const offset = [i * STEP_SLOT];
      const pre = this.model.preStages.length;
      this.model.preStages.forEach((st, j) => {
        pass.setPipeline(this.stagePipelines[j]);
        pass.setBindGroup(0, this.stageGroup, offset);
        pass.dispatchWorkgroups(Math.ceil(st.threads / 64));
      });
      pass.setPipeline(this.trainPipeline);
      for (let p = 0; p < parts; p++) {
        pass.setBindGroup(0, this.trainGroup, [(p * this.chunkSteps + i) * STEP_SLOT]);
        pass.dispatchWorkgroups(Math.min(groupsPerPart, this.workgroups - p * groupsPerPart));
      }
      this.model.stages.forEach((st, j) => {
        pass.setPipeline(this.stagePipelines[pre + j]);
        pass.setBindGroup(0, this.stageGroup, offset);
        pass.dispatchWorkgroups(Math.ceil(st.threads / 64));
      });
      pass.setPipeline(this.updatePipeline);
      pass.setBindGroup(0, this.updateGroup, offset);
      pass.dispatchWorkgroups(updateGroups);
      if (this.optPipeline) {
        pass.setPipeline(this.optPipeline);
        pass.setBindGroup(0, this.optGroup!, offset);
        pass.dispatchWorkgroups(this.blockCount);
      }
    }
    pass.end();
    enc.copyBufferToBuffer(this.buffers.losses, 0, staging, 0, k * F32);
    enc.copyBufferToBuffer(this.buffers.params, 0, staging, this.chunkSteps * F32, this.model.paramCount * F32);
    if (optStaging) enc.copyBufferToBuffer(this.buffers.optState, 0, optStaging, 0, optStaging.size);
    q.submit([enc.finish()]);
    this.counters.submits++;
    this.counters.computePasses++;
    this.counters.dispatches += (1 + parts + (this.optPipeline ? 1 : 0) + this.model.preStages.length + this.model.stages.length) * k;
  }

  /**
   * The training state after the steps submitted so far (waits for them): the
   * step count, the parameters and the optimizer state. Restoring it into a
   * trainer of the same spec continues the run bit for bit, because the data,
   * the schedule and Adam's bias corrections are all keyed by the step.
   */
  async snapshot(): Promise<TrainerSnapshot> {
    this.assertAlive();
    await Promise.all(this.ring.map((s) => s.inFlight));
    return { step: this.submitted, params: await this.readParams(), optState: await this.readOptimizerState() };
  }

  /**
   * Asks for a snapshot without draining the pipeline: the next submission of
   * run() also copies out the optimizer state, and its readback carries it
   * (Readback.optState), so {step, params, optState} of that readback is what
   * snapshot() would have returned there. Costs one more small buffer mapped
   * with that readback.
   */
  requestSnapshot(): void {
    this.snapshotWanted = true;
  }

  /** Continues from a snapshot of a trainer with the same spec (see snapshot()). */
  async restore(s: TrainerSnapshot): Promise<void> {
    this.assertAlive();
    const np = this.model.paramCount;
    if (s.params.length !== np) throw new Error(`the snapshot has ${s.params.length} parameters; this model has ${np}`);
    if (s.optState.length !== this.optStateFloats)
      throw new Error(`the snapshot's optimizer state has ${s.optState.length} numbers; this model and optimizer need ${this.optStateFloats}`);
    if (!Number.isInteger(s.step) || s.step < 0 || s.step > this.spec.train.steps)
      throw new Error(`the snapshot is at step ${s.step}; this run has steps 0 to ${this.spec.train.steps}`);
    await Promise.all(this.ring.map((r) => r.inFlight));
    this.device.queue.writeBuffer(this.buffers.params, 0, Float32Array.from(s.params));
    this.device.queue.writeBuffer(this.buffers.optState, 0, Float32Array.from(s.optState));
    this.submitted = s.step;
    this.completed = s.step;
    this.divergence = null;
    this.firstLoss = null;
    this.lastFinite = { step: s.step, params: Float32Array.from(s.params) };
  }

  /** Back to step 0 with the same initial parameters and a fresh optimizer state. */
  async reset(): Promise<void> {
    this.assertAlive();
    await Promise.all(this.ring.map((s) => s.inFlight));
    this.uploadState(this.initParams);
    this.submitted = 0;
    this.completed = 0;
    this.divergence = null;
    this.firstLoss = null;
    this.lastFinite = { step: 0, params: this.initParams.slice() };
  }

  private uploadState(params: Float32Array<ArrayBuffer>): void {
    this.device.queue.writeBuffer(this.buffers.params, 0, params);
    this.device.queue.writeBuffer(this.buffers.optState, 0, new Float32Array(this.optStateFloats));
  }

  /** Current parameters (waits for the GPU). */
  async readParams(): Promise<Float32Array> {
    this.assertAlive();
    return this.readBuffer(this.buffers.params, this.model.paramCount * F32);
  }

  /**
   * The batch-mean gradient and batch loss of the most recent step, summed in
   * as the optimizer kernel saw it (for checking the kernels).
   */
  async readLastGradient(): Promise<{ grad: Float64Array; loss: number }> {
    this.assertAlive();
    const B = this.spec.train.batch;
    const np = this.model.paramCount;
    const sums = await this.readBuffer(this.buffers.work, (np + 1) * F32);
    return { grad: Float64Array.from(sums.subarray(0, np), (v) => v / B), loss: sums[np] / B };
  }

  /** Current optimizer state: m then v (waits for the GPU). */
  async readOptimizerState(): Promise<Float32Array> {
    this.assertAlive();
    return this.readBuffer(this.buffers.optState, this.optStateFloats * F32);
  }

  private readBuffer(src: GPUBuffer, size: number): Promise<Float32Array> {
    return readFloats(this.device, src, size);
  }

  /**
   * Fresh test prompts (the evaluation stream, disjoint from training) with
   * `nCtx` context pairs: for each output, the targets, the model's, ridge's,
   * OLS's and debiased GD's predictions, each k-step GD run's, and each
   * one-step predictor's x_qᵀ Γ u for Γ (d×d row-major; one list for every
   * output, or a list per output). The same prompt index gives the same tasks,
   * query and leading context at every nCtx.
   */
  async evaluate(
    options: {
      prompts?: number;
      nCtx?: number;
      gammas?: Float64Array[] | Float64Array[][];
      gdRuns?: GdRun[] | GdRun[][];
      /** Prompts per dispatch (default: as many as one storage buffer holds). */
      chunkPrompts?: number;
      /** The prompt distribution (default: the training one), e.g. a test distribution apart from it. */
      task?: TaskContext;
      /** The stream's step word (default: the evaluation stream; STREAM.TRAINSET reads a fixed training set). */
      stepWord?: number;
      /** Run the model's column in its own kernel (default: where the fused kernel would exceed the private-memory budget; see privateFloats). */
      splitModel?: boolean;
    } = {},
  ): Promise<EvalSamples> {
    this.assertAlive();
    const count = options.prompts ?? this.spec.eval.prompts;
    const task = options.task ?? this.task;
    const nCtx = options.nCtx ?? task.n;
    const d = this.spec.task.d;
    const K = task.outputs.length;
    if (task.d !== d || K !== this.task.outputs.length) throw new Error('evaluate: the task must have the model\'s d and outputs');
    const dmmse = task.pool !== null && task.response === 'identity';
    const perOutput = <T,>(list: T[] | T[][] | undefined): T[][] =>
      list === undefined || list.length === 0 ? Array.from({ length: K }, () => []) : Array.isArray(list[0]) ? (list as T[][]) : Array.from({ length: K }, () => list as T[]);
    const gammas = perOutput<Float64Array>(options.gammas);
    const runs = perOutput<GdRun>(options.gdRuns);
    if (gammas.length !== K || runs.length !== K || gammas.some((g) => g.length !== gammas[0].length) || runs.some((r) => r.length !== runs[0].length))
      throw new Error(`evaluate: give the same number of Γ and of GD runs for each of the ${K} outputs`);
    const numGammas = gammas[0].length;
    const numGd = runs[0].length;
    const G = Math.max(1, numGammas);
    const R = Math.max(1, numGd);
    const consts: Constants = { DIM: d, NT: K, D: d + K, NUM_GAMMAS: G, NUM_GD: R, H: this.spec.model.heads, ...taskConstants(task), DMMSE: dmmse, ...this.model.constants };
    // Where the model's state and the baselines' would not fit one thread together, the model's column has a kernel of its own.
    // A model whose training splits a prompt across threads evaluates that way too.
    const split = options.splitModel ?? (this.model.evalModelShader !== undefined || privateFloats(this.spec).splitEvaluation);
    const shape = JSON.stringify({ ...consts, split });
    let pipelines = this.evalPipelines.get(shape);
    if (!pipelines) {
      const base = [SOURCES.rng, SOURCES.task, SOURCES.evalCommon];
      pipelines = split
        ? await Promise.all([
            cachedPipeline(this.device, 'eval', composeShaderWith(this.shaderPasses, consts, ...base, SOURCES.eval, SOURCES.evalNoModel), 'auto'),
            cachedPipeline(
              this.device,
              'eval_model',
              composeShaderWith(this.shaderPasses, consts, ...base, ...(this.model.evalModelShader ? [this.model.evalModelShader] : [this.model.predictShader, SOURCES.evalModel])),
              'auto',
            ),
          ])
        : [await cachedPipeline(this.device, 'eval', composeShaderWith(this.shaderPasses, consts, ...base, SOURCES.eval, this.model.predictShader), 'auto')];
      this.evalPipelines.set(shape, pipelines);
    }
    const gammaData = new Float32Array(K * G * d * d);
    gammas.forEach((list, t) => list.forEach((g, i) => gammaData.set(g, (t * G + i) * d * d)));
    const runData = new Float32Array(K * R * 2);
    runs.forEach((list, t) => list.forEach((r, i) => runData.set([r.steps, r.eta], (t * R + i) * 2)));
    const stride = 6 + R + G;
    const dev = this.device;
    const storage = (data: Float32Array<ArrayBuffer>) => {
      const b = dev.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      dev.queue.writeBuffer(b, 0, data);
      return b;
    };
    const gbuf = storage(gammaData);
    const rbuf = storage(runData);
    const reg = storage(ridgePenalty(task));
    const mats = task === this.task ? null : storage(taskMatrices(task));
    // Large evaluations run in chunks whose output fits one storage buffer;
    // dMMSE over a large pool also keeps each dispatch's work bounded.
    const poolWork = dmmse ? task.pool!.size * K * (d * d + 4 * d) : 0;
    const byWork = poolWork > 0 ? Math.max(64, Math.floor(DMMSE_WORK_PER_DISPATCH / poolWork / 64) * 64) : Infinity;
    // The heads kernel takes fewer prompts a workgroup than the one-thread kernels' 64.
    const perGroup = split && this.model.evalModelShader ? Math.min(64, this.model.promptsPerWorkgroup!) : 64;
    const chunk = Math.min(count, byWork, options.chunkPrompts ?? evalChunkPrompts(dev.limits, K * stride * F32, perGroup));
    const data = new Float32Array(count * K * stride);
    const uni = dev.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const out = dev.createBuffer({ size: chunk * K * stride * F32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    try {
      const buffers: Record<number, GPUBuffer> = { 0: uni, 2: mats ?? this.buffers.taskMats, 3: this.buffers.params, 4: gbuf, 5: out, 6: reg, 7: rbuf };
      // The baselines' kernel of a split evaluation reads no parameters; the model's reads only the prompts and the parameters.
      const bindings = split ? [[0, 2, 4, 5, 6, 7], [0, 2, 3, 5]] : [[0, 2, 3, 4, 5, 6, 7]];
      const groups = pipelines.map((p, i) =>
        dev.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bindings[i].map((b) => ({ binding: b, resource: { buffer: buffers[b] } })) }),
      );
      // Without a fixed chunkPrompts, chunks start small and grow to what the GPU
      // evaluates in about EVAL_DISPATCH_MS, so no dispatch runs long enough for
      // a driver's watchdog (about 2 s on Windows) however large the model.
      const sizer = options.chunkPrompts === undefined ? new ChunkSizer(chunk) : null;
      for (let first = 0, size = sizer?.next() ?? chunk; first < count; first += size, size = sizer?.next() ?? chunk) {
        const m = Math.min(size, count - first);
        const started = performance.now();
        dev.queue.writeBuffer(uni, 0, new Uint32Array([this.spec.train.dataSeed, options.stepWord ?? STREAM.EVAL, nCtx, m, first]));
        const enc = dev.createCommandEncoder({ label: 'eval' });
        const pass = enc.beginComputePass();
        // In order: the model's kernel writes its column over the baselines' zeros.
        pipelines.forEach((p, i) => {
          pass.setPipeline(p);
          pass.setBindGroup(0, groups[i]);
          pass.dispatchWorkgroups(Math.ceil(m / (i === 1 && this.model.evalModelShader ? perGroup : 64)));
        });
        pass.end();
        dev.queue.submit([enc.finish()]);
        data.set(await this.readBuffer(out, m * K * stride * F32), first * K * stride);
        sizer?.took(m, performance.now() - started);
      }
    } finally {
      for (const b of [uni, gbuf, rbuf, out, reg, mats]) b?.destroy();
    }
    const outputs = Array.from({ length: K }, (_, t): EvalOutput => {
      const col = (j: number) => {
        const c = new Float32Array(count);
        for (let i = 0, o = t * stride + j; i < count; i++, o += K * stride) c[i] = data[o];
        return c;
      };
      return {
        targets: col(0),
        model: col(1),
        ridge: col(2),
        ols: nCtx >= d ? col(3) : null,
        debiased: col(4),
        dmmse: dmmse ? col(5) : null,
        gd: Array.from({ length: numGd }, (_, r) => col(6 + r)),
        predictors: Array.from({ length: numGammas }, (_, g) => col(6 + R + g)),
      };
    });
    return { count, nCtx, ...outputs[0], outputs };
  }
  private readonly evalPipelines = new Map<string, GPUComputePipeline[]>();

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of Object.values(this.buffers)) b.destroy();
    for (const s of this.ring) s.buffer.destroy();
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error('this trainer has been destroyed');
  }
}

/**
 * task_mats buffer (shaders/task.wgsl): [noise std, pool size M, dMMSE noise
 * variance, 0, L (d×d), per output: response scale, response norm, 0, 0,
 * F_t (d×d); then the pool's vectors (M·k·d)].
 */
export function taskMatrices(task: TaskContext): Float32Array<ArrayBuffer> {
  const d = task.d;
  const per = 4 + d * d;
  const head = 4 + d * d + task.outputs.length * per;
  const pool = task.pool;
  const out = new Float32Array(head + (pool ? pool.vectors.length : 0));
  out[0] = Math.sqrt(task.noiseVar);
  out[1] = pool ? pool.size : 0;
  out[2] = dmmseNoiseVar(task);
  out.set(task.covFactor, 4);
  task.outputs.forEach((o, t) => {
    const base = 4 + d * d + t * per;
    out[base] = o.responseScale;
    out[base + 1] = o.responseNorm;
    out.set(o.priorFactor, base + 4);
  });
  if (pool) out.set(pool.vectors, head);
  return out;
}

/**
 * σ²Ω⁻¹, the penalty that makes ridge the posterior mean; a small multiple of
 * I stands in when σ² = 0, so the solve stays defined with n < d (the limit
 * is the minimum-Ω⁻¹-norm interpolant).
 */
export function ridgePenalty(task: TaskContext): Float32Array<ArrayBuffer> {
  const d = task.d;
  const per = d * d + d;
  const out = new Float32Array(task.outputs.length * per);
  const floor = 1e-6 * (trace(task.sigma, d) / d);
  task.outputs.forEach((o, t) => {
    const w = o.end - o.start;
    // σ²Ω_t⁻¹ on the window's block; outside it, w_t is known to be 0: the
    // kernel masks those rows and columns out and puts 1 on the diagonal.
    const block = new Float64Array(w * w);
    for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) block[i * w + j] = o.prior[(o.start + i) * d + o.start + j];
    const precision = inverse(block, w);
    const base = t * per;
    for (let i = 0; i < d; i++) {
      const inside = i >= o.start && i < o.end;
      out[base + d * d + i] = inside ? 1 : 0;
      if (!inside) out[base + i * d + i] = 1;
    }
    for (let i = 0; i < w; i++) {
      for (let j = 0; j < w; j++) out[base + (o.start + i) * d + o.start + j] = task.noiseVar * precision[i * w + j];
      if (task.noiseVar === 0) out[base + (o.start + i) * d + o.start + i] += floor;
    }
  });
  return out;
}

const layoutCache = new WeakMap<GPUDevice, Map<boolean, ReturnType<typeof makeTrainingLayouts>>>();

/**
 * The bind group layouts of the training kernels, one set per device (so
 * cached pipelines stay compatible). `perRun`: BatchTrainer's, whose RunParams
 * and step slots are per-run storage arrays rather than uniforms.
 */
export function trainingLayouts(device: GPUDevice, perRun = false) {
  let byKind = layoutCache.get(device);
  if (!byKind) layoutCache.set(device, (byKind = new Map()));
  let l = byKind.get(perRun);
  if (!l) byKind.set(perRun, (l = makeTrainingLayouts(device, perRun)));
  return l;
}

function makeTrainingLayouts(device: GPUDevice, perRun: boolean) {
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const slotType: GPUBufferBindingType = perRun ? 'read-only-storage' : 'uniform';
  const uniforms: GPUBindGroupLayoutEntry[] = [storage(0, slotType), { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: slotType, hasDynamicOffset: true } }];
  const tag = perRun ? 'batch ' : '';
  return {
    trainLayout: device.createBindGroupLayout({
      label: `${tag}train`,
      entries: [...uniforms, storage(2, 'read-only-storage'), storage(3, 'read-only-storage'), storage(4, 'storage'), storage(7, 'read-only-storage')],
    }),
    stageLayout: device.createBindGroupLayout({
      label: `${tag}gradient stages`,
      entries: [...uniforms, storage(3, 'read-only-storage'), storage(4, 'read-only-storage'), storage(7, 'storage')],
    }),
    optLayout: optimizerLayout(device, perRun),
    updateLayout: device.createBindGroupLayout({
      label: `${tag}update`,
      entries: [...uniforms, storage(3, 'storage'), storage(4, 'read-only-storage'), storage(5, 'storage'), storage(6, 'storage'), storage(7, 'storage')],
    }),
  };
}

/** The prelude constants of a spec's training kernels (the shape they specialize on). */
/** Target wall time of one evaluation dispatch (submission to readback). */
export const EVAL_DISPATCH_MS = 200;
/** The first evaluation chunk of an adaptive evaluation: small enough for any GPU to finish well inside a watchdog. */
export const EVAL_FIRST_CHUNK = 1024;

/**
 * Chunk sizes of an evaluation: EVAL_FIRST_CHUNK prompts first, then as many
 * as the measured rate evaluates in EVAL_DISPATCH_MS (at most double the
 * last, at most `max`, in whole workgroups). The numbers do not depend on it.
 */
export class ChunkSizer {
  private size: number;
  constructor(private readonly max: number) {
    this.size = Math.min(max, EVAL_FIRST_CHUNK);
  }

  next(): number {
    return this.size;
  }

  /** Records that `prompts` took `ms`; sizes the next chunk. */
  took(prompts: number, ms: number): void {
    const fit = (prompts * EVAL_DISPATCH_MS) / Math.max(ms, 1e-3);
    const grown = Math.min(2 * this.size, fit, this.max);
    this.size = Math.max(64, Math.min(this.max, Math.floor(grown / 64) * 64));
  }
}

/** `size` bytes of `src` as floats (a copy into a mapped staging buffer; waits for the GPU). */
export async function readFloats(device: GPUDevice, src: GPUBuffer, size: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

export function trainingConstants(spec: ExperimentSpec, model: ModelDef, task: TaskContext): Constants {
  const d = spec.task.d;
  return {
    DIM: d,
    NT: spec.task.tasks,
    D: d + spec.task.tasks,
    N_CTX: spec.task.n,
    WG: PROMPTS_PER_WORKGROUP,
    H: spec.model.heads,
    BATCH: spec.train.batch,
    BATCH_PAD: batchPad(spec.train.batch),
    SUM_CHUNK,
    SUM_CHUNKS: sumChunks(spec.train.batch),
    NP: model.paramCount,
    CONTRIB: model.contribStride,
    ...taskConstants(task),
    FIXED_SET: spec.train.set > 0,
    TRAIN_SET: spec.train.set,
    SET_HALF: setHalfBits(spec.train.set),
    ...model.constants,
  };
}

/** The update kernel: the model's batch sums, then the elementwise optimizers (or only the sums, DEFER_STEP). */
export function updateKernelSource(): string {
  return `${SOURCES.elementwise}\n${SOURCES.update}`;
}
