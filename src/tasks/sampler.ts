// Float64 CPU sampler of the prompt distribution, drawing the same normals
// from the same records as the GPU sampler (shaders/task.wgsl).
import { promptKey, recordNormals } from '../engine/rng.ts';
import { applyResponse, type TaskContext } from './task.ts';

export interface Prompt {
  /** Task vector w (d). */
  w: Float64Array;
  /** Context covariates, n rows of d (row-major). */
  xs: Float64Array;
  /** Context labels (n). */
  ys: Float64Array;
  xq: Float64Array;
  yq: number;
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
 * with n context pairs. Record 0 gives w, record 1 the query, record 2 + i
 * context pair i; each record holds d + 1 normals (x, then its label noise).
 */
export function samplePrompt(ctx: TaskContext, seed: number, step: number, prompt: number, n = ctx.n): Prompt {
  const { d } = ctx;
  const key = promptKey(seed, step, prompt);
  const sd = Math.sqrt(ctx.noiseVar);
  const w = denseMatvec(ctx.priorFactor, recordNormals(key, 0, d + 1), d);
  const point = (r: number, out: Float64Array, offset: number): number => {
    const g = recordNormals(key, r, d + 1);
    if (ctx.isotropic) for (let i = 0; i < d; i++) out[offset + i] = g[i];
    else lowerMatvec(ctx.covFactor, g, d, out, offset);
    return g[d];
  };
  const label = (x: Float64Array, offset: number, noise: number) => {
    let t = 0;
    for (let i = 0; i < d; i++) t += w[i] * x[offset + i];
    return applyResponse(ctx, t) + sd * noise;
  };
  const xq = new Float64Array(d);
  const qNoise = point(1, xq, 0);
  const yq = label(xq, 0, ctx.queryNoise ? qNoise : 0);
  const xs = new Float64Array(n * d);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = label(xs, i * d, point(2 + i, xs, i * d));
  return { w, xs, ys, xq, yq };
}
