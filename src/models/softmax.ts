// Multi-head softmax attention (He et al. 2025; DESIGN.md §3): per head Q^h,
// K^h, V^h ∈ R^{D×D} acting on column vectors (D = d + k for k outputs), one
// output projection O ∈ R^{k×H·D}; only the query attends, to the n context tokens:
//   ŷ = Σ_h O^h V^h Z softmax(Zᵀ K^{hᵀ} Q^h z_q / √D)   (k outputs).
// Layout: for each head h, Q^h, K^h, V^h (row-major) at h·3D²; then O (k×H·D,
// row-major: output t, head h at o + t·H·D + h·D).
// This file holds the layout, the initializations (as in the reference code)
// and the float64 reference; the WGSL is in shaders/softmax_*.wgsl.
import trainCommonShader from '../../shaders/softmax_train_common.wgsl?raw';
import trainThreadShader from '../../shaders/softmax_train.wgsl?raw';
import headsTileShader from '../../shaders/softmax_heads_tile.wgsl?raw';
import trainHeadsShader from '../../shaders/softmax_train_heads.wgsl?raw';
import evalHeadsShader from '../../shaders/eval_model_heads.wgsl?raw';
import predictShader from '../../shaders/softmax_predict.wgsl?raw';
import sumsShader from '../../shaders/softmax_sums.wgsl?raw';
import gradShader from '../../shaders/softmax_grad.wgsl?raw';
import prepShader from '../../shaders/softmax_prep.wgsl?raw';
import gradFromWork from '../../shaders/grad_from_work.wgsl?raw';
import { NormalStream, pcg4d, STREAM } from '../rng/rng.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { MatrixLayout, ModelDef } from './types.ts';

export interface SoftmaxLayout {
  d: number;
  /** Outputs k. */
  K: number;
  D: number;
  H: number;
  q(h: number): number;
  k(h: number): number;
  v(h: number): number;
  /** Offset of O (k×H·D entries); head h's slice of output t at oh(t, h). */
  o: number;
  oh(t: number, h: number): number;
  paramCount: number;
}

export function softmaxLayout(d: number, H: number, K = 1): SoftmaxLayout {
  const D = d + K;
  const head = 3 * D * D;
  return {
    d,
    K,
    D,
    H,
    q: (h) => h * head,
    k: (h) => h * head + D * D,
    v: (h) => h * head + 2 * D * D,
    o: H * head,
    oh: (t, h) => H * head + t * H * D + h * D,
    paramCount: H * head + K * H * D,
  };
}

/** Uniform numbers in [0, 1) from the init stream (for PyTorch-style uniform init). */
function uniformStream(seed: number): () => number {
  let counter = 0;
  let buf: number[] = [];
  return () => {
    if (buf.length === 0) buf = pcg4d(seed >>> 0, STREAM.INIT + 1, counter++, 0x51ed270b).map((u) => u / 4294967296);
    return buf.pop()!;
  };
}

export function softmaxInit(spec: ExperimentSpec, L: SoftmaxLayout): Float32Array<ArrayBuffer> {
  const { D, H, K } = L;
  const out = new Float32Array(L.paramCount);
  const s = spec.model.initScale;
  const seed = spec.train.initSeed;
  const u = uniformStream(seed);
  // PyTorch nn.Linear default: U(−1/√fan_in, 1/√fan_in); fan_in = D for Q, K, V, H·D for O.
  const fillUniform = (offset: number, count: number, fanIn: number) => {
    const b = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < count; i++) out[offset + i] = (2 * u() - 1) * b;
  };
  const fillIdentity = (offset: number, scale: number) => {
    for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) out[offset + j * D + k] = j === k ? scale : 0;
  };
  switch (spec.model.init) {
    case 'gaussian': {
      const g = new NormalStream(seed, STREAM.INIT, 0);
      for (let i = 0; i < out.length; i++) out[i] = s * g.next();
      break;
    }
    case 'default':
      for (let h = 0; h < H; h++) for (const off of [L.q(h), L.k(h), L.v(h)]) fillUniform(off, D * D, D);
      fillUniform(L.o, K * H * D, H * D);
      break;
    case 'small-identity':
      for (let h = 0; h < H; h++) for (const off of [L.q(h), L.k(h), L.v(h)]) fillIdentity(off, s);
      fillUniform(L.o, K * H * D, H * D);
      break;
    case 'opposite-identity':
      for (let h = 0; h < H; h++) {
        fillIdentity(L.q(h), h < H / 2 ? s : -s);
        fillIdentity(L.k(h), s);
        fillUniform(L.v(h), D * D, D);
      }
      fillUniform(L.o, K * H * D, H * D);
      break;
  }
  return out;
}

