// The page's sliced reduced-predictor comparison must give the runner's numbers exactly.
import { describe, expect, it } from 'vitest';
import { reducedComparison, reducedComparisonSliced } from '../src/analysis/reduced.ts';
import { decodeSpec } from '../src/spec/codec.ts';
import { buildTask } from '../src/tasks/task.ts';

const HE = 'v=1&model=softmax&init=default&d=5&n=40&cov=isotropic&prior=isotropic&tau2=0.2&s2=0.1&qn=1';

describe('reducedComparisonSliced', () => {
  for (const H of [1, 3]) {
    it(`matches reducedComparison bit for bit (H = ${H}), in several slices`, async () => {
      const { spec } = decodeSpec(`${HE}&H=${H}`);
      const task = buildTask(spec.task);
      const omega = Array.from({ length: H }, (_, h) => 0.4 - 0.3 * h);
      const mu = Array.from({ length: H }, (_, h) => (h % 2 ? -0.8 : 1.1));
      let yields = 0;
      const sliced = await reducedComparisonSliced(spec, task, omega, mu, {
        sliceMs: 1,
        yieldNow: async () => {
          yields++;
        },
      });
      const { busyMs, slices, ...rest } = sliced!;
      expect(rest).toEqual(reducedComparison(spec, task, omega, mu));
      expect(slices).toBe(yields + 1);
      expect(slices).toBeGreaterThan(1);
      expect(busyMs).toBeGreaterThan(0);
    });
  }

  it('gives the reason where L̃ does not apply, and stops when asked', async () => {
    const multi = decodeSpec(`${HE}&H=2&d=6&K=2&ws=4&wst=2&tau2=0.25`).spec;
    const r = await reducedComparisonSliced(multi, buildTask(multi.task), [0.1, -0.1], [1, -1]);
    expect(r).toMatchObject({ available: false, reason: expect.stringMatching(/single output/) });
    const { spec } = decodeSpec(`${HE}&H=2`);
    const stopped = await reducedComparisonSliced(spec, buildTask(spec.task), [0.3, -0.3], [1, -1], { sliceMs: 0, yieldNow: async () => {}, shouldStop: () => true });
    expect(stopped).toBeNull();
  });
});
