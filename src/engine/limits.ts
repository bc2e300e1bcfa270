// The GPU's limits, checked before anything is allocated: a spec whose buffers
// or dispatches exceed what the adapter reports is refused with a message that
// names the buffer, its size, the limit and the largest setting that fits.
import { headsEvalFloats, headsKernelFloats, softmaxKernelOf, threadKernelFloats } from '../models/softmax.ts';
import type { ModelDef } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { optimizerStateFloatsOf } from './optimizer.ts';

export class ResourceLimitError extends Error {
  override name = 'ResourceLimitError';
}

/** The limits the engine depends on (a subset of GPUSupportedLimits, so tests can pass plain objects). */
export type EngineLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension'>;

const F32 = 4;

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The largest storage buffer the engine may bind. */
export function storageLimit(limits: EngineLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/** Prompts per workgroup of a training kernel that runs one a thread (the trainer's PROMPTS_PER_WORKGROUP). */
const WG = 64;

/**
 * Throws a ResourceLimitError if training `spec` with `model` needs a buffer or a
 * dispatch beyond `limits`. The batch-sized buffer (per-prompt gradient rows)
 * is the one that grows; its message gives the largest batch that fits. The
 * per-thread private-memory cap applies only on a CPU adapter (`adapter.cpu`,
 * see isCpuAdapter): a hardware GPU spills what its registers cannot hold.
 */
export function checkTrainingLimits(spec: ExperimentSpec, model: ModelDef, limits: EngineLimits, chunkSteps: number, adapter: { cpu: boolean } = { cpu: true }): void {
  if (adapter.cpu) checkPrivateMemory(spec);
  const limit = storageLimit(limits);
  const B = Math.ceil(spec.train.batch / 4) * 4;
  const rowBytes = model.contribStride * F32;
  if (B * rowBytes > limit) {
    throw new ResourceLimitError(
      `batch ${B} needs ${formatBytes(B * rowBytes)} of per-prompt gradient rows (${model.contribStride} numbers a prompt); ` +
        `this GPU allows ${formatBytes(limit)} per buffer (maxStorageBufferBindingSize). The largest batch that fits is ${Math.floor(limit / rowBytes)}.`,
    );
  }
  const np = model.paramCount;
  for (const [what, bytes] of [
    ['parameters', np * F32],
    ['optimizer state', optimizerStateFloatsOf(spec) * F32],
    ['gradient and scratch', (np + 1 + model.scratchSize) * F32],
    ['staging', (chunkSteps + np) * F32],
  ] as const)
    if (bytes > limit)
      throw new ResourceLimitError(`the model's ${what} need ${formatBytes(bytes)}; this GPU allows ${formatBytes(limit)} per buffer. Use a smaller d or fewer heads.`);
  const perGroup = model.promptsPerWorkgroup ?? WG;
  const groups = Math.ceil(B / perGroup);
  if (groups > limits.maxComputeWorkgroupsPerDimension)
    throw new ResourceLimitError(
      `batch ${B} needs ${groups} workgroups in one dispatch; this GPU allows ${limits.maxComputeWorkgroupsPerDimension}. The largest batch that fits is ${limits.maxComputeWorkgroupsPerDimension * perGroup}.`,
    );
  for (const st of [...model.preStages, ...model.stages, { label: 'optimizer', threads: np + 1 }])
    if (Math.ceil(st.threads / 64) > limits.maxComputeWorkgroupsPerDimension)
      throw new ResourceLimitError(`the ${st.label} stage needs ${Math.ceil(st.threads / 64)} workgroups; this GPU allows ${limits.maxComputeWorkgroupsPerDimension}.`);
}

/**
 * Whether an adapter runs on the CPU (SwiftShader, llvmpipe/lavapipe, WARP):
 * it says so (isFallbackAdapter) or names itself. An adapter that gives no
 * information counts as one, so the private-memory guard stays where nothing
 * is known.
 */
export function isCpuAdapter(info: Partial<GPUAdapterInfo> | undefined | null): boolean {
  if (!info) return true;
  if (info.isFallbackAdapter) return true;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/.test(text);
}

export interface PrivateFloats {
  /** The training kernel's private arrays (the softmax heads' running sums: every head's, or one head's where the heads are split across threads). */
  train: number;
  /** The evaluation as it runs: one fused kernel, or the larger of its two halves where split. */
  evaluate: number;
  /** The evaluation's baselines alone: XᵀX and its Cholesky factor (packed), u, the sums. */
  evaluateBaselines: number;
  /** The evaluation's model prediction alone (eval_model.wgsl). */
  evaluateModel: number;
  /** Whether the evaluation runs the model's column in its own kernel (fused it would exceed PRIVATE_FLOAT_LIMIT, or the model splits its heads across threads). */
  splitEvaluation: boolean;
}

/**
 * Per-thread private memory, in floats, of the training and evaluation kernels
 * (their private arrays: the softmax heads' running sums, the evaluation's
 * packed XᵀX and its Cholesky factor). Not a reported WebGPU limit, but past
 * about PRIVATE_FLOAT_LIMIT CPU-emulated GPUs (SwiftShader) crash the GPU
 * process, so the engine refuses such specs up front there (isCpuAdapter). An
 * evaluation that would exceed it fused runs as two kernels, the model's
 * prediction apart from the baselines' linear algebra.
 */
export function privateFloats(spec: ExperimentSpec): PrivateFloats {
  const { d, tasks: K } = spec.task;
  const D = d + K;
  const H = spec.model.heads;
  const softmax = spec.model.type === 'softmax';
  const heads = softmax && softmaxKernelOf(d, H, K) === 'heads';
  const train = softmax ? (heads ? headsKernelFloats(d, K) : threadKernelFloats(d, H, K)) : 2 * K * D + 3 * D + K * d + d;
  const model = softmax ? H * D * (1 + K) + H * (K + 2) : K * D + D + K;
  const evaluateBaselines = d * (d + 1) + (K + 1) * d + K;
  // Where training splits the heads across threads, so does the evaluation's model column (eval_model_heads.wgsl).
  const evaluateModel = heads ? headsEvalFloats(d, K) : model + K * d + d + K;
  const fused = evaluateBaselines + model;
  const splitEvaluation = heads || fused > PRIVATE_FLOAT_LIMIT;
  const evaluate = splitEvaluation ? Math.max(evaluateBaselines, evaluateModel) : fused;
  return { train, evaluate, evaluateBaselines, evaluateModel, splitEvaluation };
}

export const PRIVATE_FLOAT_LIMIT = 5000;

function checkPrivateMemory(spec: ExperimentSpec): void {
  const need = privateFloats(spec);
  const worst = Math.max(need.train, need.evaluate);
  if (worst <= PRIVATE_FLOAT_LIMIT) return;
  // Many heads are split across threads, so what grows past the cap is d and k (the baselines' XᵀX and its factor).
  throw new ResourceLimitError(
    `this model needs about ${worst} numbers of private memory per prompt thread (${need.train} to train, ${need.evaluate} to evaluate); ` +
      `on a CPU-emulated GPU such as this one the engine allows ${PRIVATE_FLOAT_LIMIT}, past which it crashes (a hardware GPU has no such cap). Use a smaller d or fewer tasks.`,
  );
}

/** Evaluation prompts per dispatch that keep the output buffer and the dispatch within the limits (`promptsPerGroup` prompts a workgroup in the evaluation's kernels). */
export function evalChunkPrompts(limits: EngineLimits, bytesPerPrompt: number, promptsPerGroup = 64): number {
  return Math.max(promptsPerGroup, Math.min(Math.floor(storageLimit(limits) / bytesPerPrompt), limits.maxComputeWorkgroupsPerDimension * promptsPerGroup));
}
