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
    ['3 tasks on windows [0,3), [2,5), [4,7), whitened prior, cubic response', (s: ReturnType<typeof defaultSpec>) => {
      s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 20, rotate: true, rotationSeed: 9 };
      s.task.prior.kind = 'whitened';
      s.task.response = 'cubic';
      Object.assign(s.task, { tasks: 3, windowSize: 3, windowStride: 2 });
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
        for (const [a, b] of [[g.wAll, c.wAll], [g.xq, c.xq], [g.xs, c.xs], [g.ysAll, c.ysAll]] as const) expect(relError(a, b)).toBeLessThan(2e-3);
        c.yqAll.forEach((y, t) => expect(Math.abs(g.yqAll[t] - y)).toBeLessThan(2e-3 * (1 + Math.abs(y))));
        expect(g.k).toBe(spec.task.tasks);
        // Each task's w is zero outside its window.
        task.outputs.forEach((o, t) => {
          for (let i = 0; i < task.d; i++) if (i < o.start || i >= o.end) expect(Math.abs(g.wAll[t * task.d + i])).toBe(0);
        });
      });
    });
});
