// Float64 CPU sampler of the prompt distribution, drawing the same normals
// from the same records as the GPU sampler (shaders/task.wgsl).
import { poolPick, promptKey, recordNormals, recordUniforms, setIndex, setPosition, STREAM } from '../rng/rng.ts';
import type { TrainSpec } from '../spec/types.ts';
import { applyResponse, type TaskContext } from './task.ts';

export interface Prompt {
  /** Task vector w of the first output (d). */
  w: Float64Array;
  /** Context covariates, n rows of d (row-major). */
  xs: Float64Array;
  /** Context labels of the first output (n). */
  ys: Float64Array;
  xq: Float64Array;
  /** Query target of the first output. */
  yq: number;
  /** Outputs k, and every output's task vectors (k×d), labels (n×k) and query targets (k). */
  k: number;
  wAll: Float64Array;
  ysAll: Float64Array;
  yqAll: Float64Array;
}

function lowerMatvec(l: Float64Array, g: Float64Array, d: number, out: Float64Array, offset = 0): void {
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += l[i * d + j] * g[j];
    out[offset + i] = s;
  }
}

function denseMatvec(a: Float64Array, g: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[i * d + j] * g[j];
    out[i] = s;
  }
  return out;
}

/**
 * Prompt number `prompt` of training step `step` (or of any reserved stream),
 * with n context pairs. Each record holds d + k normals (x, then one label
 * noise per output): record t < k gives w_t (its first d normals), record k the
 * query, record k + 1 + i context pair i.
 */
export function samplePrompt(ctx: TaskContext, seed: number, step: number, prompt: number, n = ctx.n): Prompt {
  const { d } = ctx;
  const k = ctx.outputs.length;
  const rec = d + k;
  const key = promptKey(seed, step, prompt);
  const sd = Math.sqrt(ctx.noiseVar);
  const wAll = new Float64Array(k * d);
  if (ctx.drawFromPool && ctx.pool) {
    const m = poolPick(key, ctx.pool.size);
    wAll.set(ctx.pool.vectors.subarray(m * k * d, (m + 1) * k * d));
  } else {
    for (let t = 0; t < k; t++) wAll.set(denseMatvec(ctx.outputs[t].priorFactor, recordNormals(key, t, rec), d), t * d);
  }
  const uniform = ctx.covariates === 'uniform';
  // Writes x of record r at out[offset…] and returns the record's normals (noises at d…).
  const point = (r: number, out: Float64Array, offset: number): Float64Array => {
    const g = recordNormals(key, r, rec);
    const v = uniform ? recordUniforms(key, r, d) : g;
    if (ctx.isotropic) for (let i = 0; i < d; i++) out[offset + i] = v[i];
    else lowerMatvec(ctx.covFactor, v, d, out, offset);
    return g;
  };
  const label = (x: Float64Array, offset: number, t: number, noise: number) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += wAll[t * d + i] * x[offset + i];
    return applyResponse(ctx, s, t) + sd * noise;
  };
  const xq = new Float64Array(d);
  const gq = point(k, xq, 0);
  const yqAll = new Float64Array(k);
  for (let t = 0; t < k; t++) yqAll[t] = label(xq, 0, t, ctx.queryNoise ? gq[d + t] : 0);
  const xs = new Float64Array(n * d);
  const ysAll = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const g = point(k + 1 + i, xs, i * d);
    for (let t = 0; t < k; t++) ysAll[i * k + t] = label(xs, i * d, t, g[d + t]);
  }
  return promptOutput({ w: wAll, xs, ys: ysAll, xq, yq: yqAll[0], k, wAll, ysAll, yqAll }, 0);
}

/** The prompt seen through output t: w, ys and yq of that output (all outputs kept). */
export function promptOutput(p: Prompt, t: number): Prompt {
  if (p.k === 1) return { ...p, w: p.wAll, ys: p.ysAll };
  const d = p.xq.length;
  const n = p.xs.length / d;
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = p.ysAll[i * p.k + t];
  return { ...p, w: p.wAll.slice(t * d, (t + 1) * d), ys, yq: p.yqAll[t] };
}

/**
 * The stream of batch prompt b of training step `step`: (step, b) for fresh
 * prompts, or, for a fixed training set, (TRAINSET, its index in the set) —
 * epoch ⌊(step·B + b)/N⌋, position (step·B + b) mod N, permuted per epoch.
 */
export function trainingStream(train: TrainSpec, step: number, b: number): { stepWord: number; prompt: number } {
  if (train.set === 0) return { stepWord: step, prompt: b };
  const { epoch, position } = setPosition(step, train.batch, b, train.set);
  return { stepWord: STREAM.TRAINSET, prompt: setIndex(position, epoch >>> 0, train.dataSeed, train.set) };
}

/** Batch prompt b of training step `step`, as the training kernels draw it. */
export function trainingPrompt(ctx: TaskContext, train: TrainSpec, step: number, b: number): Prompt {
  const s = trainingStream(train, step, b);
  return samplePrompt(ctx, train.dataSeed, s.stepWord, s.prompt);
}
