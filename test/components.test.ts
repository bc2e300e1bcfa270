// The learned-components reading (src/analysis/components.ts) on hand-built
// separate rank-one heads: one head per principal component, half of them on
// each of the two paths that carry u = (1/n)Σ y_i x_i, so the reading must see
// both to say which components the model holds.
import { describe, expect, it } from 'vitest';
import { componentBasisFor, componentsOf, learnedCount, oneLayerGamma } from '../src/analysis/components.ts';
import { laLayout, laShapeOf, linearAttentionModel } from '../src/models/linearAttention.ts';
import { PRESETS, presetSpec } from '../src/spec/index.ts';
import type { Prompt } from '../src/tasks/sampler.ts';
import { gaussians } from './helpers.ts';

const spec = presetSpec(PRESETS.find((p) => p.id === 'zhang-staircase')!);

/** Heads 0 … k − 1 each carry g_i v_i v_iᵀ, even heads through W_PV's (y, y) entry, odd ones through its label row's x-entries. */
function headsFor(k: number) {
  const basis = componentBasisFor(spec)!;
  const L = laLayout(laShapeOf(spec));
  const { d, D, rank: r } = L;
  const params = new Float64Array(L.paramCount);
  for (let i = 0; i < k; i++) {
    const o = L.head(0, i);
    const v = Array.from({ length: d }, (_, a) => basis.vectors[a * d + i]);
    const g = basis.targets[i];
    // W_K (r×D) row 0, W_Q row 0, then W_V (D×D): W_KQ = W_Kᵀ W_Q.
    if (i % 2 === 0) {
      v.forEach((x, a) => (params[o + a] = x));
      v.forEach((x, a) => (params[o + r * D + a] = g * x));
      params[o + 2 * r * D + d * D + d] = 1;
    } else {
      params[o + d] = 1;
      v.forEach((x, a) => (params[o + r * D + a] = g * x));
      v.forEach((x, a) => (params[o + 2 * r * D + d * D + a] = x));
    }
  }
  return { basis, L, params };
}

describe('learned components', () => {
  it("reads both label paths: the model's prediction is uᵀ Γ_eff x_q, and the first k components read as learned", () => {
    const rand = gaussians(41);
    for (const k of [0, 1, 2, 3, 4]) {
      const { basis, L, params } = headsFor(k);
      const model = linearAttentionModel(L);
      const gamma = oneLayerGamma(spec, params);
      const { d } = L;
      const n = spec.task.n;
      for (let trial = 0; trial < 5; trial++) {
        const xs = Float64Array.from({ length: n * d }, rand);
        const ys = Float64Array.from({ length: n }, rand);
        const xq = Float64Array.from({ length: d }, rand);
        const prompt = { w: new Float64Array(d), xs, ys, xq, yq: 0, k: 1, wAll: new Float64Array(d), ysAll: ys, yqAll: new Float64Array(1) } as unknown as Prompt;
        const u = Array.from({ length: d }, (_, a) => ys.reduce((s, y, i) => s + y * xs[i * d + a], 0) / n);
        let expected = 0;
        for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) expected += u[a] * gamma[a * d + c] * xq[c];
        const got = model.predict(params, prompt)[0];
        expect(Math.abs(got - expected)).toBeLessThan(1e-12 * (1 + Math.abs(expected)));
      }
      const comps = componentsOf(basis, gamma);
      // Zhang et al.'s Σ and isotropic prior make Γ* diagonal in Σ's eigenbasis: each head holds exactly its component.
      comps.forEach((c, i) => expect(c.fraction).toBeCloseTo(i < k ? 1 : 0, 10));
      expect(learnedCount(comps)).toBe(k);
      for (let i = 1; i < d; i++) expect(comps[i].eigenvalue).toBeLessThanOrEqual(comps[i - 1].eigenvalue);
    }
  });

  it('applies to one-layer linear attention on closed-form tasks only', () => {
    expect(componentBasisFor(spec)).not.toBeNull();
    expect(componentBasisFor({ ...spec, model: { ...spec.model, layers: 2 } })).toBeNull();
    expect(componentBasisFor({ ...spec, model: { ...spec.model, type: 'softmax' } })).toBeNull();
  });
});
