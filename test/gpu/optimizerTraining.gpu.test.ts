// The trainer with each matrix optimizer on multi-head softmax attention (the
// per-matrix kernel over Q^h, K^h, V^h and O in one dispatch per step), step
// by step against the float64 reference fed the GPU's own batch gradient: the
// gradient kernels have their own float64 tests, and here V^h's gradient is
// rank one (O_hᵀ times a vector), so float32 rounding leaves it rank one plus
// noise at 1e-7 of its norm, which an optimizer that whitens the spectrum
// (PolarGrad's polar factor) would turn into unit steps were it not cut off:
// fed the float64 gradient, the reference would not see that noise. SOAP's
// L and R for V^h are rank one, then nearly so (λ₂/λ₁ ≈ 10⁻⁸, at float32's
// resolution of L = GGᵀ), so their bases are not determined in float32 there:
// its parameters differ in directions of V^h that the loss does not see, and
// its test compares the losses.
import { describe, expect, it } from 'vitest';
import { Trainer } from '../../src/engine/trainer.ts';
import { newOptimizerState, optimizerStep } from '../../src/engine/optimizer.ts';
import { paramBlocks } from '../../src/engine/optimizerKernel.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { referenceGradient, relError, testDevice } from './device.ts';

const BASE = 'v=1&model=softmax&init=default&H=2&d=3&n=10&B=64&T=40&ds=4&is=6&s2=0.1';

describe('matrix optimizers in the trainer, softmax attention', () => {
  const cases: [string, string][] = [
    ['Muon', 'opt=muon&lr=0.02&mom=0.95&nest=1'],
    ['PolarGrad', 'opt=polargrad&lr=0.01&mom=0.9'],
    ['Lion, clipped', 'opt=lion&lr=0.003&b1=0.9&b2=0.99&clip=0.5'],
    ['SOAP', 'opt=soap&lr=0.01&b1=0.95&b2=0.95&pfreq=2'],
  ];
  for (const [name, query] of cases)
    it(`${name}: 6 steps track the reference (${name === 'SOAP' ? 'the losses within 1e-4' : 'the losses within 1e-5, the parameters within 1e-4'})`, async () => {
      const { device } = await testDevice();
      const { spec, errors } = decodeSpec(`${BASE}&${query}`);
      expect(errors).toEqual([]);
      const trainer = await Trainer.create(device, spec, { chunkSteps: 1 });
      try {
        const params = Float64Array.from(trainer.initialParams);
        const blocks = paramBlocks(trainer.model);
        const state = newOptimizerState(params.length, spec.optimizer, blocks);
        const init = trainer.initialParams;
        const gpuLosses: number[] = [];
        const refLosses: number[] = [];
        for (let step = 0; step < 6; step++) {
          refLosses.push((await referenceGradient(device, trainer, params, step)).loss);
          await trainer.run({ steps: 1 });
          const last = await trainer.readLastGradient();
          gpuLosses.push(last.loss);
          optimizerStep(spec.optimizer, params, last.grad, state, step, spec.train.steps, blocks);
        }
        const gpu = await trainer.readParams();
        const err = relError(Float64Array.from(gpu, (v, i) => v - init[i]), Float64Array.from(params, (v, i) => v - init[i]));
        const lossErr = relError(gpuLosses, refLosses);
        if (process.env.SHOW_ERRORS) console.log(`OPTERR trainer ${name}: ${err.toExponential(2)}, losses ${lossErr.toExponential(2)}`);
        expect(lossErr).toBeLessThan(spec.optimizer.kind === 'soap' ? 1e-4 : 1e-5);
        if (spec.optimizer.kind !== 'soap') expect(err).toBeLessThan(1e-4);
      } finally {
        trainer.destroy();
      }
    });
});