/** Float64 forward pass; returns what the gradient needs too. */
export function softmaxForward(params: ArrayLike<number>, prompt: Prompt, L: SoftmaxLayout) {
  const { d, D, H, K } = L;
  const n = prompt.xs.length / d;
  const zq = new Float64Array(D);
  zq.set(prompt.xq);
  const z = (i: number, k: number) => (k < d ? prompt.xs[i * d + k] : prompt.ysAll[i * K + k - d]);
  const scale = 1 / Math.sqrt(D);
  const heads = [];
  const yhat = new Array<number>(K).fill(0);
  for (let h = 0; h < H; h++) {
    const Q = L.q(h);
    const Kh = L.k(h);
    const V = L.v(h);
    const q = new Float64Array(D);
    for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) q[j] += params[Q + j * D + k] * zq[k];
    const logits = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let l = 0;
      for (let j = 0; j < D; j++) {
        let kz = 0;
        for (let k = 0; k < D; k++) kz += params[Kh + j * D + k] * z(i, k);
        l += q[j] * kz;
      }
      logits[i] = l * scale;
    }
    const mx = Math.max(...logits);
    const a = logits.map((l) => Math.exp(l - mx));
    const sum = a.reduce((x, y) => x + y, 0);
    for (let i = 0; i < n; i++) a[i] /= sum;
    const c = new Float64Array(D);
    for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) c[k] += a[i] * z(i, k);
    const vc = new Float64Array(D);
    for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) vc[j] += params[V + j * D + k] * c[k];
    for (let t = 0; t < K; t++) for (let j = 0; j < D; j++) yhat[t] += params[L.oh(t, h) + j] * vc[j];
    heads.push({ q, a, c, vc });
  }
  return { yhat, heads, zq, z, n };
}

function headsParts(d: number, H: number, K: number, n: number): Pick<ModelDef, 'promptsPerWorkgroup' | 'constants' | 'evalModelShader'> {
  const { PPW, HWG, TILE } = headsKernelShape(d, H, K, n);
  return { promptsPerWorkgroup: PPW, constants: { PPW, HWG, TILE }, evalModelShader: [predictShader, headsTileShader, evalHeadsShader].join('\n') };
}

/** Prompts per partial batch sum (softmax_sums.wgsl); the gradient stage adds the partials in order. */
export const SUM_CHUNK = 256;

/** Partial batch sums per entry: one per SUM_CHUNK prompts, so the sums stage has many threads at any batch size. */
export function sumChunks(batch: number): number {
  return Math.max(1, Math.ceil(batch / SUM_CHUNK));
}

/**
 * The training kernels: 'thread' (softmax_train.wgsl) runs a prompt on one
 * thread holding every head's sums; 'heads' (softmax_train_heads.wgsl) splits
 * a prompt's heads across the threads of a workgroup, with its context in
 * workgroup memory. Both write the same per-prompt rows.
 */
export type SoftmaxKernel = 'thread' | 'heads';

/** Numbers one thread holds in the 'thread' kernel: every head's sums and per-step vectors, and the prompt's. */
export function threadKernelFloats(d: number, H: number, K: number): number {
  const D = d + K;
  return H * D * (2 + 2 * K) + H * (K + 2) + 3 * D + K * d;
}

/** Numbers one thread holds in the 'heads' kernel: one head's sums and vectors, and the prompt's. */
export function headsKernelFloats(d: number, K: number): number {
  const D = d + K;
  return D * (3 + 2 * K) + K * d + d + 4 * K + 2;
}

/** Numbers one thread of the heads evaluation kernel (eval_model_heads.wgsl) holds: one head's query, k̃, ov and sums, and the prompt's. */
export function headsEvalFloats(d: number, K: number): number {
  const D = d + K;
  return D * (3 + K) + K * d + d + 2 * K + 2;
}

/**
 * Past this many numbers a thread, a prompt's heads are split across threads.
 * A GPU thread keeps a few hundred numbers in registers and spills the rest;
 * every preset stays below it, on the one-thread kernel.
 */
export const HEADS_KERNEL_FLOATS = 1024;

/** The kernel a spec trains with: the heads kernel where one thread would hold more than HEADS_KERNEL_FLOATS and there are heads to split. */
export function softmaxKernelOf(d: number, H: number, K: number): SoftmaxKernel {
  return H > 1 && threadKernelFloats(d, H, K) > HEADS_KERNEL_FLOATS ? 'heads' : 'thread';
}

/** Workgroup memory (floats) the heads kernel may use: 16 KiB, every adapter's minimum maxComputeWorkgroupStorageSize. */
const HEADS_WORKGROUP_FLOATS = 4096;

/** The heads kernel's shape: PPW prompts of H threads a workgroup, TILE context tokens a prompt in workgroup memory at once. */
export function headsKernelShape(d: number, H: number, K: number, n: number): { PPW: number; HWG: number; TILE: number } {
  const D = d + K;
  const PPW = Math.max(1, Math.floor(64 / H));
  const HWG = PPW * H;
  const free = HEADS_WORKGROUP_FLOATS - HWG * K - HWG - 1;
  const TILE = Math.max(1, Math.min(n, Math.floor(free / (PPW * D))));
  return { PPW, HWG, TILE };
}

