// The LSA kernels against the float64 reference, on fresh random parameters
// and prompts: forward (eval kernel), batch gradient and loss (fused training
// kernel), optimizer update, and a few whole training steps.
import { describe, expect, it } from 'vitest';
import { Trainer } from '../../src/engine/trainer.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { newOptimizerState, optimizerStep } from '../../src/engine/optimizer.ts';
import { paramBlocks } from '../../src/engine/optimizerKernel.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { defaultSpec, type ExperimentSpec } from '../../src/spec/index.ts';
import { referenceGradient, relError, testDevice } from './device.ts';
import { uniforms } from '../helpers.ts';

// Seeded, so a failing case replays; the cases still cover both Σ paths and a spread of scales.
const random = uniforms(0x15a0c0de);
const seed = () => (random() * 2 ** 32) >>> 0;

function randomSpec(d: number, n: number, over: (s: ExperimentSpec) => void = () => {}): ExperimentSpec {
  const s = defaultSpec();
  s.task.d = d;
  s.task.n = n;
  s.task.noiseVar = 0.05 + random() * 0.5;
  // Alternate between Σ = I and a rotated AR(1) Σ so both sampler paths run.
  if (random() < 0.5) s.task.covariance = { ...s.task.covariance, kind: 'ar1', rho: 0.6, rotate: true, rotationSeed: seed() };
  s.model.initScale = 0.2 + random() * 0.6;
  s.train.initSeed = seed();
  s.train.dataSeed = seed();
  s.train.batch = 96; // not a multiple of the 64-prompt workgroup: exercises the ragged tail
  s.eval.prompts = 256;
  // A step well above float32 resolution of θ, so θ1 − θ0 measures the update, not rounding.
  s.optimizer.lr = 0.01;
  over(s);
  return s;
}

describe('LSA kernels vs float64 reference', () => {
  for (const d of [2, 5, 20])
    for (const n of [1, 20, 100]) {
      it(`d=${d} n=${n}: forward, gradient, loss and update`, async () => {
        const { device } = await testDevice();
        const spec = randomSpec(d, n);
        const trainer = await Trainer.create(device, spec, { chunkSteps: 4 });
        try {
          const theta0 = trainer.initialParams;
          // Forward: the eval kernel's predictions on its own prompts.
          const ev = await trainer.evaluate({ prompts: 128 });
          const evalPrompts = await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 128 });
          const refPred = evalPrompts.map((p) => trainer.model.predict(theta0, p)[0]);
          const forwardErr = relError(ev.model, refPred);
          expect(forwardErr).toBeLessThan(1e-4);
          expect(relError(ev.targets, evalPrompts.map((p) => p.yq))).toBeLessThan(1e-6);

          // Gradient and loss of step 0 from the fused kernel's partial sums.
          await trainer.run({ steps: 1 });
          const gpu = await trainer.readLastGradient();
          const ref = await referenceGradient(device, trainer, theta0, 0);
          const gradErr = relError(gpu.grad, ref.grad);
          expect(gradErr).toBeLessThan(1e-4);
          expect(Math.abs(gpu.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
          // Entries that cannot affect ŷ get exactly zero gradient.
          for (const m of trainer.model.matrices)
            for (let r = 0; r < m.rows; r++)
              for (let c = 0; c < m.cols; c++) if (m.noGradient(r, c)) expect(gpu.grad[m.offset + r * m.cols + c]).toBe(0);

          // Update: Adam's first step from θ0 with the GPU's own gradient.
          const theta1 = await trainer.readParams();
          const expected = Float64Array.from(theta0);
          optimizerStep(spec.optimizer, expected, gpu.grad, newOptimizerState(expected.length), 0, spec.train.steps);
          const delta = Float64Array.from(theta1, (v, i) => v - theta0[i]);
          const refDelta = expected.map((v, i) => v - theta0[i]);
          const updateErr = relError(delta, refDelta);
          expect(updateErr).toBeLessThan(1e-4);
          console.info(`d=${d} n=${n}: relative error forward ${forwardErr.toExponential(1)}, gradient ${gradErr.toExponential(1)}, Adam step ${updateErr.toExponential(1)}`);
        } finally {
          trainer.destroy();
        }
      });
    }
});

