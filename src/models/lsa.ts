// Linear self-attention with merged weights (DESIGN.md §3):
//   ŷ = [W_PV · (1/n) Σ_i z_i z_iᵀ · W_KQ · z_q]_{d+1},  z_i = (x_i, y_i), z_q = (x_q, 0).
// The WGSL lives in shaders/lsa_train.wgsl and shaders/lsa_predict.wgsl; this
// file holds the layout, the initialization and the float64 reference.
import trainShader from '../../shaders/lsa_train.wgsl?raw';
import predictShader from '../../shaders/lsa_predict.wgsl?raw';
import gradSumShader from '../../shaders/lsa_reduce.wgsl?raw';
import { NormalStream, STREAM } from '../engine/rng.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { Prompt } from '../tasks/sampler.ts';
import type { ModelDef } from './types.ts';

export function lsaModel(d: number): ModelDef {
  const D = d + 1;
  const kq = 0;
  const pv = D * D;
  const pvLast = pv + (D - 1) * D;

  // Shared forward pass: p = last row of W_PV, q = W_KQ z_q,
  // ŷ = (1/n) Σ (pᵀz_i)(z_iᵀq), v = (1/n) Σ z_i (z_iᵀq), s = (1/n) Σ z_i (pᵀz_i).
  function forward(params: ArrayLike<number>, prompt: Prompt) {
    const n = prompt.ys.length;
    const p = new Float64Array(D);
    const q = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      p[j] = params[pvLast + j];
      let acc = 0;
      for (let k = 0; k < d; k++) acc += params[kq + j * D + k] * prompt.xq[k];
      q[j] = acc;
    }
    const v = new Float64Array(D);
    const s = new Float64Array(D);
    let yhat = 0;
    for (let i = 0; i < n; i++) {
      const y = prompt.ys[i];
      let a = p[d] * y;
      let b = q[d] * y;
      for (let k = 0; k < d; k++) {
        const x = prompt.xs[i * d + k];
        a += p[k] * x;
        b += q[k] * x;
      }
      yhat += a * b;
      for (let k = 0; k < d; k++) {
        const x = prompt.xs[i * d + k];
        v[k] += x * b;
        s[k] += x * a;
      }
      v[d] += y * b;
      s[d] += y * a;
    }
    for (let j = 0; j < D; j++) {
      v[j] /= n;
      s[j] /= n;
    }
    return { yhat: yhat / n, v, s };
  }

  return {
    paramCount: 2 * D * D,
    matrices: [
      {
        name: 'W_KQ',
        rows: D,
        cols: D,
        offset: kq,
        noGradient: (_r, c) => c === d,
        caption: 'W_KQ multiplies the query token z_q = (x_q, 0): its last column never gets gradient.',
      },
      {
        name: 'W_PV',
        rows: D,
        cols: D,
        offset: pv,
        noGradient: (r) => r < d,
        caption: 'Only the last row of W_PV reaches the prediction ŷ; its first d rows never get gradient.',
      },
    ],
    trainShader,
    predictShader,
    contribStride: 3 * D + 1,
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
      const r = yhat - prompt.yq;
      const grad = new Float64Array(2 * D * D);
      for (let j = 0; j < D; j++) for (let k = 0; k < d; k++) grad[kq + j * D + k] = 2 * r * s[j] * prompt.xq[k];
      for (let j = 0; j < D; j++) grad[pvLast + j] = 2 * r * v[j];
      return { yhat, loss: r * r, grad };
    },
  };
}
