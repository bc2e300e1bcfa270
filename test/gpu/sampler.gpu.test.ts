// The GPU sampler draws the very prompts of the float64 CPU sampler (same hash,
// same records); only the GPU's float32 log/cos/sin, whose precision WGSL
// leaves loose, separate them.
import { describe, expect, it } from 'vitest';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { defaultSpec } from '../../src/spec/index.ts';
import { samplePrompt } from '../../src/tasks/sampler.ts';
import { buildTask } from '../../src/tasks/task.ts';
import { relError, testDevice } from './device.ts';

describe('GPU sampler vs CPU sampler', () => {
  for (const [name, edit] of [
    ['isotropic, identity response', () => {}],
    ['rotated AR(1), whitened prior, tanh response', (s: ReturnType<typeof defaultSpec>) => {
      s.task.covariance = { ...s.task.covariance, kind: 'ar1', rho: 0.7, rotate: true, rotationSeed: 5 };
      s.task.prior.kind = 'whitened';
      s.task.response = 'tanh';
    }],
  ] as const)
    it(name, async () => {
      const { device } = await testDevice();
      const spec = defaultSpec();
      Object.assign(spec.task, { d: 7, n: 9 });
      edit(spec);
      const task = buildTask(spec.task);
      const prompts = await gpuSamplePrompts(device, task, { seed: 42, stepWord: 17, count: 64 });
      prompts.forEach((g, p) => {
        const c = samplePrompt(task, 42, 17, p);
        for (const [a, b] of [[g.w, c.w], [g.xq, c.xq], [g.xs, c.xs], [g.ys, c.ys]] as const) expect(relError(a, b)).toBeLessThan(2e-3);
        expect(Math.abs(g.yq - c.yq)).toBeLessThan(2e-3 * (1 + Math.abs(c.yq)));
      });
    });
});
