// "Compare two runs" as pure functions (src/store/compareModel.ts): a runner /
// sweep result as a pinned run, the rows of numbers with current − pinned, the
// spec fields that differ, and the matrices compared by name and shape.
import { describe, expect, it } from 'vitest';
import type { ExperimentResult, TestResult } from '../src/analysis/evaluation.ts';
import type { SweepRunResult } from '../src/analysis/sweepPoints.ts';
import type { NamedMatrix } from '../src/models/types.ts';
import { defaultSpec, encodeSpec } from '../src/spec/index.ts';
import { compareMatrices, compareRows, pinnedFromResult, specDifferences, type PinnedRun } from '../src/store/compareModel.ts';

const est = (mean: number, stderr = 0.01) => ({ mean, stderr });

function testResult(model: number, extra: Partial<TestResult> = {}): TestResult {
  return {
    prompts: 4096,
    nCtx: 20,
    model: est(model),
    ridge: est(0.3),
    oneStepSource: 'closed form',
    oneStepEta: 0.5,
    oneStepGd: est(0.6),
    kStepGd: [{ ...est(0.5), steps: 2, eta: 0.4 }],
    ...extra,
  };
}

function matrix(name: string, rows: number, cols: number, data: number[], frozen: (i: number) => boolean = () => false): NamedMatrix {
  return { name, rows, cols, data, noGradient: data.map((_, i) => frozen(i)), caption: name };
}

/** A result as runExperiment returns it, reduced to what the compare view reads. */
function result(model: number): ExperimentResult {
  const spec = defaultSpec();
  spec.train.steps = 200;
  const theory = { available: true, etaStar: 0.8, gdLoss: 0.9 };
  const test = testResult(model);
  const identification = { matches: [{ predictor: 'oneStepGd' as const, label: 'one-step GD', r2: 0.99, relativeDifference: 0.1 }], best: 'oneStepGd' as const, label: 'one-step GD' };
  return {
    spec,
    share: encodeSpec(spec),
    steps: 200,
    adapter: 'test',
    wallSeconds: 1,
    stepsPerSecond: 200,
    lossHistory: { step: [100, 200], loss: [2, 1] },
    test,
    identification,
    theory,
    outputs: [{ window: [0, 5], test, theory, identification }],
    lsa: { etaEff: 0.7, etaRatio: 0.875, gammaRelError: 0.05 },
    matrices: { W_KQ: matrix('W_KQ', 2, 2, [1, 2, 3, 4]), W_PV: matrix('W_PV', 2, 2, [0, 0, 1, 1]) },
  } as unknown as ExperimentResult;
}

