// Per-point aggregates: mean ± SE over seeds, like heads averaged with like,
// identification votes, and the length curves averaged over seeds.
import { describe, expect, it } from 'vitest';
import { aggregatePoint, runScalars, seedEstimate, type SweepRunResult } from '../src/analysis/sweepPoints.ts';
import { uniforms } from './helpers.ts';
import { sweepFigure } from '../src/analysis/sweepFigure.ts';
import { decodeSweep, gridPoints } from '../src/spec/index.ts';

/** A minimal softmax run result with the given heads and test MSE. */
function result(mse: number, omega: number[], mu: number[], label = 'debiased GD', curve = [1, 0.5]): SweepRunResult {
  const est = (m: number) => ({ mean: m, stderr: 0.01 });
  const lg = { nCtx: [10, 20], model: curve.map(est), oneStepGd: curve.map(est), debiasedGd: curve.map(est), ridge: curve.map(est), ols: [null, est(0.2)], prompts: 64 };
  const out = {
    window: [0, 3] as [number, number],
    test: { prompts: 64, nCtx: 10, model: est(mse), ridge: est(0.2), oneStepSource: 'closed form' as const, oneStepEta: 0.5, oneStepGd: est(0.6) },
    theory: { available: true, etaStar: 0.5, gdLoss: 0.55 },
    identification: { matches: [{ predictor: 'debiasedGd' as const, label, r2: 0.99, relativeDifference: 0.1 }], best: 'debiasedGd' as const, label },
  };
  return {
    lossHistory: { step: [1], loss: [mse] },
    test: out.test,
    identification: out.identification,
    theory: out.theory,
    lengthGeneralization: lg,
    outputs: [{ ...out, lengthGeneralization: lg }],
    softmax: {
      omega,
      mu,
      muByOutput: [mu],
      zeroSum: Math.abs(mu[0] + mu[1]) / (Math.abs(mu[0]) + Math.abs(mu[1])),
      dormant: [],
      heads: omega.map(() => ({ diagonalHomogeneity: 1, lastEntryOnly: 1 })),
      reduced: { available: false, reason: 'test' },
    },
  } as unknown as SweepRunResult;
}

describe('sweep aggregates', () => {
  it('mean and standard error over seeds', () => {
    const r = uniforms(7);
    for (let trial = 0; trial < 20; trial++) {
      const v = Array.from({ length: 2 + (trial % 6) }, () => r() * 10 - 5);
      const e = seedEstimate(v);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      expect(e.mean).toBeCloseTo(mean, 12);
      expect(e.stderr!).toBeCloseTo(sd / Math.sqrt(v.length), 12);
      expect(e.n).toBe(v.length);
    }
    expect(seedEstimate([3])).toEqual({ mean: 3, stderr: null, n: 1 });
    expect(seedEstimate([NaN, 2, Infinity, 4]).n).toBe(2);
  });

  it('ranks interchangeable heads by μ before averaging', () => {
    // The same learned pair, heads in either order: ranked, the mean keeps ±μ instead of cancelling.
    const a = runScalars(result(0.3, [0.1, 0.2], [3, -3]));
    const b = runScalars(result(0.3, [0.2, 0.1], [-3, 3]));
    expect([a['softmax.mu1'], a['softmax.mu2'], a['softmax.omega1']]).toEqual([3, -3, 0.1]);
    expect([b['softmax.mu1'], b['softmax.mu2'], b['softmax.omega1']]).toEqual([3, -3, 0.1]);
    const p = aggregatePoint([
      { status: 'done', result: result(0.3, [0.1, 0.2], [3, -3]) },
      { status: 'done', result: result(0.5, [0.2, 0.1], [-3, 3], 'one-step GD', [2, 1]) },
      { status: 'diverged' },
    ]);
    expect(p.metrics['softmax.mu1']).toEqual({ mean: 3, stderr: 0, n: 2 });
    expect(p.metrics['test.model'].mean).toBeCloseTo(0.4, 15);
    expect(p.metrics['test.model'].stderr).toBeCloseTo(0.1, 15);
    expect([p.done, p.diverged, p.failed]).toEqual([2, 1, 0]);
    expect(p.identified).toEqual({ 'debiased GD': 1, 'one-step GD': 1 });
    const c = p.length[0]!;
    expect(c.stderrOver).toBe('seeds');
    expect(c.model.map((e) => e.mean)).toEqual([1.5, 0.75]);
    expect(c.model[0].stderr).toBeCloseTo(0.5, 15);
    expect(c.ols[0]).toBeNull();
    // One seed: the run's own standard error over its test prompts.
    const one = aggregatePoint([{ status: 'done', result: result(0.3, [0.1, 0.2], [3, -3]) }]).length[0]!;
    expect(one.stderrOver).toBe('prompts');
    expect(one.model[0]).toEqual({ mean: 1, stderr: 0.01, n: 1 });
  });
});

describe('sweep figure', () => {
  it('draws a reference line once when it does not depend on the second field, and per value when it does', () => {
    const point = (coords: (number | string)[], i: number) => ({
      point: i,
      coords,
      ...aggregatePoint([{ status: 'done', result: result(0.3 + i / 10, [0.1, 0.2], [3, -3]) }]),
    });
    for (const [query, shared] of [
      ['v=1&sv=1&sweep=n:5,10&sweep=lr:0.01,0.1', true],
      ['v=1&sv=1&sweep=lr:0.01,0.1&sweep=n:5,10', false],
    ] as const) {
      const sweep = decodeSweep(query).sweep!;
      const points = gridPoints(sweep).map((c, i) => {
        const p = point(c as (number | string)[], i);
        // L* depends on n only.
        const n = c[sweep.axes.findIndex((a) => a.field === 'task.n')] as number;
        p.metrics['theory.gdLoss'] = { mean: 1 / n, stderr: 0, n: 1 };
        return p;
      });
      const fig = sweepFigure({ sweep, points, share: 'v=1' }, { kind: 'field', metric: 'test.model' });
      const lstar = fig.traces.filter((t) => t.name.startsWith('L*'));
      expect(fig.traces.filter((t) => t.role === 'model').length).toBe(2);
      if (shared) {
        expect(lstar.map((t) => t.name)).toEqual(['L*: optimal one-step GD (closed form)']);
        expect(lstar[0].color).toBeLessThan(0);
      } else expect(lstar.map((t) => t.name)).toEqual(['L*: optimal one-step GD (closed form), n = 5', 'L*: optimal one-step GD (closed form), n = 10']);
    }
  });
});
