// Linear attention beyond one merged head and layer (DESIGN.md §7): H heads,
// merged (W_KQ^h, W_PV^h ∈ R^{D×D}) or separate (W_K^h, W_Q^h ∈ R^{r×D},
// W_V^h ∈ R^{D×D}; Zhang et al. 2025's ATTN_S) key–query weights, L layers on
// the residual stream, tied or not. Layer ℓ updates every token,
//   z_j ← z_j + Σ_h W_PV^h C W_KQ^h z_j,   C = (1/n) Σ_{i ≤ n} z_i z_iᵀ,
// the query masked out of the keys and values (C sums the context only). All
// tokens move by one map T_ℓ = I + Σ_h W_PV^h C_ℓ W_KQ^h, so
//   C_{ℓ+1} = T_ℓ C_ℓ T_ℓᵀ,   q_{ℓ+1} = T_ℓ q_ℓ,   ŷ_t = (q_{L+1})_{d+t},
// with q_1 = z_q = (x_q, 0): a prompt costs O(n D² + L·H·D³), not O(n² D).
// One merged head and layer is src/models/lsa.ts's model (kept there, bit for
// bit); this file holds the layout, the init and the float64 reference, and
// the WGSL is in shaders/la_*.wgsl.
import commonShader from '../../shaders/la_common.wgsl?raw';
import trainKernel from '../../shaders/la_train.wgsl?raw';
import predictKernel from '../../shaders/la_predict.wgsl?raw';
import gradSumShader from '../../shaders/la_reduce.wgsl?raw';
import { NormalStream, STREAM } from '../rng/rng.ts';
import type { ExperimentSpec, LaParam } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { MatrixLayout, ModelDef } from './types.ts';

export interface LaShape {
  d: number;
  /** Outputs k. */
  K: number;
  H: number;
  param: LaParam;
  /** Rank r of W_K, W_Q (separate). */
  rank: number;
  layers: number;
  tied: boolean;
}

export interface LaLayout extends LaShape {
  D: number;
  /** Layers with their own weights: 1 when tied, else L. */
  paramLayers: number;
  headSize: number;
  paramCount: number;
  /** Offset of head h's block in parameter layer p. */
  head(p: number, h: number): number;
  /** The layer whose weights layer ℓ uses. */
  weightsOf(layer: number): number;
}

export function laLayout(s: LaShape): LaLayout {
  const D = s.d + s.K;
  const paramLayers = s.tied ? 1 : s.layers;
  const headSize = s.param === 'merged' ? 2 * D * D : 2 * s.rank * D + D * D;
  return {
    ...s,
    D,
    paramLayers,
    headSize,
    paramCount: paramLayers * s.H * headSize,
    head: (p, h) => (p * s.H + h) * headSize,
    weightsOf: (layer) => (s.tied ? 0 : layer),
  };
}

export function laShapeOf(spec: ExperimentSpec): LaShape {
  const m = spec.model;
  return { d: spec.task.d, K: spec.task.tasks, H: m.heads, param: m.param, rank: m.rank, layers: m.layers, tied: m.tied };
}

type Mat = Float64Array<ArrayBuffer>;

function matmul(a: Mat, b: Mat, D: number): Mat {
  const c = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let k = 0; k < D; k++) {
      const aik = a[i * D + k];
      if (aik === 0) continue;
      for (let j = 0; j < D; j++) c[i * D + j] += aik * b[k * D + j];
    }
  return c;
}

function transpose(a: Mat, D: number): Mat {
  const t = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) t[j * D + i] = a[i * D + j];
  return t;
}

/** Head h's effective W_KQ and W_PV (D×D) in parameter layer p. */
export function headMatrices(L: LaLayout, params: ArrayLike<number>, p: number, h: number): { kq: Mat; pv: Mat } {
  const { D, rank: r } = L;
  const o = L.head(p, h);
  const kq = new Float64Array(D * D);
  const pv = new Float64Array(D * D);
  if (L.param === 'merged') {
    for (let i = 0; i < D * D; i++) {
      kq[i] = params[o + i];
      pv[i] = params[o + D * D + i];
    }
  } else {
    // W_KQ = W_Kᵀ W_Q: logit_i = (W_K z_i)ᵀ (W_Q z_j).
    for (let a = 0; a < r; a++)
      for (let i = 0; i < D; i++) {
        const k = params[o + a * D + i];
        for (let j = 0; j < D; j++) kq[i * D + j] += k * params[o + r * D + a * D + j];
      }
    for (let i = 0; i < D * D; i++) pv[i] = params[o + 2 * r * D + i];
  }
  return { kq, pv };
}

/** T = I + Σ_h W_PV^h C W_KQ^h for the layer with weights p. */
function layerMap(L: LaLayout, heads: { kq: Mat; pv: Mat }[], C: Mat): Mat {
  const D = L.D;
  const T = new Float64Array(D * D);
  for (let i = 0; i < D; i++) T[i * D + i] = 1;
  for (const { kq, pv } of heads) {
    const a = matmul(pv, matmul(C, kq, D), D);
    for (let i = 0; i < D * D; i++) T[i] += a[i];
  }
  return T;
}