describe('compare two runs', () => {
  it('reads a runner result and a sweep run result as a pinned run', () => {
    const r = result(0.7);
    const p = pinnedFromResult(r, 'link');
    expect(p.query).toBe(encodeSpec(r.spec));
    expect(p.step).toBe(200);
    expect(p.status).toBe('done');
    expect(p.lStar).toBe(0.9);
    expect(p.loss).toEqual({ step: [100, 200], loss: [2, 1] });
    expect(p.matrices.map((m) => m.name)).toEqual(['W_KQ', 'W_PV']);
    expect(p.test?.model.mean).toBe(0.7);
    expect(p.lsa).toEqual({ etaEff: 0.7, etaRatio: 0.875, gammaRelError: 0.05 });
    // A copy: later changes to the result do not reach the pinned run.
    r.matrices.W_KQ.data[0] = 99;
    expect(p.matrices[0].data[0]).toBe(1);
    const { adapter: _a, wallSeconds: _w, stepsPerSecond: _s, ...sweepRun } = result(0.7);
    const fromSweep = pinnedFromResult(sweepRun as SweepRunResult);
    expect(fromSweep.source).toBe('sweep');
    expect(fromSweep.test?.model.mean).toBe(0.7);
  });

  it('puts the numbers in two columns with current − pinned, leaving out rows neither run has', () => {
    const a = pinnedFromResult(result(0.7));
    const b: PinnedRun = { ...pinnedFromResult(result(0.5)), test: testResult(0.5, { kStepGd: [{ ...est(0.45), steps: 3, eta: 0.3 }] }) };
    const rows = compareRows(a, b);
    const model = rows.find((r) => r.id === 'test.model')!;
    expect([model.pinned, model.current, model.diff]).toEqual([0.7, 0.5, 0.5 - 0.7]);
    expect(model.pinnedSe).toBe(0.01);
    // k-step GD: the union of the steps either run measured.
    expect(rows.find((r) => r.id === 'test.gd2')).toMatchObject({ pinned: 0.5, current: null, diff: null });
    expect(rows.find((r) => r.id === 'test.gd3')).toMatchObject({ pinned: null, current: 0.45 });
    expect(rows.find((r) => r.id === 'identification')).toMatchObject({ pinned: 'one-step GD', current: 'one-step GD', diff: null });
    expect(rows.find((r) => r.id === 'test.ols')).toBeUndefined();
    expect(rows.some((r) => r.group === 'softmax')).toBe(false);
    // A link's spec not trained yet: the pinned column is empty.
    const untrained = compareRows(null, b);
    expect(untrained.find((r) => r.id === 'test.model')).toMatchObject({ pinned: null, current: 0.5, diff: null });
  });

  it('lists the spec fields that differ by label', () => {
    const a = defaultSpec();
    const b = defaultSpec();
    b.task.n = 40;
    b.optimizer.lr = 0.01;
    b.task.queryNoise = false;
    expect(specDifferences(a, b)).toEqual([
      { path: 'task.n', key: 'n', label: 'context length n', pinned: '20', current: '40' },
      { path: 'task.queryNoise', key: 'qn', label: 'noisy query target', pinned: 'on', current: 'off' },
      { path: 'optimizer.lr', key: 'lr', label: 'learning rate', pinned: '0.001', current: '0.01' },
    ]);
    expect(specDifferences(a, defaultSpec())).toEqual([]);
  });

  it('compares eigenvalue lists entry by entry and names a test override kept at the training value "same"', () => {
    const a = defaultSpec();
    const b = defaultSpec();
    // Equal lists held in different arrays are no difference.
    a.task.covariance.eigenvalues = [1, 2, 3, 4, 5];
    b.task.covariance.eigenvalues = [1, 2, 3, 4, 5];
    expect(specDifferences(a, b)).toEqual([]);
    b.task.covariance.eigenvalues = [];
    b.eval.test.noiseVar = 0.5;
    expect(specDifferences(a, b)).toEqual([
      { path: 'task.covariance.eigenvalues', key: 'eig', label: 'eigenvalues', pinned: '1, 2, 3, 4, 5', current: '1, 2, …, d' },
      { path: 'eval.test.noiseVar', key: 'ts2', label: 'test noise σ²', pinned: 'same', current: '0.5' },
    ]);
  });

  it('compares the matrices both runs have with the same name and shape', () => {
    const frozen = (i: number) => i === 1;
    const pinned = [matrix('W_KQ', 2, 2, [1, 2, 3, 4], frozen), matrix('W_PV', 2, 2, [0, 0, 0, 0]), matrix('X', 1, 2, [0, 0])];
    const current = [matrix('W_KQ', 2, 2, [1.5, 2, 1, 4], frozen), matrix('W_PV', 2, 1, [0, 0]), matrix('Y', 1, 1, [0])];
    const out = compareMatrices(pinned, current);
    expect(out.map((m) => m.name)).toEqual(['W_KQ']);
    expect(out[0].diff.data).toEqual([0.5, 0, -2, 0]);
    expect(out[0].diff.noGradient).toEqual([false, true, false, false]);
    expect(out[0].maxAbsDiff).toBe(2);
  });
});
