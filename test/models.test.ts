// The float64 model references against central finite differences of their
// own loss, on random parameters and prompts: the oracle for the GPU kernels
// has to be right first.
import { describe, expect, it } from 'vitest';
import { lsaModel } from '../src/models/lsa.ts';
import { softmaxForward, softmaxLayout, softmaxModel } from '../src/models/softmax.ts';
import type { ModelDef } from '../src/models/types.ts';
import { samplePrompt } from '../src/tasks/sampler.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';
import { uniforms } from './helpers.ts';

/** Multi-task prompts: k outputs on windows of width w, stride s. */
function taskSpec(d: number, n: number, k = 1, w = 0, s = 0) {
  const spec = defaultSpec();
  Object.assign(spec.task, { d, n, tasks: k, windowSize: w, windowStride: s });
  return spec;
}

function fdCheck(model: ModelDef, d: number, n: number, scale: number, seed: number, k = 1, w = 0, s = 0): number {
  const r = uniforms(seed);
  const params = Float64Array.from({ length: model.paramCount }, () => (2 * r() - 1) * scale);
  const prompt = samplePrompt(buildTask(taskSpec(d, n, k, w, s).task), seed, 3, 7);
  const lossOf = (p: ArrayLike<number>) => model.predict(p, prompt).reduce((acc, y, t) => acc + (y - prompt.yqAll[t]) ** 2, 0) / k;
  const { grad, loss, yhat } = model.lossGrad(params, prompt);
  expect(yhat.length).toBe(k);
  expect(loss).toBeCloseTo(lossOf(params), 12);
  const fd = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(params[i]));
    const p = Float64Array.from(params);
    p[i] += h;
    const up = lossOf(p);
    p[i] -= 2 * h;
    const down = lossOf(p);
    fd[i] = (up - down) / (2 * h);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < fd.length; i++) {
    num += (grad[i] - fd[i]) ** 2;
    den += fd[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('finite-difference gradient checks', () => {
  for (const [d, n] of [[1, 1], [3, 7], [5, 20]])
    it(`LSA d=${d} n=${n}`, () => expect(fdCheck(lsaModel(d), d, n, 0.5, 11 + d)).toBeLessThan(1e-6));

  for (const [d, n, H] of [[1, 1, 1], [2, 5, 2], [3, 9, 3], [5, 12, 4]])
    it(`softmax attention d=${d} n=${n} H=${H}`, () => expect(fdCheck(softmaxModel(d, H), d, n, 0.7, 5 + H)).toBeLessThan(1e-6));

  // Multi-task: k outputs, He et al.'s overlapping windows and full windows.
  it('LSA, 2 tasks on windows [0,4) and [2,6)', () => expect(fdCheck(lsaModel(6, 2), 6, 9, 0.5, 21, 2, 4, 2)).toBeLessThan(1e-6));
  it('LSA, 3 tasks on all of x', () => expect(fdCheck(lsaModel(3, 3), 3, 5, 0.5, 22, 3)).toBeLessThan(1e-6));
  it('softmax attention H=3, 2 tasks on windows [0,4) and [2,6)', () =>
    expect(fdCheck(softmaxModel(6, 3, 2), 6, 8, 0.6, 23, 2, 4, 2)).toBeLessThan(1e-6));
  it('softmax attention H=2, 3 tasks on windows of 2, stride 1', () =>
    expect(fdCheck(softmaxModel(4, 2, 3), 4, 6, 0.6, 24, 3, 2, 1)).toBeLessThan(1e-6));

  it('softmax attention with large logits stays finite and matches a naive softmax', () => {
    const d = 3;
    const H = 2;
    const L = softmaxLayout(d, H);
    const r = uniforms(99);
    const params = Float64Array.from({ length: L.paramCount }, () => (2 * r() - 1) * 6);
    const spec = defaultSpec();
    spec.task.d = d;
    spec.task.n = 30;
    const prompt = samplePrompt(buildTask(spec.task), 1, 2, 3);
    const { yhat, heads } = softmaxForward(params, prompt, L);
    expect(Number.isFinite(yhat[0])).toBe(true);
    // The attention is close to one-hot here: the logits spread over hundreds.
    expect(Math.max(...heads[0].a)).toBeGreaterThan(0.5);
    const g = softmaxModel(d, H).lossGrad(params, prompt).grad;
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe('softmax attention initializations (as in the reference code)', () => {
  const spec = defaultSpec();
  Object.assign(spec.model, { type: 'softmax', heads: 4, initScale: 1e-3 });
  spec.task.d = 3;
  const L = softmaxLayout(3, 4);
  const D = 4;

  it('default: U(±1/√fan_in), fan_in = D for Q, K, V and H·D for O', () => {
    spec.model.init = 'default';
    const p = softmaxModel(3, 4).init(spec);
    const qkv = Array.from(p.subarray(0, L.o));
    const o = Array.from(p.subarray(L.o));
    expect(Math.max(...qkv.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(D));
    expect(Math.max(...qkv.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(D));
    expect(Math.max(...o.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(4 * D));
    // Uniform: variance b²/3.
    const v = qkv.reduce((s, x) => s + x * x, 0) / qkv.length;
    expect(v).toBeGreaterThan((0.8 * 1) / D / 3);
    expect(v).toBeLessThan((1.2 * 1) / D / 3);
  });

  it('opposite-identity: Q^h = ±s·I in two halves, K^h = s·I', () => {
    spec.model.init = 'opposite-identity';
    const p = softmaxModel(3, 4).init(spec);
    for (let h = 0; h < 4; h++)
      for (let j = 0; j < D; j++)
        for (let k = 0; k < D; k++) {
          const id = j === k ? 1e-3 : 0;
          expect(p[L.q(h) + j * D + k]).toBeCloseTo(h < 2 ? id : -id, 9);
          expect(p[L.k(h) + j * D + k]).toBeCloseTo(id, 9);
        }
  });

  it('small-identity: Q^h = K^h = V^h = s·I', () => {
    spec.model.init = 'small-identity';
    const p = softmaxModel(3, 4).init(spec);
    for (let h = 0; h < 4; h++)
      for (const off of [L.q(h), L.k(h), L.v(h)]) for (let j = 0; j < D; j++) expect(p[off + j * D + j]).toBeCloseTo(1e-3, 9);
  });
});
