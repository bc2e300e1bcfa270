// The literature's other data on the GPU, against the float64 mirror: a finite
// task pool (the entry each prompt picks, exactly), uniform and custom
// covariates, a fixed training set drawn in its seeded order, and dMMSE in the
// evaluation kernel against its float64 reference on the very same prompts.
import { describe, expect, it } from 'vitest';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { runExperiment } from '../../src/orchestration/run.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { decodeSpec, defaultSpec, type ExperimentSpec } from '../../src/spec/index.ts';
import { samplePrompt } from '../../src/tasks/sampler.ts';
import { buildTask } from '../../src/tasks/task.ts';
import { dmmse, dmmseNoiseVar } from '../../src/theory/predictors.ts';
import { referenceGradient, relError, testDevice } from './device.ts';

type Edit = (s: ExperimentSpec) => void;

describe('GPU sampler vs CPU sampler: pools, uniform and custom covariates', () => {
  const cases: [string, Edit][] = [
    ['a pool of 3 tasks', (s) => Object.assign(s.task, { pool: 3, poolSeed: 11 })],
    ['a pool of 50 entries of 2 windowed tasks, whitened prior, rotated geometric Σ', (s) => {
      Object.assign(s.task, { pool: 50, poolSeed: 4, tasks: 2, windowSize: 4, windowStride: 3 });
      s.task.prior.kind = 'whitened';
      s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 30, rotate: true, rotationSeed: 2 };
    }],
    ['uniform covariates', (s) => (s.task.covariance.kind = 'uniform')],
    ['custom eigenvalues 1…7, rotated, tanh response', (s) => {
      s.task.covariance = { ...s.task.covariance, kind: 'custom', eigenvalues: [1, 2, 3, 4, 5, 6, 7], rotate: true, rotationSeed: 8 };
      s.task.response = 'tanh';
    }],
  ];
  for (const [name, edit] of cases)
    it(name, async () => {
      const { device } = await testDevice();
      const spec = defaultSpec();
      Object.assign(spec.task, { d: 7, n: 9 });
      edit(spec);
      const task = buildTask(spec.task);
      const prompts = await gpuSamplePrompts(device, task, { seed: 42, stepWord: 17, count: 64 });
      const picked = new Set<string>();
      prompts.forEach((g, p) => {
        const c = samplePrompt(task, 42, 17, p);
        for (const [a, b] of [[g.xq, c.xq], [g.xs, c.xs], [g.ysAll, c.ysAll]] as const) expect(relError(a, b)).toBeLessThan(2e-3);
        if (task.pool) {
          // The same entry, to the bit: the pick is integer hashing, the vector a float32 copy.
          g.wAll.forEach((v, i) => expect(v).toBe(Math.fround(c.wAll[i])));
          picked.add(Array.from(c.wAll).join());
        } else {
          expect(relError(g.wAll, c.wAll)).toBeLessThan(2e-3);
        }
        if (task.covariates === 'uniform') for (const v of g.xs) expect(Math.abs(v)).toBeLessThan(Math.sqrt(3));
      });
      // 64 prompts pick every entry of a pool of 3.
      if (task.pool && task.pool.size === 3) expect(picked.size).toBe(3);
    });
});

