// The evaluation kernel's predictors against their float64 versions on the
// very prompts the GPU drew: Bayes-optimal ridge (a Cholesky solve per thread)
// and the one-step predictors x_qᵀ Γ u.
import { describe, expect, it } from 'vitest';
import { Trainer, ridgePenalty } from '../../src/engine/trainer.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { STREAM } from '../../src/engine/rng.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { ridgeWithPenalty } from '../../src/theory/predictors.ts';
import { predictPreconditionedGd } from '../../src/theory/closedForms.ts';
import { relError, testDevice } from './device.ts';

describe('evaluation kernel vs float64 predictors', () => {
  for (const [name, query, nCtx] of [
    ['rotated AR(1), whitened prior, n > d', 'v=1&d=5&n=20&cov=ar1&rho=0.6&rot=1&prior=whitened&s2=0.2', 20],
    ['geometric κ = 10, n < d', 'v=1&d=8&n=4&cov=geometric&kappa=10&s2=0.5', 3],
  ] as const)
    it(name, async () => {
      const { device } = await testDevice();
      const spec = decodeSpec(query).spec;
      const t = await Trainer.create(device, spec);
      try {
        const d = spec.task.d;
        const gamma = Float64Array.from({ length: d * d }, (_, i) => Math.sin(i + 1));
        const ev = await t.evaluate({ prompts: 256, nCtx, gammas: [gamma] });
        const prompts = await gpuSamplePrompts(device, t.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 256, nCtx });
        const penalty = ridgePenalty(t.task);
        const refRidge = prompts.map((p) => ridgeWithPenalty(p, penalty));
        const refGamma = prompts.map((p) => predictPreconditionedGd(p, gamma, d, nCtx));
        expect(relError(ev.ridge, refRidge)).toBeLessThan(1e-4);
        expect(relError(ev.predictors[0], refGamma)).toBeLessThan(1e-4);
      } finally {
        t.destroy();
      }
    });
});
