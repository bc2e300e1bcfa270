// The precomputed example (src/ui/example/exampleResult.json, made by
// `npm run example`) shown without WebGPU: consistent with itself, with the
// spec codec, the model's matrices and the closed forms, and still the
// default experiment it claims to be.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelFor } from '../src/models/index.ts';
import { extractMatrices } from '../src/models/types.ts';
import { decodeSpec, defaultSpec, encodeSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';
import { isotropicOptimum, oneStepGdTheory } from '../src/theory/closedForms.ts';
import { EXAMPLE_FORMAT, type ExampleResultData } from '../src/ui/example/types.ts';
import { tokenLabels } from '../src/ui/Heatmap.tsx';

const FILE = new URL('../src/ui/example/exampleResult.json', import.meta.url);
const text = readFileSync(FILE, 'utf8');
const ex = JSON.parse(text) as ExampleResultData;
const d = ex.spec.task.d;

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('the precomputed example result', () => {
  it('is a small example file', () => {
    expect(ex.format).toBe(EXAMPLE_FORMAT);
    expect(ex.formatVersion).toBe(1);
    expect(text.length).toBeLessThan(50_000);
    expect(ex.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ex.adapter.length).toBeGreaterThan(0);
  });

  it('has a spec that its share-link query decodes to, and it is the default experiment', () => {
    const parsed = decodeSpec(ex.query);
    expect(parsed.errors).toEqual([]);
    expect(parsed.spec).toEqual(ex.spec);
    expect(encodeSpec(ex.spec)).toBe(ex.query);
    // The page calls it "the default experiment": regenerate it (npm run example) when the defaults change.
    expect(ex.spec).toEqual(defaultSpec());
    expect(ex.spec.model.type).toBe('lsa');
    expect(ex.spec.task.tasks).toBe(1);
    expect(ex.steps).toBe(ex.spec.train.steps);
  });

  it("has W_KQ and W_PV of the model's shapes, labels and no-gradient entries, all finite", () => {
    const model = modelFor(ex.spec);
    const reference = extractMatrices(model, new Float32Array(model.paramCount));
    expect(ex.matrices.map((m) => m.name)).toEqual(['W_KQ', 'W_PV']);
    for (const m of ex.matrices) {
      const ref = reference.find((r) => r.name === m.name)!;
      expect([m.rows, m.cols]).toEqual([d + 1, d + 1]);
      expect([m.rows, m.cols]).toEqual([ref.rows, ref.cols]);
      expect(m.data).toHaveLength(m.rows * m.cols);
      expect(m.data.every(Number.isFinite)).toBe(true);
      expect(m.noGradient).toEqual(ref.noGradient);
      expect(m.caption).toBe(ref.caption);
      expect(m.rowLabels).toEqual(tokenLabels(d, 1));
      expect(m.colLabels).toEqual(tokenLabels(d, 1));
    }
  });

  it('has a finite loss history of at most 300 points that falls overall to about L*', () => {
    const { step, loss, bucket } = ex.lossHistory;
    expect(step.length).toBe(loss.length);
    expect(step.length).toBeGreaterThan(10);
    expect(step.length).toBeLessThanOrEqual(300);
    expect(loss.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(step[0]).toBe(bucket);
    for (let i = 1; i < step.length; i++) expect(step[i]).toBeGreaterThan(step[i - 1]);
    expect(step.at(-1)).toBe(ex.steps);
    const tenth = Math.max(1, Math.floor(loss.length / 10));
    const first = mean(loss.slice(0, tenth));
    const last = mean(loss.slice(-tenth));
    expect(last).toBeLessThan(0.5 * first);
    // The point of the example: the trained LSA reaches the best one-step GD's loss.
    expect(Math.abs(last - ex.lStar)).toBeLessThan(0.05 * ex.lStar);
  });

  it("has L*, η* and Γ* equal to the closed forms for its spec", () => {
    const theory = oneStepGdTheory(buildTask(ex.spec.task));
    expect(Math.abs(ex.lStar - theory.loss)).toBeLessThan(1e-9);
    expect(Math.abs(ex.theory.gdLoss - theory.loss)).toBeLessThan(1e-9);
    expect(Math.abs(ex.theory.etaStar - theory.eta)).toBeLessThan(1e-9);
    expect(Math.abs(ex.theory.pgdLoss - theory.gammaLoss)).toBeLessThan(1e-9);
    expect(ex.theory.gammaStar).toHaveLength(d * d);
    ex.theory.gammaStar.forEach((g, i) => expect(Math.abs(g - theory.gamma[i])).toBeLessThan(1e-9));
    // Σ = I: the textbook formula too.
    const iso = isotropicOptimum(d, ex.spec.task.n, ex.spec.task.prior.tau2, ex.spec.task.noiseVar, ex.spec.task.queryNoise);
    expect(Math.abs(ex.lStar - iso.loss)).toBeLessThan(1e-9);
  });

  it('has test MSEs and an identification that agree with each other', () => {
    const rows = ex.test.rows;
    expect(rows[0].id).toBe('model');
    for (const id of ['oneStepGd', 'ridge']) expect(rows.some((r) => r.id === id)).toBe(true);
    for (const r of rows) {
      expect(Number.isFinite(r.mean) && r.mean > 0).toBe(true);
      expect(Number.isFinite(r.stderr) && r.stderr > 0).toBe(true);
    }
    expect(ex.test.nCtx).toBe(ex.spec.task.n);
    expect(ex.test.prompts).toBe(ex.spec.eval.prompts);
    const id = ex.identification;
    const best = id.matches.find((m) => m.predictor === id.best)!;
    expect(best.label).toBe(id.label);
    for (const m of id.matches) {
      expect(m.r2).toBeLessThanOrEqual(1);
      expect(m.r2).toBeLessThanOrEqual(best.r2 + 1e-4);
    }
    // Trained LSA on Σ = I data is one-step GD: the test MSEs agree within a few standard errors.
    const model = rows.find((r) => r.id === 'model')!;
    const gd = rows.find((r) => r.id === 'oneStepGd')!;
    expect(id.best).toBe('oneStepGd');
    expect(Math.abs(model.mean - gd.mean)).toBeLessThan(3 * model.stderr);
  });

  it('has a length curve over its grid, with the training n on it', () => {
    const c = ex.lengthCurve!;
    expect(c).toBeDefined();
    expect(c.nCtx).toContain(ex.spec.task.n);
    for (const series of [c.model, c.oneStepGd, c.debiasedGd, c.ridge]) {
      expect(series).toHaveLength(c.nCtx.length);
      expect(series.every((e) => Number.isFinite(e.mean) && Number.isFinite(e.stderr))).toBe(true);
    }
    expect(c.ols).toHaveLength(c.nCtx.length);
  });
});