describe('LSA batch sums at a batch that is not a multiple of 4', () => {
  it('batch 1,027: gradient and loss match the reference', async () => {
    const { device } = await testDevice();
    const spec = randomSpec(3, 7, (s) => {
      s.train.batch = 1027;
    });
    const trainer = await Trainer.create(device, spec, { chunkSteps: 2 });
    try {
      const theta0 = trainer.initialParams;
      await trainer.run({ steps: 1 });
      const gpu = await trainer.readLastGradient();
      const ref = await referenceGradient(device, trainer, theta0, 0);
      expect(relError(gpu.grad, ref.grad)).toBeLessThan(1e-4);
      expect(Math.abs(gpu.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
    } finally {
      trainer.destroy();
    }
  });
});

describe('whole training steps vs float64 reference', () => {
  const cases: [string, (s: ExperimentSpec) => void][] = [
    ['Adam, cosine schedule, weight decay', (s) => Object.assign(s.optimizer, { kind: 'adam', lr: 0.01, schedule: 'cosine', weightDecay: 0.01 })],
    ['SGD with momentum', (s) => Object.assign(s.optimizer, { kind: 'sgd', lr: 0.005, momentum: 0.9 })],
    ['SGD, Nesterov, clipped, WSD schedule', (s) => Object.assign(s.optimizer, { kind: 'sgd', lr: 0.005, momentum: 0.9, nesterov: true, clip: 0.5, schedule: 'wsd', warmup: 2, decayFraction: 0.5 })],
    ['AdamW', (s) => Object.assign(s.optimizer, { kind: 'adamw', lr: 0.01, weightDecay: 0.1 })],
    ['Lion, warmup and cosine', (s) => Object.assign(s.optimizer, { kind: 'lion', lr: 0.003, beta1: 0.9, beta2: 0.99, schedule: 'warmup-cosine', warmup: 3 })],
    ['Muon', (s) => Object.assign(s.optimizer, { kind: 'muon', lr: 0.02, momentum: 0.95, nesterov: true })],
    ['PolarGrad', (s) => Object.assign(s.optimizer, { kind: 'polargrad', lr: 0.01, momentum: 0.9 })],
    ['SOAP', (s) => Object.assign(s.optimizer, { kind: 'soap', lr: 0.01, beta1: 0.95, beta2: 0.95, precondFreq: 2 })],
  ];
  for (const [name, over] of cases)
    it(`${name}: 6 steps in two submissions track the reference`, async () => {
      const { device } = await testDevice();
      const spec = randomSpec(4, 12, (s) => {
        over(s);
        s.train.steps = 40;
      });
      const trainer = await Trainer.create(device, spec, { chunkSteps: 3 });
      try {
        const params = Float64Array.from(trainer.initialParams);
        const blocks = paramBlocks(trainer.model);
        const state = newOptimizerState(params.length, spec.optimizer, blocks);
        const refLosses: number[] = [];
        for (let step = 0; step < 6; step++) {
          const ref = await referenceGradient(device, trainer, params, step);
          refLosses.push(ref.loss);
          optimizerStep(spec.optimizer, params, ref.grad, state, step, spec.train.steps, blocks);
        }
        const gpuLosses: number[] = [];
        await trainer.run({ steps: 6, onReadback: (r) => gpuLosses.push(...r.losses) });
        expect(trainer.counters.submits).toBe(2);
        // SOAP's bases for W_PV (a rank-one gradient: only its label row) are picked by rounding in its
        // null space, so its parameters differ there from float64's: over 30 random specs by up to
        // 2.5e-3, and the losses, which follow the parameters, by up to 1.2e-3 (the rest: < 1e-6).
        const soap = spec.optimizer.kind === 'soap';
        expect(relError(await trainer.readParams(), params)).toBeLessThan(soap ? 5e-3 : 1e-4);
        expect(relError(gpuLosses, refLosses)).toBeLessThan(soap ? 5e-3 : 1e-4);
      } finally {
        trainer.destroy();
      }
    });
});
