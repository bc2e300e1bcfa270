// R runs of one shape trained in one set of dispatches: every kernel of a
// step is dispatched once with R workgroup rows (batchKernel.ts), the runs'
// parameters, optimizer states, gradient rows and task matrices sit in R
// blocks of the same buffers, and their hyperparameters (seeds, learning rate
// and schedule, optimizer constants, σ², τ², the covariance factor) in per-run
// arrays. The runs share the kernels' prelude (model, d, n, k, H, batch, the
// task's flags, the optimizer kind, the step count); each does exactly what
// the same spec does in a Trainer of its own, bit for bit.
import './float16-shim.ts';
import { makeShaderDataDefinitions, makeStructuredView } from 'webgpu-utils';
import { modelFor } from '../models/index.ts';
import type { ModelDef } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { buildTask, type TaskContext } from '../tasks/task.ts';
import { batchKernel, strideConstant, type BatchedArray } from './batchKernel.ts';
import { checkTrainingLimits, isCpuAdapter } from './limits.ts';
import { usesMatrixKernel } from './optimizer.ts';
import { blockTable, optimizerConstants, optimizerKernelParts, optimizerRunParams, optimizerStateFloats, paramBlocks, writeOptimizerStep } from './optimizerKernel.ts';
import { cachedPipeline } from './pipeline.ts';
import { composeShaderWith, SOURCES, type Constants } from './shaders.ts';
import { PROMPT_BASE_WORD, stepsPerSubmission, trainDispatchParts, type DispatchParts } from './dispatchParts.ts';
import { batchPad, BLOWUP_FACTOR, PROMPTS_PER_WORKGROUP, taskMatrices, trainingConstants, updateKernelSource, readFloats, trainingLayouts, type Divergence, type TrainerCounters, type TrainerOptions, type TrainerSnapshot } from './trainer.ts';

const F32 = 4;
/** A step's StepInfo for every run, one block per step selected by a dynamic offset (its alignment). */
const STEP_INFO = 32;
const OFFSET_ALIGN = 256;

/** The shape a run shares with the others of its batch: its kernels' prelude and per-run block sizes. */
export function batchShapeKey(spec: ExperimentSpec): string {
  const model = modelFor(spec);
  const task = buildTask(spec.task);
  return JSON.stringify({
    consts: trainingConstants(spec, model, task),
    opt: optimizerConstants(spec.optimizer),
    steps: spec.train.steps,
    np: model.paramCount,
    taskMats: taskMatrices(task).length,
    scratch: model.scratchSize,
  });
}

export interface BatchReadback {
  /** Steps completed by every run once this readback was taken. */
  step: number;
  /** Per run: the batch loss of each step in [step − k, step), and the parameters after `step`. */
  losses: Float32Array[];
  params: Float32Array[];
  /** Per run: the step of its first non-finite or blown-up loss (or non-finite parameters), or null. */
  diverged: (number | null)[];
}

export class BatchTrainer {
  readonly specs: readonly ExperimentSpec[];
  readonly model: ModelDef;
  readonly tasks: readonly TaskContext[];
  readonly runs: number;
  readonly chunkSteps: number;
  /** What the engine did, for the benchmark: dispatches and submissions cover all runs together. */
  readonly counters: TrainerCounters = { submits: 0, computePasses: 0, dispatches: 0, mapAsyncCalls: 0, ringWaits: 0, bytesReadBack: 0 };

