// The loss plot's multi-step levels for L ≥ 2 layers of linear attention:
// where they apply, that they order as the families nest and sit below one
// layer's closed-form optimum, and that each fitted level is the candidate's
// loss on fresh prompts (Monte Carlo, held out from the fit).
import { describe, expect, it } from 'vitest';
import { multiStepLevels, hasMultiStepLevels } from '../src/analysis/linearAttention.ts';
import { multiStepCandidates } from '../src/analysis/cpuCandidates.ts';
import { defaultSpec, type ExperimentSpec } from '../src/spec/index.ts';
import { buildTask, momentView, taskView } from '../src/tasks/task.ts';
import { samplePrompt } from '../src/tasks/sampler.ts';
import { promptStats } from '../src/theory/multiStep.ts';
import { oneStepGdTheory } from '../src/theory/closedForms.ts';
import { THEORY_STREAM } from '../src/theory/monteCarlo.ts';

function deepSpec(layers: number, patch: (s: ExperimentSpec) => void = () => {}): ExperimentSpec {
  const s = defaultSpec();
  Object.assign(s.task, { d: 3, n: 10, noiseVar: 0.1 });
  Object.assign(s.model, { type: 'lsa', heads: 1, param: 'merged', rank: 1, layers, tied: false });
  patch(s);
  return s;
}

describe('multi-step reference levels', () => {
  it('apply to linear attention with two or more layers and one output only', () => {
    expect(hasMultiStepLevels(deepSpec(1))).toBe(false);
    expect(multiStepLevels(deepSpec(1))).toBeNull();
    expect(hasMultiStepLevels(deepSpec(2, (s) => (s.task.tasks = 2)))).toBe(false);
    expect(hasMultiStepLevels(deepSpec(2, (s) => (s.model.type = 'softmax')))).toBe(false);
    expect(hasMultiStepLevels(deepSpec(3))).toBe(true);
  });

  it('isotropic, L = 2 and 3: below one layer’s L*, GD++ and full Γ_ℓ no worse than per-step GD, more layers lower', () => {
    const lstar = oneStepGdTheory(momentView(buildTask(deepSpec(2).task))).loss;
    const byL = [2, 3].map((L) => {
      const levels = multiStepLevels(deepSpec(L))!;
      const of = (p: string) => levels.find((l) => l.predictor === p)!.loss;
      expect(levels.map((l) => l.predictor)).toEqual(['stepsGd', 'stepsPgd', 'gdpp']);
      expect(of('stepsGd')).toBeLessThan(lstar);
      expect(of('stepsPgd')).toBeLessThanOrEqual(of('stepsGd') * (1 + 1e-9));
      expect(of('gdpp')).toBeLessThanOrEqual(of('stepsGd') * (1 + 1e-9));
      expect(levels[0].label).toContain(`${L}-step GD`);
      return of('stepsGd');
    });
    expect(byL[1]).toBeLessThan(byL[0]);
  });

  it('anisotropic Σ adds Ahn et al.’s a_ℓ Σ⁻¹ steps, and each level is the candidate’s loss on held-out prompts (4 SE)', () => {
    const spec = deepSpec(2, (s) => (s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 10, rotate: true }));
    const levels = multiStepLevels(spec)!;
    expect(levels.map((l) => l.predictor)).toContain('stepsAhn');
    const view = taskView(buildTask(spec.task), 0);
    const cands = multiStepCandidates(view, 2);
    const held = Array.from({ length: 6000 }, (_, i) => samplePrompt(view, 0xabc, THEORY_STREAM, i));
    const stats = held.map(promptStats);
    for (const level of levels) {
      const c = cands.find((x) => x.predictor === level.predictor)!;
      expect(c.fitLoss).toBe(level.loss);
      const errs = held.map((p, i) => (c.predict(p, stats[i]) - p.yq) ** 2);
      const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
      const se = Math.sqrt(errs.reduce((a, b) => a + (b - mean) ** 2, 0) / (errs.length - 1) / errs.length);
      // In-sample fits read a little low; the held-out loss is within 4 SE plus that optimism.
      expect(Math.abs(level.loss - mean)).toBeLessThan(4 * se + 0.02 * mean);
    }
  });
});
