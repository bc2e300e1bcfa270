// Multi-head softmax attention (He et al. 2025; DESIGN.md §3): per head Q^h,
// K^h, V^h ∈ R^{D×D} acting on column vectors, one output projection
// O ∈ R^{1×H·D}; only the query attends, to the n context tokens:
//   ŷ = Σ_h O^h V^h Z softmax(Zᵀ K^{hᵀ} Q^h z_q / √D).
// Layout: for each head h, Q^h, K^h, V^h (row-major) at h·3D²; then O (H·D).
// This file holds the layout, the initializations (as in the reference code)
// and the float64 reference; the WGSL is in shaders/softmax_*.wgsl.
import trainShader from '../../shaders/softmax_train.wgsl?raw';
import predictShader from '../../shaders/softmax_predict.wgsl?raw';
import sumsShader from '../../shaders/softmax_sums.wgsl?raw';
import gradShader from '../../shaders/softmax_grad.wgsl?raw';
import prepShader from '../../shaders/softmax_prep.wgsl?raw';
import gradFromWork from '../../shaders/grad_from_work.wgsl?raw';
import { NormalStream, pcg4d, STREAM } from '../engine/rng.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { MatrixLayout, ModelDef } from './types.ts';

export interface SoftmaxLayout {
  d: number;
  D: number;
  H: number;
  q(h: number): number;
  k(h: number): number;
  v(h: number): number;
  /** Offset of O (H·D entries, head h's slice at o + h·D). */
  o: number;
  paramCount: number;
}

export function softmaxLayout(d: number, H: number): SoftmaxLayout {
  const D = d + 1;
  const head = 3 * D * D;
  return {
    d,
    D,
    H,
    q: (h) => h * head,
    k: (h) => h * head + D * D,
    v: (h) => h * head + 2 * D * D,
    o: H * head,
    paramCount: H * head + H * D,
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
  const { D, H } = L;
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
      fillUniform(L.o, H * D, H * D);
      break;
    case 'small-identity':
      for (let h = 0; h < H; h++) for (const off of [L.q(h), L.k(h), L.v(h)]) fillIdentity(off, s);
      fillUniform(L.o, H * D, H * D);
      break;
    case 'opposite-identity':
      for (let h = 0; h < H; h++) {
        fillIdentity(L.q(h), h < H / 2 ? s : -s);
        fillIdentity(L.k(h), s);
        fillUniform(L.v(h), D * D, D);
      }
      fillUniform(L.o, H * D, H * D);
      break;
  }
  return out;
}

/** Float64 forward pass; returns what the gradient needs too. */
export function softmaxForward(params: ArrayLike<number>, prompt: Prompt, L: SoftmaxLayout) {
  const { d, D, H } = L;
  const n = prompt.ys.length;
  const zq = new Float64Array(D);
  zq.set(prompt.xq);
  const z = (i: number, k: number) => (k < d ? prompt.xs[i * d + k] : prompt.ys[i]);
  const scale = 1 / Math.sqrt(D);
  const heads = [];
  let yhat = 0;
  for (let h = 0; h < H; h++) {
    const Q = L.q(h);
    const K = L.k(h);
    const V = L.v(h);
    const q = new Float64Array(D);
    for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) q[j] += params[Q + j * D + k] * zq[k];
    const logits = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let l = 0;
      for (let j = 0; j < D; j++) {
        let kz = 0;
        for (let k = 0; k < D; k++) kz += params[K + j * D + k] * z(i, k);
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
    let yh = 0;
    for (let j = 0; j < D; j++) yh += params[L.o + h * D + j] * vc[j];
    yhat += yh;
    heads.push({ q, a, c, vc });
  }
  return { yhat, heads, zq, z };
}

export function softmaxModel(d: number, H: number): ModelDef {
  const L = softmaxLayout(d, H);
  const { D, paramCount } = L;
  const matrices: MatrixLayout[] = [];
  for (let h = 0; h < H; h++) {
    const tag = H > 1 ? `^${h + 1}` : '';
    matrices.push(
      { name: `Q${tag}`, rows: D, cols: D, offset: L.q(h), noGradient: () => false, caption: `Query projection of head ${h + 1} (acts on z_q = (x_q, 0): its last column never gets gradient).` },
      { name: `K${tag}`, rows: D, cols: D, offset: L.k(h), noGradient: () => false, caption: `Key projection of head ${h + 1}.` },
      { name: `V${tag}`, rows: D, cols: D, offset: L.v(h), noGradient: () => false, caption: `Value projection of head ${h + 1}.` },
    );
    matrices[matrices.length - 3].noGradient = (_r, c) => c === d;
  }
  matrices.push({ name: 'O', rows: 1, cols: H * D, offset: L.o, noGradient: () => false, caption: 'Output projection; head h uses entries h·D … (h+1)·D − 1.' });
  const nsum = H * (D + D * D);
  return {
    paramCount,
    matrices,
    trainShader,
    predictShader,
    contribStride: 2 * H * D + D + 1,
    gradSumShader: gradFromWork,
    stages: [
      { label: 'softmax sums', shader: sumsShader, threads: nsum + 1 },
      { label: 'softmax gradient', shader: gradShader, threads: paramCount },
    ],
    preStages: [{ label: 'softmax per-step constants', shader: prepShader, threads: H * (D * d + D) }],
    scratchSize: nsum + H * (D * d + D),
    init: (spec) => softmaxInit(spec, L),
    predict: (params, prompt) => softmaxForward(params, prompt, L).yhat,
    lossGrad(params, prompt) {
      const { yhat, heads, zq, z } = softmaxForward(params, prompt, L);
      const r = yhat - prompt.yq;
      const g = 2 * r;
      const n = prompt.ys.length;
      const scale = 1 / Math.sqrt(D);
      const grad = new Float64Array(paramCount);
      heads.forEach(({ q, a, c, vc }, h) => {
        const O = L.o + h * D;
        const V = L.v(h);
        const K = L.k(h);
        // ov = Vᵀ O^hᵀ: ∂ŷ/∂c.
        const ov = new Float64Array(D);
        for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) ov[k] += params[O + j] * params[V + j * D + k];
        for (let j = 0; j < D; j++) {
          grad[O + j] = g * vc[j];
          for (let k = 0; k < D; k++) grad[V + j * D + k] = g * params[O + j] * c[k];
        }
        // ∂ŷ/∂logit_i = a_i (s_i − s̄), s_i = ov·z_i; e = Σ_i a_i (s_i − s̄) z_i.
        const s = Float64Array.from({ length: n }, (_, i) => {
          let t = 0;
          for (let k = 0; k < D; k++) t += ov[k] * z(i, k);
          return t;
        });
        let sbar = 0;
        for (let i = 0; i < n; i++) sbar += a[i] * s[i];
        const e = new Float64Array(D);
        for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) e[k] += a[i] * (s[i] - sbar) * z(i, k);
        const Ke = new Float64Array(D);
        for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) Ke[j] += params[K + j * D + k] * e[k];
        for (let j = 0; j < D; j++)
          for (let k = 0; k < D; k++) {
            grad[K + j * D + k] = g * q[j] * e[k] * scale;
            grad[L.q(h) + j * D + k] = g * Ke[j] * zq[k] * scale;
          }
      });
      return { yhat, loss: r * r, grad };
    },
  };
}
