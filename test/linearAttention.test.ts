// The float64 reference of linear attention with heads, separate key–query
// weights and layers: its gradient against central finite differences of its
// own loss, one merged head and layer against src/models/lsa.ts, tied layers
// against untied copies, and von Oswald et al.'s construction against k-step GD.
import { describe, expect, it } from 'vitest';
import { laLayout, linearAttentionModel, type LaShape } from '../src/models/linearAttention.ts';
import { lsaModel } from '../src/models/lsa.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { samplePrompt } from '../src/tasks/sampler.ts';
import { buildTask } from '../src/tasks/task.ts';
import { kStepGd } from '../src/theory/predictors.ts';
import { relError, uniforms } from './helpers.ts';

function promptFor(d: number, n: number, k: number, seed: number) {
  const spec = defaultSpec();
  Object.assign(spec.task, { d, n, tasks: k });
  return samplePrompt(buildTask(spec.task), seed, 3, 7);
}

function shape(o: Partial<LaShape>): LaShape {
  return { d: 3, K: 1, H: 1, param: 'merged', rank: 1, layers: 1, tied: false, ...o };
}

const cases: Partial<LaShape>[] = [
  { H: 1, layers: 1 },
  { H: 3, layers: 1 },
  { H: 2, param: 'separate', rank: 1 },
  { H: 2, param: 'separate', rank: 4 },
  { H: 1, layers: 2 },
  { H: 2, layers: 4 },
  { H: 2, layers: 3, tied: true },
  { H: 2, param: 'separate', rank: 2, layers: 2 },
  { H: 1, param: 'separate', rank: 1, layers: 4, tied: true },
  { H: 2, layers: 2, K: 2, d: 2 },
];

describe('linear attention float64 reference', () => {
  for (const c of cases) {
    const s = shape(c);
    it(`H=${s.H} ${s.param}${s.param === 'separate' ? ` r=${s.rank}` : ''} L=${s.layers}${s.tied ? ' tied' : ''} k=${s.K}: gradient = finite differences`, () => {
      const model = linearAttentionModel(s);
      const r = uniforms(11 + s.H * 7 + s.layers);
      const params = Float64Array.from({ length: model.paramCount }, () => (2 * r() - 1) * 0.4);
      const prompt = promptFor(s.d, 9, s.K, 5);
      const lossOf = (p: ArrayLike<number>) => model.predict(p, prompt).reduce((a, y, t) => a + (y - prompt.yqAll[t]) ** 2, 0) / s.K;
      const { grad, loss } = model.lossGrad(params, prompt);
      expect(loss).toBeCloseTo(lossOf(params), 12);
      const fd = new Float64Array(params.length);
      for (let i = 0; i < params.length; i++) {
        const p = Float64Array.from(params);
        const h = 1e-6;
        p[i] += h;
        const up = lossOf(p);
        p[i] -= 2 * h;
        fd[i] = (up - lossOf(p)) / (2 * h);
      }
      expect(relError(grad, fd)).toBeLessThan(1e-6);
      // The entries a layout marks as out of reach get no gradient, and the others do.
      let reached = 0;
      for (const m of model.matrices)
        for (let i = 0; i < m.rows; i++)
          for (let j = 0; j < m.cols; j++) {
            const g = grad[m.offset + i * m.cols + j];
            if (m.noGradient(i, j)) expect(g).toBe(0);
            else if (g !== 0) reached++;
          }
      expect(reached).toBeGreaterThan(0.8 * model.matrices.reduce((a, m) => a + m.rows * m.cols - [...Array(m.rows * m.cols).keys()].filter((e) => m.noGradient(Math.floor(e / m.cols), e % m.cols)).length, 0));
      // The matrices tile the parameter vector.
      expect(model.matrices.reduce((a, m) => a + m.rows * m.cols, 0)).toBe(model.paramCount);
    });
  }

  it('one merged head and layer is the LSA model, to rounding', () => {
    for (const K of [1, 2]) {
      const d = 4;
      const model = linearAttentionModel(shape({ d, K }));
      const lsa = lsaModel(d, K);
      expect(model.paramCount).toBe(lsa.paramCount);
      const r = uniforms(3 + K);
      const params = Float64Array.from({ length: lsa.paramCount }, () => 2 * r() - 1);
      const prompt = promptFor(d, 15, K, 9);
      const a = model.lossGrad(params, prompt);
      const b = lsa.lossGrad(params, prompt);
      expect(relError(a.yhat, b.yhat)).toBeLessThan(1e-12);
      expect(relError(a.grad, b.grad)).toBeLessThan(1e-12);
    }
  });

  it('tied layers are untied layers holding the same weights', () => {
    const tied = linearAttentionModel(shape({ H: 2, layers: 3, tied: true, param: 'separate', rank: 2 }));
    const untied = linearAttentionModel(shape({ H: 2, layers: 3, param: 'separate', rank: 2 }));
    const r = uniforms(21);
    const w = Float64Array.from({ length: tied.paramCount }, () => (2 * r() - 1) * 0.5);
    const copies = new Float64Array(untied.paramCount);
    for (let l = 0; l < 3; l++) copies.set(w, l * w.length);
    const prompt = promptFor(3, 12, 1, 4);
    const a = tied.lossGrad(w, prompt);
    const b = untied.lossGrad(copies, prompt);
    expect(Math.abs(a.yhat[0] - b.yhat[0])).toBeLessThan(1e-12);
    // The tied gradient is the sum of the layers' gradients.
    const summed = new Float64Array(w.length);
    for (let l = 0; l < 3; l++) for (let i = 0; i < w.length; i++) summed[i] += b.grad[l * w.length + i];
    expect(relError(a.grad, summed)).toBeLessThan(1e-12);
  });

  it("von Oswald et al.'s weights make L layers −(L steps of GD)", () => {
    // W_KQ reads x (I on the x block), W_PV writes −η·(label) into the label slot:
    // each layer takes y_i ← y_i − η uᵀx_i with the current residuals, so the
    // query's slot holds −x_qᵀw_L after L layers.
    const d = 4;
    const eta = 0.3;
    for (const layers of [1, 2, 3, 4]) {
      const model = linearAttentionModel(shape({ d, layers, tied: layers > 1 }));
      const L = laLayout(shape({ d, layers, tied: layers > 1 }));
      const D = L.D;
      const params = new Float64Array(model.paramCount);
      for (let i = 0; i < d; i++) params[i * D + i] = 1;
      params[D * D + d * D + d] = -eta;
      for (const seed of [1, 2, 3]) {
        const prompt = promptFor(d, 10, 1, seed);
        expect(model.predict(params, prompt)[0]).toBeCloseTo(-kStepGd(prompt, eta, layers), 12);
      }
    }
  });
});
