// The evaluation kernel's predictors against their float64 versions on the
// very prompts the GPU drew, for every output: Bayes-optimal ridge on the
// task's window (a Cholesky solve per thread), least squares, debiased GD,
// k-step GD and the one-step predictors x_qᵀ Γ u.
import { describe, expect, it } from 'vitest';
import { Trainer, ridgePenalty } from '../../src/engine/trainer.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { debiasedGd, kStepGd, ols, ridgeWithPenalty } from '../../src/theory/predictors.ts';
import { predictPreconditionedGd } from '../../src/theory/closedForms.ts';
import { promptOutput, type Prompt } from '../../src/tasks/sampler.ts';
import { relError, testDevice } from './device.ts';

/** The prompt restricted to coordinates [a, b) of x. */
function restrict(p: Prompt, a: number, b: number): Prompt {
  const d = p.xq.length;
  const w = b - a;
  const n = p.xs.length / d;
  const xs = new Float64Array(n * w);
  for (let i = 0; i < n; i++) for (let k = 0; k < w; k++) xs[i * w + k] = p.xs[i * d + a + k];
  return { ...p, xs, xq: p.xq.slice(a, b) };
}

describe('evaluation kernel vs float64 predictors', () => {
  for (const [name, query, nCtx] of [
    ['rotated AR(1), whitened prior, n > d', 'v=1&d=5&n=20&cov=ar1&rho=0.6&rot=1&prior=whitened&s2=0.2', 20],
    ['geometric κ = 10, n < d', 'v=1&d=8&n=4&cov=geometric&kappa=10&s2=0.5', 3],
    ['2 tasks on [0,4) and [2,6), rotated AR(1), whitened prior', 'v=1&d=6&n=16&K=2&ws=4&wst=2&cov=ar1&rho=0.5&rot=1&prior=whitened&s2=0.3', 12],
  ] as const)
    it(name, async () => {
      const { device } = await testDevice();
      const spec = decodeSpec(query).spec;
      const t = await Trainer.create(device, spec);
      try {
        const d = spec.task.d;
        const K = spec.task.tasks;
        const gamma = Float64Array.from({ length: d * d }, (_, i) => Math.sin(i + 1));
        const runs = [
          { steps: 2, eta: 0.3 },
          { steps: 5, eta: 0.15 },
        ];
        const ev = await t.evaluate({ prompts: 256, nCtx, gammas: [gamma], gdRuns: runs });
        const prompts = await gpuSamplePrompts(device, t.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 256, nCtx });
        const penalty = ridgePenalty(t.task);
        for (let o = 0; o < K; o++) {
          const out = ev.outputs[o];
          const ps = prompts.map((p) => promptOutput(p, o));
          const { start, end } = t.task.outputs[o];
          const w = end - start;
          // The window's block of the penalty.
          const block = Float64Array.from({ length: w * w }, (_, i) => penalty[o * (d * d + d) + (start + Math.floor(i / w)) * d + start + (i % w)]);
          expect(relError(out.ridge, ps.map((p) => ridgeWithPenalty(restrict(p, start, end), block)))).toBeLessThan(1e-4);
          expect(relError(out.predictors[0], ps.map((p) => predictPreconditionedGd(p, gamma, d, nCtx)))).toBeLessThan(1e-4);
          // Debiased GD up to its scale: c = 1/n gives x_qᵀ(u − ȳ x̄).
          expect(relError(out.debiased, ps.map((p) => debiasedGd(p, 1 / nCtx)))).toBeLessThan(1e-4);
          runs.forEach((r, i) => expect(relError(out.gd[i], ps.map((p) => kStepGd(p, r.eta, r.steps)))).toBeLessThan(1e-4));
          if (nCtx >= d) expect(relError(out.ols!, ps.map((p) => ols(p)))).toBeLessThan(1e-3);
          else expect(out.ols).toBeNull();
        }
      } finally {
        t.destroy();
      }
    });

  it('the model\'s column in a kernel of its own (the split evaluation of large models) gives every number of the fused kernel, bit for bit', async () => {
    const { device } = await testDevice();
    for (const query of [
      'v=1&d=5&n=12&cov=ar1&rho=0.5&rot=1&s2=0.2',
      'v=1&d=4&n=10&K=2&ws=2&wst=2&model=softmax&H=2&init=default',
      'v=1&model=lsa&H=2&param=separate&rank=2&layers=2&tied=0&d=3&n=10',
      'v=1&d=3&n=8&pool=4&s2=0.3',
    ]) {
      const spec = decodeSpec(query).spec;
      const t = await Trainer.create(device, spec);
      try {
        const d = spec.task.d;
        const opts = { prompts: 130, gammas: [Float64Array.from({ length: d * d }, (_, i) => Math.cos(i))], gdRuns: [{ steps: 3, eta: 0.2 }] };
        const fused = await t.evaluate({ ...opts, splitModel: false });
        const split = await t.evaluate({ ...opts, splitModel: true });
        expect(split.outputs.length).toBe(spec.task.tasks);
        split.outputs.forEach((o, k) => {
          const f = fused.outputs[k];
          for (const key of ['targets', 'model', 'ridge', 'debiased'] as const) expect(Array.from(o[key]), `${query} ${key}`).toEqual(Array.from(f[key]));
          expect(o.ols && Array.from(o.ols)).toEqual(f.ols && Array.from(f.ols));
          expect(o.dmmse && Array.from(o.dmmse)).toEqual(f.dmmse && Array.from(f.dmmse));
          expect(Array.from(o.gd[0])).toEqual(Array.from(f.gd[0]));
          expect(Array.from(o.predictors[0])).toEqual(Array.from(f.predictors[0]));
          // Not a column of zeros left behind.
          expect(o.model.some((v) => v !== 0)).toBe(true);
        });
      } finally {
        t.destroy();
      }
    }
  });

  it('kernels built without the source-level passes (unrolling, scalarization) train and evaluate to the same numbers', async () => {
    const { device } = await testDevice();
    for (const query of ['v=1&d=4&n=10&B=64&opt=adam&lr=0.01', 'v=1&model=softmax&H=2&init=default&d=3&n=8&B=64&opt=muon&lr=0.01']) {
      const spec = decodeSpec(query).spec;
      const results = [];
      for (const shaderPasses of [true, false]) {
        const t = await Trainer.create(device, spec, { chunkSteps: 3, shaderPasses });
        try {
          expect(t.shaderPasses).toBe(shaderPasses);
          await t.run({ steps: 6 });
          results.push({ params: await t.readParams(), ev: await t.evaluate({ prompts: 96 }) });
        } finally {
          t.destroy();
        }
      }
      const [on, off] = results;
      expect(off.params.every(Number.isFinite)).toBe(true);
      expect(relError(off.params, on.params), query).toBeLessThan(1e-6);
      expect(relError(off.ev.model, on.ev.model), query).toBeLessThan(1e-6);
      expect(relError(off.ev.ridge, on.ev.ridge), query).toBeLessThan(1e-6);
    }
  });

  it('an evaluation split into chunks gives the same numbers as one dispatch', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=4&n=10&K=2&model=softmax&H=2&init=default').spec;
    const t = await Trainer.create(device, spec);
    try {
      const whole = await t.evaluate({ prompts: 300 });
      const split = await t.evaluate({ prompts: 300, chunkPrompts: 64 });
      // The adaptive chunks (1,024 prompts first, then sized to the dispatch budget) against one dispatch.
      const adaptive = await t.evaluate({ prompts: 2600 });
      const one = await t.evaluate({ prompts: 2600, chunkPrompts: 2600 });
      for (let o = 0; o < 2; o++)
        for (const key of ['targets', 'model', 'ridge', 'debiased'] as const) expect(Array.from(adaptive.outputs[o][key]), key).toEqual(Array.from(one.outputs[o][key]));
      for (let o = 0; o < 2; o++) {
        expect(Array.from(split.outputs[o].model)).toEqual(Array.from(whole.outputs[o].model));
        expect(Array.from(split.outputs[o].targets)).toEqual(Array.from(whole.outputs[o].targets));
        expect(Array.from(split.outputs[o].ridge)).toEqual(Array.from(whole.outputs[o].ridge));
      }
    } finally {
      t.destroy();
    }
  });
});