  private readonly device: GPUDevice;
  private readonly np: number;
  private readonly optFloats: number;
  private readonly workFloats: number;
  private readonly pipelines: { train: GPUComputePipeline; update: GPUComputePipeline; opt: GPUComputePipeline | null; pre: GPUComputePipeline[]; post: GPUComputePipeline[] };
  private readonly groups: { train: GPUBindGroup; stage: GPUBindGroup; update: GPUBindGroup; opt: GPUBindGroup | null };
  private readonly blockCount: number;
  private readonly buffers: Record<'runs' | 'steps' | 'taskMats' | 'params' | 'contrib' | 'work' | 'optState' | 'losses' | 'optScratch' | 'blocks', GPUBuffer>;
  private readonly stepBlock: number;
  /** How each step's training dispatch is split (one part unless the runs' work would run long). */
  readonly split: DispatchParts;
  private readonly initParams: Float32Array[];
  /** The readbacks' staging buffers, used in turn (see run). */
  private readonly staging: GPUBuffer[];
  private stagingNext = 0;
  private submitted = 0;
  private firstLoss: (number | null)[];
  private diverged: (Divergence | null)[];
  /** Each run's parameters at its latest readback before any divergence (what Trainer.divergence.lastFinite holds). */
  private lastFinite: { step: number; params: Float32Array }[];
  private destroyed = false;

