// Linear self-attention with merged weights (DESIGN.md §3), with k outputs:
//   ŷ_t = [W_PV · (1/n) Σ_i z_i z_iᵀ · W_KQ · z_q]_{d+t},  z_i = (x_i, y_i⁽¹⁾ … y_i⁽ᵏ⁾),
//   z_q = (x_q, 0 … 0); W_KQ, W_PV ∈ R^{D×D}, D = d + k.
// The WGSL lives in shaders/lsa_train.wgsl and shaders/lsa_predict.wgsl; this
// file holds the layout, the initialization and the float64 reference.
import trainShader from '../../shaders/lsa_train.wgsl?raw';
import predictShader from '../../shaders/lsa_predict.wgsl?raw';
import gradSumShader from '../../shaders/lsa_reduce.wgsl?raw';
import { NormalStream, STREAM } from '../rng/rng.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { ModelDef } from './types.ts';

export function lsaModel(d: number, K = 1): ModelDef {
  const D = d + K;
  const kq = 0;
  const pv = D * D;
  /** Row d + t of W_PV: the only rows that reach the predictions. */
  const pvRow = (t: number) => pv + (d + t) * D;

  // Shared forward pass: p_t = row d + t of W_PV, q = W_KQ z_q,
  // ŷ_t = (1/n) Σ (p_tᵀz_i)(z_iᵀq), v = (1/n) Σ z_i (z_iᵀq), s_t = (1/n) Σ z_i (p_tᵀz_i).
  function forward(params: ArrayLike<number>, prompt: Prompt) {
    const n = prompt.xs.length / d;
    const z = (i: number, k: number) => (k < d ? prompt.xs[i * d + k] : prompt.ysAll[i * K + k - d]);
    const q = new Float64Array(D);
    for (let j = 0; j < D; j++) for (let k = 0; k < d; k++) q[j] += params[kq + j * D + k] * prompt.xq[k];
    const v = new Float64Array(D);
    const s = Array.from({ length: K }, () => new Float64Array(D));
    const yhat = new Array<number>(K).fill(0);
    for (let i = 0; i < n; i++) {
      let b = 0;
      for (let k = 0; k < D; k++) b += q[k] * z(i, k);
      for (let k = 0; k < D; k++) v[k] += (z(i, k) * b) / n;
      for (let t = 0; t < K; t++) {
        let a = 0;
        for (let k = 0; k < D; k++) a += params[pvRow(t) + k] * z(i, k);
        yhat[t] += (a * b) / n;
        for (let k = 0; k < D; k++) s[t][k] += (z(i, k) * a) / n;
      }
    }
    return { yhat, v, s };
  }

  const plural = K > 1;
  return {
    paramCount: 2 * D * D,
    matrices: [
      {
        name: 'W_KQ',
        rows: D,
        cols: D,
        offset: kq,
        noGradient: (_r, c) => c >= d,
        caption: `W_KQ multiplies the query token z_q = (x_q, 0): its label column${plural ? 's' : ''} never get${plural ? '' : 's'} gradient.`,
        captionTex: String.raw`\(W_{KQ}\) multiplies the query token \(z_q = (x_q, 0)\): its label column${plural ? 's' : ''} never get${plural ? '' : 's'} gradient.`,
      },
      {
        name: 'W_PV',
        rows: D,
        cols: D,
        offset: pv,
        noGradient: (r) => r < d,
        caption: plural
          ? `Only the last ${K} rows of W_PV (one per output) reach the predictions; its first d rows never get gradient.`
          : 'Only the last row of W_PV reaches the prediction ŷ; its first d rows never get gradient.',
        captionTex: plural
          ? String.raw`Only the last ${K} rows of \(W_{PV}\) (one per output) reach the predictions; its first \(d\) rows never get gradient.`
          : String.raw`Only the last row of \(W_{PV}\) reaches the prediction \(\hat y\); its first \(d\) rows never get gradient.`,
      },
    ],
    trainShader,
    predictShader,
    contribStride: (K + 1) * D + d + 1,
    stages: [],
    preStages: [],
    scratchSize: 0,
    gradSumShader,
    init(spec: ExperimentSpec): Float32Array<ArrayBuffer> {
      const out = new Float32Array(2 * D * D);
      const rng = new NormalStream(spec.train.initSeed, STREAM.INIT, 0);
      for (let i = 0; i < out.length; i++) out[i] = spec.model.initScale * rng.next();
      return out;
    },
    predict: (params, prompt) => forward(params, prompt).yhat,
    lossGrad(params, prompt) {
      const { yhat, v, s } = forward(params, prompt);
      const r = yhat.map((y, t) => y - prompt.yqAll[t]);
      const grad = new Float64Array(2 * D * D);
      for (let t = 0; t < K; t++) {
        const g = (2 * r[t]) / K;
        for (let j = 0; j < D; j++) for (let k = 0; k < d; k++) grad[kq + j * D + k] += g * s[t][j] * prompt.xq[k];
        for (let j = 0; j < D; j++) grad[pvRow(t) + j] = g * v[j];
      }
      return { yhat, loss: r.reduce((acc, x) => acc + x * x, 0) / K, grad };
    },
  };
}