function contextMoment(L: LaLayout, prompt: Prompt): Mat {
  const { d, K, D } = L;
  const n = prompt.xs.length / d;
  const C = new Float64Array(D * D);
  const z = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) z[k] = prompt.xs[i * d + k];
    for (let t = 0; t < K; t++) z[d + t] = prompt.ysAll[i * K + t];
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) C[a * D + b] += (z[a] * z[b]) / n;
  }
  return C;
}

interface Forward {
  /** C_ℓ and q_ℓ entering each layer ℓ = 0 … L − 1, and the maps T_ℓ. */
  Cs: Mat[];
  qs: Mat[];
  Ts: Mat[];
  heads: { kq: Mat; pv: Mat }[][];
  yhat: number[];
}

function forward(L: LaLayout, params: ArrayLike<number>, prompt: Prompt): Forward {
  const { d, K, D } = L;
  const heads = Array.from({ length: L.paramLayers }, (_, p) => Array.from({ length: L.H }, (_, h) => headMatrices(L, params, p, h)));
  let C = contextMoment(L, prompt);
  let q = new Float64Array(D);
  for (let k = 0; k < d; k++) q[k] = prompt.xq[k];
  const Cs: Mat[] = [];
  const qs: Mat[] = [];
  const Ts: Mat[] = [];
  for (let l = 0; l < L.layers; l++) {
    const T = layerMap(L, heads[L.weightsOf(l)], C);
    Cs.push(C);
    qs.push(q);
    Ts.push(T);
    C = matmul(matmul(T, C, D), transpose(T, D), D);
    const q2 = new Float64Array(D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) q2[i] += T[i * D + j] * q[j];
    q = q2;
  }
  return { Cs, qs, Ts, heads, yhat: Array.from({ length: K }, (_, t) => q[d + t]) };
}

/**
 * Reverse mode through the layers. With Ā = T̄ the gradient of the loss with
 * respect to layer ℓ's map and C̄ that with respect to C_{ℓ+1}:
 *   T̄ = q̄ q_ℓᵀ + (C̄ + C̄ᵀ) T C_ℓ,   q̄ ← Tᵀ q̄,   C̄ ← Tᵀ C̄ T + Σ_h W_PV^hᵀ T̄ W_KQ^hᵀ,
 *   ∂/∂W_PV^h = T̄ W_KQ^hᵀ C_ℓ,   ∂/∂W_KQ^h = C_ℓ W_PV^hᵀ T̄,
 * and for separate weights ∂/∂W_Q = W_K ∂/∂W_KQ, ∂/∂W_K = W_Q (∂/∂W_KQ)ᵀ.
 */
function backward(L: LaLayout, params: ArrayLike<number>, f: Forward, g: number[]): Float64Array<ArrayBuffer> {
  const { d, K, D, rank: r } = L;
  const grad = new Float64Array(L.paramCount);
  let qb = new Float64Array(D);
  for (let t = 0; t < K; t++) qb[d + t] = g[t];
  let Cb = new Float64Array(D * D);
  for (let l = L.layers - 1; l >= 0; l--) {
    const T = f.Ts[l];
    const C = f.Cs[l];
    const q = f.qs[l];
    const sym = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) sym[i * D + j] = Cb[i * D + j] + Cb[j * D + i];
    const Tb = matmul(matmul(sym, T, D), C, D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) Tb[i * D + j] += qb[i] * q[j];
    const Tt = transpose(T, D);
    const qb2 = new Float64Array(D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) qb2[i] += Tt[i * D + j] * qb[j];
    qb = qb2;
    const Cb2 = matmul(matmul(Tt, Cb, D), T, D);
    const p = L.weightsOf(l);
    f.heads[p].forEach(({ kq, pv }, h) => {
      const kqT = transpose(kq, D);
      const c = matmul(matmul(transpose(pv, D), Tb, D), kqT, D);
      for (let i = 0; i < D * D; i++) Cb2[i] += c[i];
      const gPv = matmul(matmul(Tb, kqT, D), C, D);
      const gKq = matmul(matmul(C, transpose(pv, D), D), Tb, D);
      const o = L.head(p, h);
      if (L.param === 'merged') {
        for (let i = 0; i < D * D; i++) {
          grad[o + i] += gKq[i];
          grad[o + D * D + i] += gPv[i];
        }
      } else {
        for (let a = 0; a < r; a++)
          for (let j = 0; j < D; j++) {
            let gk = 0;
            let gq = 0;
            for (let i = 0; i < D; i++) {
              gq += params[o + a * D + i] * gKq[i * D + j];
              gk += params[o + r * D + a * D + i] * gKq[j * D + i];
            }
            grad[o + a * D + j] += gk;
            grad[o + r * D + a * D + j] += gq;
          }
        for (let i = 0; i < D * D; i++) grad[o + 2 * r * D + i] += gPv[i];
      }
    });
    Cb = Cb2;
  }
  return grad;
}