  private constructor(
    device: GPUDevice,
    specs: ExperimentSpec[],
    parts: { model: ModelDef; tasks: TaskContext[]; chunkSteps: number; split: DispatchParts; pipelines: BatchTrainer['pipelines']; layouts: ReturnType<typeof trainingLayouts> },
  ) {
    this.device = device;
    this.specs = specs;
    this.model = parts.model;
    this.tasks = parts.tasks;
    this.runs = specs.length;
    this.chunkSteps = parts.chunkSteps;
    this.split = parts.split;
    this.pipelines = parts.pipelines;
    const R = this.runs;
    const spec = specs[0];
    const np = (this.np = this.model.paramCount);
    const blocks = paramBlocks(this.model);
    this.optFloats = optimizerStateFloats(spec.optimizer, blocks, np);
    this.blockCount = blocks.length;
    const table = blockTable(spec.optimizer.kind, blocks, np);
    this.workFloats = np + 1 + this.model.scratchSize;
    this.stepBlock = Math.ceil((R * STEP_INFO) / OFFSET_ALIGN) * OFFSET_ALIGN;

    const view = makeStructuredView(makeShaderDataDefinitions(SOURCES.common).structs.RunParams);
    const runBytes = view.arrayBuffer.byteLength;
    const runData = new Uint8Array(R * runBytes);
    specs.forEach((s, r) => {
      view.set({ data_seed: s.train.dataSeed, base_step: 0, ...optimizerRunParams(s.optimizer), inv_batch: 1 / s.train.batch });
      runData.set(new Uint8Array(view.arrayBuffer), r * runBytes);
    });
    const mats = this.tasks.map(taskMatrices);
    const S = GPUBufferUsage.STORAGE;
    const make = (label: string, floats: number, usage: number) => device.createBuffer({ label, size: Math.max(16, floats * F32), usage });
    this.buffers = {
      runs: device.createBuffer({ label: 'batch RunParams', size: runData.byteLength, usage: S | GPUBufferUsage.COPY_DST }),
      // Block i + p·chunkSteps: step i of the submission, for part p of its training dispatch.
      steps: device.createBuffer({ label: 'batch step slots', size: this.chunkSteps * this.split.parts * this.stepBlock, usage: S | GPUBufferUsage.COPY_DST }),
      taskMats: make('batch task matrices', R * mats[0].length, S | GPUBufferUsage.COPY_DST),
      params: make('batch params', R * np, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC),
      contrib: make('batch gradient rows', R * batchPad(spec.train.batch) * this.model.contribStride, S),
      work: make('batch gradient and scratch', R * this.workFloats, S | GPUBufferUsage.COPY_SRC),
      optState: make('batch optimizer state', R * this.optFloats, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC),
      losses: make('batch losses', R * this.chunkSteps, S | GPUBufferUsage.COPY_SRC),
      optScratch: make('batch optimizer scratch', parts.pipelines.opt ? R * table.scratchFloats : 4, S),
      blocks: device.createBuffer({ label: 'weight-matrix table', size: Math.max(16, table.table.byteLength), usage: S | GPUBufferUsage.COPY_DST }),
    };
    device.queue.writeBuffer(this.buffers.blocks, 0, table.table);
    this.staging = [0, 1].map((i) =>
      device.createBuffer({ label: `batch staging ${i}`, size: R * (this.chunkSteps + np) * F32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    );
    const q = device.queue;
    q.writeBuffer(this.buffers.runs, 0, runData);
    mats.forEach((m, r) => q.writeBuffer(this.buffers.taskMats, r * m.byteLength, m));
    this.initParams = specs.map((s) => this.model.init(s));
    this.initParams.forEach((p, r) => q.writeBuffer(this.buffers.params, r * np * F32, p as Float32Array<ArrayBuffer>));
    q.writeBuffer(this.buffers.optState, 0, new Float32Array(R * this.optFloats));
    this.firstLoss = specs.map(() => null);
    this.diverged = specs.map(() => null);
    this.lastFinite = this.initParams.map((p) => ({ step: 0, params: p.slice() }));

    const b = this.buffers;
    const steps = { buffer: b.steps, size: this.stepBlock };
    const { trainLayout, stageLayout, updateLayout } = parts.layouts;
    this.groups = {
      train: device.createBindGroup({
        label: 'batch train',
        layout: trainLayout,
        entries: [
          { binding: 0, resource: { buffer: b.runs } },
          { binding: 1, resource: steps },
          { binding: 2, resource: { buffer: b.taskMats } },
          { binding: 3, resource: { buffer: b.params } },
          { binding: 4, resource: { buffer: b.contrib } },
          { binding: 7, resource: { buffer: b.work } },
        ],
      }),
      stage: device.createBindGroup({
        label: 'batch gradient stages',
        layout: stageLayout,
        entries: [
          { binding: 0, resource: { buffer: b.runs } },
          { binding: 1, resource: steps },
          { binding: 3, resource: { buffer: b.params } },
          { binding: 4, resource: { buffer: b.contrib } },
          { binding: 7, resource: { buffer: b.work } },
        ],
      }),
      update: device.createBindGroup({
        label: 'batch update',
        layout: updateLayout,
        entries: [
          { binding: 0, resource: { buffer: b.runs } },
          { binding: 1, resource: steps },
          { binding: 3, resource: { buffer: b.params } },
          { binding: 4, resource: { buffer: b.contrib } },
          { binding: 5, resource: { buffer: b.optState } },
          { binding: 6, resource: { buffer: b.losses } },
          { binding: 7, resource: { buffer: b.work } },
        ],
      }),
      opt: parts.pipelines.opt
        ? device.createBindGroup({
            label: 'batch optimizer',
            layout: parts.layouts.optLayout,
            entries: [
              { binding: 0, resource: { buffer: b.runs } },
              { binding: 1, resource: steps },
              { binding: 3, resource: { buffer: b.params } },
              { binding: 5, resource: { buffer: b.optState } },
              { binding: 7, resource: { buffer: b.work } },
              { binding: 8, resource: { buffer: b.optScratch } },
              { binding: 9, resource: { buffer: b.blocks } },
            ],
          })
        : null,
    };
  }

  /** A trainer for `specs`, which must share batchShapeKey (the message names the first that does not). */
  static async create(device: GPUDevice, specs: ExperimentSpec[], options: Pick<TrainerOptions, 'chunkSteps' | 'shaderPasses' | 'softmaxKernel' | 'trainParts'> = {}): Promise<BatchTrainer> {
    if (specs.length === 0) throw new Error('BatchTrainer: no runs');
    const key = batchShapeKey(specs[0]);
    specs.forEach((s, r) => {
      if (batchShapeKey(s) !== key) throw new Error(`BatchTrainer: run ${r + 1} has another shape than run 1 (model, sizes, task flags, optimizer kind or step count)`);
    });
    const R = specs.length;
    if (R > device.limits.maxComputeWorkgroupsPerDimension) throw new Error(`BatchTrainer: ${R} runs; one dispatch takes at most ${device.limits.maxComputeWorkgroupsPerDimension}`);
    const spec = specs[0];
    const model = modelFor(spec, { softmaxKernel: options.softmaxKernel });
    const tasks = specs.map((s) => buildTask(s.task));
    const workgroups = Math.ceil(spec.train.batch / (model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP));
    const split = trainDispatchParts(spec, workgroups, R, options.trainParts);
    const chunkSteps = stepsPerSubmission(spec, options.chunkSteps ?? 100, split.parts);
    const cpu = isCpuAdapter((device as { adapterInfo?: GPUAdapterInfo }).adapterInfo);
    // The per-run limits, then the batch's buffers: R blocks of the largest per-run buffer.
    checkTrainingLimits(spec, model, device.limits, chunkSteps, { cpu });
    const big = { ...spec, train: { ...spec.train, batch: spec.train.batch * R } };
    checkTrainingLimits(big, model, { ...device.limits, maxComputeWorkgroupsPerDimension: Infinity }, chunkSteps, { cpu: false });
    const np = model.paramCount;
    const table = blockTable(spec.optimizer.kind, paramBlocks(model), np);
    const matrixKernel = usesMatrixKernel(spec.optimizer);
    const strides: Record<BatchedArray, number> = {
      params: np,
      contrib: batchPad(spec.train.batch) * model.contribStride,
      work: np + 1 + model.scratchSize,
      opt_state: optimizerStateFloats(spec.optimizer, paramBlocks(model), np),
      losses: chunkSteps,
      task_mats: taskMatrices(tasks[0]).length,
      scratch: matrixKernel ? table.scratchFloats : 0,
    };
    const batchConsts: Constants = Object.fromEntries(Object.entries(strides).map(([k, v]) => [strideConstant(k as BatchedArray), v]));
    const consts = { ...trainingConstants(spec, model, tasks[0]), ...batchConsts };
    const optConsts = { NP: np, ...optimizerConstants(spec.optimizer) };
    const passes = options.shaderPasses ?? true;
    const compose = (c: Constants, ...parts: string[]) => batchKernel(composeShaderWith(passes, c, ...parts));
    const layouts = trainingLayouts(device, true);
    const build = (label: string, code: string, layout: GPUBindGroupLayout) => cachedPipeline(device, `batch ${label}`, code, layout);
    const [train, update, opt, ...stages] = await Promise.all([
      build('train', compose(consts, SOURCES.common, SOURCES.rng, SOURCES.task, SOURCES.trainKey, model.trainShader), layouts.trainLayout),
      build('update', compose({ ...consts, ...optConsts }, SOURCES.common, model.gradSumShader, updateKernelSource()), layouts.updateLayout),
      matrixKernel ? build('optimizer', compose({ ...optConsts, ...batchConsts }, ...optimizerKernelParts()), layouts.optLayout) : Promise.resolve(null),
      ...[...model.preStages, ...model.stages].map((st) => build(st.label, compose(consts, SOURCES.common, st.shader), layouts.stageLayout)),
    ]);
    const pre = stages.slice(0, model.preStages.length);
    const post = stages.slice(model.preStages.length);
    return new BatchTrainer(device, specs, { model, tasks, chunkSteps, split, pipelines: { train, update, opt, pre, post }, layouts });
  }

  get stepsSubmitted(): number {
    return this.submitted;
  }

  /** Each run's initial parameters. */
  get initialParams(): Float32Array[] {
    return this.initParams.map((p) => p.slice());
  }

  /** Each run's divergence, as a Trainer of its spec with the same chunkSteps reports it, or null: the other runs go on. */
  get divergences(): readonly (Divergence | null)[] {
    return this.diverged;
  }

  /**
   * Trains every run `steps` more steps (clamped to the step count), calling
   * onReadback once per submission with each run's losses and parameters.
   */
  async run(options: { steps: number; onReadback?: (r: BatchReadback) => void; shouldStop?: () => boolean }): Promise<void> {
    this.assertAlive();
    const total = this.specs[0].train.steps;
    const target = Math.min(total, this.submitted + Math.max(0, Math.floor(options.steps)));
    const R = this.runs;
    const np = this.np;
    let inFlight: Promise<void> | null = null;
    while (this.submitted < target && !(options.shouldStop?.() ?? false) && this.diverged.some((d) => d === null)) {
      const k = Math.min(this.chunkSteps, target - this.submitted);
      const first = this.submitted;
      // Two staging buffers: one maps while the next submission runs into the other.
      const staging = this.staging[this.stagingNext];
      this.stagingNext = 1 - this.stagingNext;
      this.encodeSteps(first, k, staging);
      this.submitted += k;
      this.counters.mapAsyncCalls++;
      this.counters.bytesReadBack += staging.size;
      const previous = inFlight;
      inFlight = (async () => {
        await previous;
        await staging.mapAsync(GPUMapMode.READ);
        const data = new Float32Array(staging.getMappedRange().slice(0));
        staging.unmap();
        if (this.destroyed) return;
        const losses = Array.from({ length: R }, (_, r) => data.subarray(r * this.chunkSteps, r * this.chunkSteps + k));
        const params = Array.from({ length: R }, (_, r) => data.subarray(R * this.chunkSteps + r * np, R * this.chunkSteps + (r + 1) * np));
        // As Trainer.run judges its readbacks, run by run.
        for (let r = 0; r < R; r++) {
          if (this.diverged[r] !== null) continue;
          const l = losses[r];
          if (this.firstLoss[r] === null && l.length > 0 && Number.isFinite(l[0])) this.firstLoss[r] = l[0];
          const limit = BLOWUP_FACTOR * Math.max(this.firstLoss[r] ?? Infinity, 1e-12);
          const bad = l.findIndex((v) => !Number.isFinite(v) || v > limit);
          if (bad >= 0 || !params[r].every(Number.isFinite)) {
            const loss = bad >= 0 ? l[bad] : NaN;
            this.diverged[r] = {
              step: bad >= 0 ? first + bad : first + k,
              reason: bad >= 0 && Number.isFinite(loss) ? 'blowup' : 'nonfinite',
              loss,
              firstLoss: this.firstLoss[r] ?? NaN,
              lastFinite: this.lastFinite[r],
            };
          } else this.lastFinite[r] = { step: first + k, params: params[r] };
        }
        options.onReadback?.({ step: first + k, losses, params, diverged: this.diverged.map((d) => d?.step ?? null) });
      })();
      // Two submissions in flight at most: the next one reuses the staging buffer the one before this mapped.
      if (previous) await previous;
    }
    await inFlight;
  }

  private encodeSteps(first: number, k: number, staging: GPUBuffer): void {
    const R = this.runs;
    const { parts, groupsPerPart } = this.split;
    const slots = new ArrayBuffer(((parts - 1) * this.chunkSteps + k) * this.stepBlock);
    const u32 = new Uint32Array(slots);
    const f32 = new Float32Array(slots);
    for (let i = 0; i < k; i++)
      this.specs.forEach((spec, r) => {
        const o = (i * this.stepBlock + r * STEP_INFO) / 4;
        u32[o] = i;
        writeOptimizerStep(spec.optimizer, first + i, spec.train.steps, u32, f32, o);
        const { batch, set } = spec.train;
        if (set > 0) {
          const g = (first + i) * batch;
          u32[o + 4] = Math.floor(g / set) >>> 0;
          u32[o + 5] = g % set;
        }
      });
    const ppw = this.model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP;
    for (let p = 1; p < parts; p++) {
      const base = p * this.chunkSteps * this.stepBlock;
      new Uint8Array(slots, base, k * this.stepBlock).set(new Uint8Array(slots, 0, k * this.stepBlock));
      for (let i = 0; i < k; i++) for (let r = 0; r < R; r++) u32[(base + i * this.stepBlock + r * STEP_INFO) / 4 + PROMPT_BASE_WORD] = p * groupsPerPart * ppw;
    }
    const q = this.device.queue;
    q.writeBuffer(this.buffers.steps, 0, slots);
    // base_step is the same for every run: RunParams' second word in each run's record.
    const runBytes = this.buffers.runs.size / R;
    for (let r = 0; r < R; r++) q.writeBuffer(this.buffers.runs, r * runBytes + 4, new Uint32Array([first]));
    const enc = this.device.createCommandEncoder({ label: `batch steps ${first}..${first + k}` });
    const pass = enc.beginComputePass();
    const m = this.model;
    const p = this.pipelines;
    const g = this.groups;
    const trainGroups = Math.ceil(this.specs[0].train.batch / (this.model.promptsPerWorkgroup ?? PROMPTS_PER_WORKGROUP));
    const updateGroups = Math.ceil((this.np + 1) / 64);
    for (let i = 0; i < k; i++) {
      const offset = [i * this.stepBlock];
      m.preStages.forEach((st, j) => {
        pass.setPipeline(p.pre[j]);
        pass.setBindGroup(0, g.stage, offset);
        pass.dispatchWorkgroups(Math.ceil(st.threads / 64), R);
      });
      pass.setPipeline(p.train);
      for (let part = 0; part < parts; part++) {
        pass.setBindGroup(0, g.train, [(part * this.chunkSteps + i) * this.stepBlock]);
        pass.dispatchWorkgroups(Math.min(groupsPerPart, trainGroups - part * groupsPerPart), R);
      }
      m.stages.forEach((st, j) => {
        pass.setPipeline(p.post[j]);
        pass.setBindGroup(0, g.stage, offset);
        pass.dispatchWorkgroups(Math.ceil(st.threads / 64), R);
      });
      pass.setPipeline(p.update);
      pass.setBindGroup(0, g.update, offset);
      pass.dispatchWorkgroups(updateGroups, R);
      if (p.opt) {
        pass.setPipeline(p.opt);
        pass.setBindGroup(0, g.opt!, offset);
        pass.dispatchWorkgroups(this.blockCount, R);
      }
    }
    pass.end();
    // Staging: every run's k losses (R blocks of chunkSteps), then every run's parameters.
    for (let r = 0; r < R; r++) enc.copyBufferToBuffer(this.buffers.losses, r * this.chunkSteps * F32, staging, r * this.chunkSteps * F32, k * F32);
    enc.copyBufferToBuffer(this.buffers.params, 0, staging, R * this.chunkSteps * F32, R * this.np * F32);
    q.submit([enc.finish()]);
    this.counters.submits++;
    this.counters.computePasses++;
    this.counters.dispatches += (1 + parts + (p.opt ? 1 : 0) + m.preStages.length + m.stages.length) * k;
  }

  /** Each run's state after the steps submitted so far: restoring one into a Trainer of its spec continues that run bit for bit. */
  async snapshots(): Promise<TrainerSnapshot[]> {
    this.assertAlive();
    const [params, opt] = await Promise.all([this.read(this.buffers.params, this.runs * this.np), this.read(this.buffers.optState, this.runs * this.optFloats)]);
    return this.specs.map((_, r) => ({
      step: this.submitted,
      params: params.slice(r * this.np, (r + 1) * this.np),
      optState: opt.slice(r * this.optFloats, (r + 1) * this.optFloats),
    }));
  }

  /** The batch-mean gradient and loss of each run's latest step (for checking the kernels). */
  async readLastGradients(): Promise<{ grad: Float64Array; loss: number }[]> {
    this.assertAlive();
    const work = await this.read(this.buffers.work, this.runs * this.workFloats);
    return this.specs.map((s, r) => {
      const o = r * this.workFloats;
      const B = s.train.batch;
      return { grad: Float64Array.from(work.subarray(o, o + this.np), (v) => v / B), loss: work[o + this.np] / B };
    });
  }

  private read(src: GPUBuffer, floats: number): Promise<Float32Array> {
    return readFloats(this.device, src, floats * F32);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [...Object.values(this.buffers), ...this.staging]) b.destroy();
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error('BatchTrainer: destroyed');
  }
}