describe('a fixed training set on the GPU', () => {
  for (const [set, batch] of [[40, 40], [37, 16], [5, 12]] as const)
    it(`N = ${set}, batch ${batch}: every step's gradient is the float64 gradient on the set prompts of the seeded order`, async () => {
      const { device } = await testDevice();
      const spec = defaultSpec();
      Object.assign(spec.task, { d: 4, n: 7, pool: 6, poolSeed: 3 });
      Object.assign(spec.train, { set, batch, dataSeed: 99, initSeed: 5, steps: 10 });
      spec.optimizer.lr = 0.01;
      const trainer = await Trainer.create(device, spec, { chunkSteps: 3 });
      try {
        for (let step = 0; step < 5; step++) {
          const params = await trainer.readParams();
          await trainer.run({ steps: 1 });
          const gpu = await trainer.readLastGradient();
          const ref = await referenceGradient(device, trainer, params, step);
          expect(relError(gpu.grad, ref.grad)).toBeLessThan(1e-4);
          expect(Math.abs(gpu.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
        }
      } finally {
        trainer.destroy();
      }
    });
});

describe('dMMSE in the evaluation kernel vs float64', () => {
  const cases: [string, Edit][] = [
    ['d = 8, n = 16, σ² = 0.25, M = 64 (Raventós et al.)', (s) => Object.assign(s.task, { d: 8, n: 16, noiseVar: 0.25, pool: 64 })],
    ['nearly one-hot posteriors: σ² = 0.001, M = 200', (s) => Object.assign(s.task, { d: 5, n: 20, noiseVar: 0.001, pool: 200 })],
    ['spread posteriors: n = 2 < d, σ² = 1', (s) => Object.assign(s.task, { d: 6, n: 2, noiseVar: 1, pool: 32 })],
    ['noiseless, M = 5', (s) => Object.assign(s.task, { d: 4, n: 8, noiseVar: 0, pool: 5 })],
    ['2 tasks sharing each entry', (s) => Object.assign(s.task, { d: 6, n: 10, noiseVar: 0.3, pool: 20, tasks: 2, windowSize: 4, windowStride: 2 })],
  ];
  for (const [name, edit] of cases)
    it(name, async () => {
      const { device } = await testDevice();
      const spec = defaultSpec();
      edit(spec);
      spec.task.poolSeed = 7;
      spec.train.dataSeed = 13;
      const trainer = await Trainer.create(device, spec);
      try {
        const count = 256;
        const ev = await trainer.evaluate({ prompts: count });
        const prompts = await gpuSamplePrompts(device, trainer.task, { seed: 13, stepWord: STREAM.EVAL, count });
        const s2 = dmmseNoiseVar(trainer.task);
        const ref = prompts.map((p) => dmmse(p, trainer.task.pool!, s2));
        for (let t = 0; t < spec.task.tasks; t++) {
          const gpu = ev.outputs[t].dmmse!;
          expect(gpu).not.toBeNull();
          const want = ref.map((r) => r[t]);
          const err = relError(gpu, want);
          console.log(`dMMSE ${name}, output ${t}: relative error ${err.toExponential(2)}`);
          expect(err).toBeLessThan(1e-5);
        }
      } finally {
        trainer.destroy();
      }
    });
});

describe('trained on the literature\'s data, LSA lands where the theory says', () => {
  it('a sign-symmetric pool of M = 3 tasks at d = 5: Γ_eff within 2% of Γ*(Ω_pool), identified as preconditioned GD; its fresh-task MSE is Γ*(Ω_pool)\'s closed-form loss on the prior', async () => {
    const { device } = await testDevice();
    const { spec } = decodeSpec('v=1&model=lsa&iscale=0.1&d=5&n=20&tau2=1&s2=0.1&opt=adam&lr=0.01&sched=cosine&B=256&T=3000&pool=3&pseed=1&psym=1&ep=16384');
    const r = await runExperiment(device, spec, { adapter: 'test', lengths: [20] });
    expect(r.theory.source).toBe('pool');
    expect(r.lsa!.gammaRelError!).toBeLessThan(0.02);
    expect(r.identification.best).toBe('preconditionedGd');
    const fresh = r.shift!;
    expect(fresh.description).toBe('fresh tasks');
    const z = (fresh.test.model.mean - fresh.theory.pgdLoss!) / fresh.test.model.stderr;
    expect(Math.abs(z), `fresh-task MSE ${fresh.test.model.mean} ± ${fresh.test.model.stderr}, closed form ${fresh.theory.pgdLoss}`).toBeLessThan(4);
    // On pool tasks dMMSE (the pool's Bayes predictor) beats everything; on fresh tasks ridge does.
    expect(r.test.dmmse!.mean).toBeLessThan(r.test.model.mean);
    expect(fresh.test.ridge.mean).toBeLessThan(fresh.test.dmmse!.mean);
  }, 120_000);

  it('uniform covariates (von Oswald et al., noiseless): the trained LSA\'s test MSE is within 1% of the best one-step GD fitted on uniform prompts', async () => {
    const { device } = await testDevice();
    const { spec } = decodeSpec('v=1&model=lsa&iscale=0.1&d=10&n=10&cov=uniform&tau2=1&s2=0&qn=0&opt=adam&lr=0.01&sched=cosine&B=256&T=3000&ep=16384');
    const r = await runExperiment(device, spec, { adapter: 'test', lengths: [10] });
    expect(r.test.oneStepSource).toBe('least-squares fit');
    expect(r.theory.available).toBe(false);
    expect(r.theory.reason).toMatch(/uniform/);
    const gap = Math.abs(r.test.model.mean - r.test.oneStepGd.mean) / r.test.oneStepGd.mean;
    expect(gap, `model ${r.test.model.mean}, fitted one-step GD ${r.test.oneStepGd.mean}`).toBeLessThan(0.01);
    expect(r.identification.best).toBe('oneStepGd');
  }, 120_000);
});