/** The parameter matrices, per layer with its own weights and head, for the views and the matrix optimizers. */
function matrices(L: LaLayout): MatrixLayout[] {
  const { d, D, H, rank: r } = L;
  const out: MatrixLayout[] = [];
  const one = L.layers === 1;
  for (let p = 0; p < L.paramLayers; p++)
    for (let h = 0; h < H; h++) {
      // W_KQ^2 for head 2; ·ℓ3 for layer 3's own weights.
      const sup = `${H > 1 ? `^${h + 1}` : ''}${L.paramLayers > 1 ? `·ℓ${p + 1}` : ''}`;
      const who = `${H > 1 ? `head ${h + 1}` : 'the head'}${L.paramLayers > 1 ? ` in layer ${p + 1}` : L.tied ? ' (every layer)' : ''}`;
      // Only the last layer's label rows of W_PV reach ŷ; with one layer, W_KQ (or W_Q) meets only z_q = (x_q, 0).
      const lastLayer = !L.tied && p === L.layers - 1;
      const o = L.head(p, h);
      if (L.param === 'merged') {
        out.push({
          name: `W_KQ${sup}`,
          rows: D,
          cols: D,
          offset: o,
          noGradient: (_i, c) => one && c >= d,
          caption: `W_KQ of ${who}: logit_i = z_iᵀ W_KQ z_j.`,
          captionTex: String.raw`\(W_{KQ}\) of ${who}: \(\mathrm{logit}_i = z_i^\top W_{KQ}\, z_j\).`,
        });
        out.push({
          name: `W_PV${sup}`,
          rows: D,
          cols: D,
          offset: o + D * D,
          noGradient: (i) => lastLayer && i < d,
          caption: `W_PV of ${who}: what a token adds to the stream.${lastLayer ? ' Only its label rows reach ŷ.' : ''}`,
          captionTex: String.raw`\(W_{PV}\) of ${who}: what a token adds to the stream.${lastLayer ? String.raw` Only its label rows reach \(\hat y\).` : ''}`,
        });
      } else {
        out.push({
          name: `W_K${sup}`,
          rows: r,
          cols: D,
          offset: o,
          noGradient: () => false,
          caption: `Keys of ${who} (r × D).`,
          captionTex: String.raw`Keys of ${who} (\(r \times D\)).`,
        });
        out.push({
          name: `W_Q${sup}`,
          rows: r,
          cols: D,
          offset: o + r * D,
          noGradient: (_i, c) => one && c >= d,
          caption: `Queries of ${who} (r × D); W_KQ = W_Kᵀ W_Q.`,
          captionTex: String.raw`Queries of ${who} (\(r \times D\)); \(W_{KQ} = W_K^\top W_Q\).`,
        });
        out.push({
          name: `W_V${sup}`,
          rows: D,
          cols: D,
          offset: o + 2 * r * D,
          noGradient: (i) => lastLayer && i < d,
          caption: `Values of ${who}: what a token adds to the stream.${lastLayer ? ' Only its label rows reach ŷ.' : ''}`,
          captionTex: String.raw`\(W_V\) of ${who}: what a token adds to the stream.${lastLayer ? String.raw` Only its label rows reach \(\hat y\).` : ''}`,
        });
      }
    }
  return out;
}

export function linearAttentionModel(shape: LaShape): ModelDef & { layout: LaLayout } {
  const L = laLayout(shape);
  const mats = matrices(L);
  return {
    layout: L,
    paramCount: L.paramCount,
    matrices: mats,
    trainShader: `${commonShader}\n${trainKernel}`,
    predictShader: `${commonShader}\n${predictKernel}`,
    // The whole per-prompt gradient, then the loss.
    contribStride: L.paramCount + 1,
    stages: [],
    preStages: [],
    scratchSize: 0,
    gradSumShader,
    constants: {
      LAYERS: L.layers,
      PLAYERS: L.paramLayers,
      SEPARATE: L.param === 'separate',
      RANK: L.rank,
      HEAD_SIZE: L.headSize,
    },
    init(spec: ExperimentSpec): Float32Array<ArrayBuffer> {
      const out = new Float32Array(L.paramCount);
      const rng = new NormalStream(spec.train.initSeed, STREAM.INIT, 0);
      for (let i = 0; i < out.length; i++) out[i] = spec.model.initScale * rng.next();
      return out;
    },
    predict: (params, prompt) => forward(L, params, prompt).yhat,
    lossGrad(params, prompt) {
      const f = forward(L, params, prompt);
      const r = f.yhat.map((y, t) => y - prompt.yqAll[t]);
      const grad = backward(
        L,
        params,
        f,
        r.map((x) => (2 * x) / L.K),
      );
      return { yhat: f.yhat, loss: r.reduce((acc, x) => acc + x * x, 0) / L.K, grad };
    },
  };
}
