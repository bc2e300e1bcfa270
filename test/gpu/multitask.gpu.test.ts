// Multi-task prompts (k outputs, each task on its window of x): the LSA and
// softmax-attention kernels against the float64 reference, on every output.
import { describe, expect, it } from 'vitest';
import { Trainer } from '../../src/engine/trainer.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { defaultSpec, type ExperimentSpec } from '../../src/spec/index.ts';
import { referenceGradient, relError, testDevice } from './device.ts';

const seed = () => (Math.random() * 2 ** 32) >>> 0;

function multiSpec(over: (s: ExperimentSpec) => void): ExperimentSpec {
  const s = defaultSpec();
  Object.assign(s.task, { d: 6, n: 24, tasks: 2, windowSize: 4, windowStride: 2, noiseVar: 0.1 });
  s.train.initSeed = seed();
  s.train.dataSeed = seed();
  s.train.batch = 80;
  s.model.initScale = 0.4;
  over(s);
  return s;
}

describe('multi-task kernels vs float64 reference', () => {
  const cases: [string, (s: ExperimentSpec) => void][] = [
    ['LSA, 2 tasks on [0,4) and [2,6)', () => {}],
    ['LSA, 3 tasks on all of x, rotated AR(1)', (s) => {
      Object.assign(s.task, { d: 4, tasks: 3, windowSize: 0, windowStride: 0 });
      s.task.covariance = { ...s.task.covariance, kind: 'ar1', rho: 0.5, rotate: true, rotationSeed: 3 };
    }],
    ['softmax H = 3, 2 tasks on [0,4) and [2,6)', (s) => Object.assign(s.model, { type: 'softmax', heads: 3, init: 'default' })],
    ['softmax H = 4, 3 tasks on windows of 2, stride 2, tanh', (s) => {
      Object.assign(s.task, { tasks: 3, windowSize: 2, windowStride: 2, response: 'tanh' });
      Object.assign(s.model, { type: 'softmax', heads: 4, init: 'default' });
    }],
  ];
  for (const [name, over] of cases)
    it(`${name}: forward on every output, gradient, loss`, async () => {
      const { device } = await testDevice();
      const spec = multiSpec(over);
      const K = spec.task.tasks;
      const trainer = await Trainer.create(device, spec, { chunkSteps: 2 });
      try {
        const theta0 = trainer.initialParams;
        const ev = await trainer.evaluate({ prompts: 96 });
        expect(ev.outputs.length).toBe(K);
        const prompts = await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 96 });
        const ref = prompts.map((p) => trainer.model.predict(theta0, p));
        for (let t = 0; t < K; t++) {
          expect(relError(ev.outputs[t].model, ref.map((r) => r[t]))).toBeLessThan(1e-4);
          expect(relError(ev.outputs[t].targets, prompts.map((p) => p.yqAll[t]))).toBeLessThan(1e-6);
        }
        await trainer.run({ steps: 1 });
        const gpu = await trainer.readLastGradient();
        const refGrad = await referenceGradient(device, trainer, theta0, 0);
        expect(relError(gpu.grad, refGrad.grad)).toBeLessThan(1e-4);
        expect(Math.abs(gpu.loss - refGrad.loss) / refGrad.loss).toBeLessThan(1e-4);
        for (const m of trainer.model.matrices)
          for (let r = 0; r < m.rows; r++)
            for (let c = 0; c < m.cols; c++) if (m.noGradient(r, c)) expect(gpu.grad[m.offset + r * m.cols + c]).toBe(0);
      } finally {
        trainer.destroy();
      }
    });
});
