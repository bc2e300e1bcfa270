// Least-squares fits of the one-step predictors recover the closed forms where
// those exist, so they are a sound baseline where they do not.
import { describe, expect, it } from 'vitest';
import { fitOneStep } from '../src/theory/bestFit.ts';
import { expectedLoss, expectedLossEta, optimalEta, optimalGamma } from '../src/theory/closedForms.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { buildTask } from '../src/tasks/task.ts';

describe('fitOneStep', () => {
  it('recovers η* and Γ* (rotated geometric κ = 10, d = 4, n = 12) to within Monte Carlo error', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 4, n: 12, noiseVar: 0.2 });
    spec.task.covariance = { ...spec.task.covariance, kind: 'geometric', kappa: 10, rotate: true, rotationSeed: 9 };
    const ctx = buildTask(spec.task);
    const fit = fitOneStep(ctx, 20_000);
    expect(Math.abs(fit.eta / optimalEta(ctx) - 1)).toBeLessThan(0.03);
    // Judge Γ by what matters, its expected loss: within 1% of the optimum.
    expect(expectedLoss(ctx, fit.gamma!) / expectedLoss(ctx, optimalGamma(ctx))).toBeLessThan(1.01);
    expect(expectedLossEta(ctx, fit.eta) / expectedLossEta(ctx, optimalEta(ctx))).toBeLessThan(1.001);
  });

  it('fits only η past the feature cap', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 13, n: 4 });
    const fit = fitOneStep(buildTask(spec.task), 500);
    expect(fit.gamma).toBeNull();
    expect(fit.eta).toBeGreaterThan(0);
  });
});
