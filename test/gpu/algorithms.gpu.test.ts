// "Which algorithm did the model learn?" on trained LSA (Mahankali et al.):
// preconditioned GD with Γ* for a rotated AR(1) covariance, plain one-step GD
// for Σ = I and, with a tanh response, as good as the best-fit one-step GD.
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/orchestration/run.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { testDevice } from './device.ts';

async function run(query: string) {
  const { device, description } = await testDevice();
  const { spec, errors } = decodeSpec(query);
  expect(errors).toEqual([]);
  return { r: await runExperiment(device, spec, { adapter: description }), description };
}

describe('algorithm identification for trained LSA', () => {
  it('rotated AR(1), ρ = 0.8, d = 5, n = 20: Γ_eff within 5% of Γ*, named preconditioned GD', async () => {
    const { r, description } = await run('v=1&d=5&n=20&cov=ar1&rho=0.8&rot=1&rseed=3&B=1024&T=10000&lr=0.03&sched=cosine&ep=16384');
    const id = r.identification;
    console.info(
      `rotated AR(1) on ${description}: Γ_eff rel. error ${r.lsa!.gammaRelError!.toFixed(4)}; ` +
        id.matches.map((m) => `${m.label} R² ${m.r2.toFixed(4)} (rel. diff ${m.relativeDifference.toFixed(4)})`).join(', '),
    );
    expect(r.lsa!.gammaRelError!).toBeLessThan(0.05);
    expect(id.best).toBe('preconditionedGd');
    const gd = id.matches.find((m) => m.predictor === 'oneStepGd')!;
    const pgd = id.matches.find((m) => m.predictor === 'preconditionedGd')!;
    expect(pgd.r2).toBeGreaterThan(gd.r2 + 0.05);
    expect(r.test.model.mean).toBeLessThan(0.9 * r.test.oneStepGd.mean);
  });

  it('Σ = I: named one-step GD; the length curve runs to 4n on the GPU', async () => {
    const { r } = await run('v=1&d=5&n=20&B=256&T=2000&lr=0.01&sched=cosine&ep=16384');
    expect(r.identification.best).toBe('oneStepGd');
    expect(r.identification.matches.map((m) => m.predictor)).not.toContain('preconditionedGd');
    expect(r.identification.matches[0].r2).toBeGreaterThan(0.99);
    const c = r.lengthGeneralization;
    expect(c.nCtx[0]).toBe(1);
    expect(c.nCtx.at(-1)).toBe(80);
    expect(c.model.every((e) => Number.isFinite(e.mean))).toBe(true);
    // More context helps ridge throughout, and GD with its own best η too.
    for (let i = 1; i < c.nCtx.length; i++) {
      expect(c.ridge[i].mean).toBeLessThan(c.ridge[i - 1].mean + 3 * c.ridge[i].stderr);
      expect(c.oneStepGd![i].mean).toBeLessThan(c.oneStepGd![i - 1].mean + 3 * c.oneStepGd![i].stderr);
    }
    // At the training length the curve agrees with the test MSE within noise.
    const at = c.nCtx.indexOf(20);
    expect(Math.abs(c.model[at].mean - r.test.model.mean)).toBeLessThan(4 * (c.model[at].stderr + r.test.model.stderr));
    console.info(`length curve: ${c.nCtx.length} lengths up to ${c.nCtx.at(-1)}, ${c.prompts} prompts each, ${(c.seconds ?? 0).toFixed(2)} s`);
  });

  it('tanh response: the trained LSA is within 2% of the best-fit one-step GD', async () => {
    const { r } = await run('v=1&d=5&n=20&f=tanh&B=256&T=3000&lr=0.01&sched=cosine&ep=32768');
    expect(r.test.oneStepSource).toBe('least-squares fit');
    const ratio = r.test.model.mean / r.test.oneStepGd.mean;
    console.info(`tanh: model ${r.test.model.mean.toFixed(4)} vs best-fit one-step GD ${r.test.oneStepGd.mean.toFixed(4)} (ratio ${ratio.toFixed(4)}), named ${r.identification.label}`);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.02);
    expect(r.identification.best).toBe('oneStepGd');
  });
});