export function softmaxModel(d: number, H: number, K = 1, batch = 1, kernel: SoftmaxKernel = 'thread', n = 1): ModelDef {
  const L = softmaxLayout(d, H, K);
  const { D, paramCount } = L;
  const matrices: MatrixLayout[] = [];
  for (let h = 0; h < H; h++) {
    const tag = H > 1 ? `^${h + 1}` : '';
    matrices.push(
      { name: `Q${tag}`, rows: D, cols: D, offset: L.q(h), noGradient: () => false, caption: `Query projection of head ${h + 1} (acts on z_q = (x_q, 0): its label column${K > 1 ? 's' : ''} never get${K > 1 ? '' : 's'} gradient).` },
      { name: `K${tag}`, rows: D, cols: D, offset: L.k(h), noGradient: () => false, caption: `Key projection of head ${h + 1}.` },
      { name: `V${tag}`, rows: D, cols: D, offset: L.v(h), noGradient: () => false, caption: `Value projection of head ${h + 1}.` },
    );
    matrices[matrices.length - 3].noGradient = (_r, c) => c >= d;
  }
  matrices.push({ name: 'O', rows: K, cols: H * D, offset: L.o, noGradient: () => false, caption: `Output projection${K > 1 ? ' (a row per output)' : ''}; head h uses columns h·D … (h+1)·D − 1.` });
  const nsum = H * (K * D + D * d);
  const partials = sumChunks(batch) * (nsum + 1);
  const prep = H * (D * d + K * D);
  return {
    paramCount,
    matrices,
    trainShader: [trainCommonShader, ...(kernel === 'heads' ? [headsTileShader, trainHeadsShader] : [trainThreadShader])].join('\n'),
    predictShader,
    contribStride: H * (K + 1) * D + D + 1,
    ...(kernel === 'heads' ? headsParts(d, H, K, n) : {}),
    gradSumShader: gradFromWork,
    stages: [
      { label: 'softmax sums', shader: sumsShader, threads: partials },
      { label: 'softmax gradient', shader: gradShader, threads: paramCount + 1 },
    ],
    preStages: [{ label: 'softmax per-step constants', shader: prepShader, threads: prep }],
    scratchSize: partials + prep,
    init: (spec) => softmaxInit(spec, L),
    predict: (params, prompt) => softmaxForward(params, prompt, L).yhat,
    lossGrad(params, prompt) {
      const { yhat, heads, zq, z, n } = softmaxForward(params, prompt, L);
      // ℓ = (1/k) Σ_t r_t²: g_t = ∂ℓ/∂ŷ_t.
      const r = yhat.map((y, t) => y - prompt.yqAll[t]);
      const g = r.map((v) => (2 * v) / K);
      const scale = 1 / Math.sqrt(D);
      const grad = new Float64Array(paramCount);
      heads.forEach(({ q, a, c, vc }, h) => {
        const V = L.v(h);
        const Kh = L.k(h);
        // ov_t = Vᵀ O_t^hᵀ: ∂ŷ_t/∂c.
        const ov = Array.from({ length: K }, (_, t) => {
          const o = new Float64Array(D);
          for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) o[k] += params[L.oh(t, h) + j] * params[V + j * D + k];
          return o;
        });
        for (let t = 0; t < K; t++) for (let j = 0; j < D; j++) grad[L.oh(t, h) + j] = g[t] * vc[j];
        for (let j = 0; j < D; j++)
          for (let k = 0; k < D; k++) {
            let s = 0;
            for (let t = 0; t < K; t++) s += g[t] * params[L.oh(t, h) + j];
            grad[V + j * D + k] = s * c[k];
          }
        // ∂ℓ/∂logit_i = a_i Σ_t g_t (s_it − s̄_t), s_it = ov_t·z_i; e = Σ_i that · z_i.
        const e = new Float64Array(D);
        for (let t = 0; t < K; t++) {
          const s = Float64Array.from({ length: n }, (_, i) => {
            let v = 0;
            for (let k = 0; k < D; k++) v += ov[t][k] * z(i, k);
            return v;
          });
          let sbar = 0;
          for (let i = 0; i < n; i++) sbar += a[i] * s[i];
          for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) e[k] += g[t] * a[i] * (s[i] - sbar) * z(i, k);
        }
        const Ke = new Float64Array(D);
        for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) Ke[j] += params[Kh + j * D + k] * e[k];
        for (let j = 0; j < D; j++)
          for (let k = 0; k < D; k++) {
            grad[Kh + j * D + k] = q[j] * e[k] * scale;
            grad[L.q(h) + j * D + k] = Ke[j] * zq[k] * scale;
          }
      });
      return { yhat, loss: r.reduce((acc, v) => acc + v * v, 0) / K, grad };
    },
  };
}
