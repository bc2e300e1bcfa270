// Whole runs on the GPU: bit-identical replays, no per-step synchronisation,
// and convergence of LSA to the optimal one-step GD predictor (Mahankali et al.).
import { describe, expect, it } from 'vitest';
import { Trainer } from '../../src/engine/trainer.ts';
import { runExperiment } from '../../src/orchestration/run.ts';
import { divergenceMessage } from '../../src/analysis/evaluation.ts';
import { defaultSpec, decodeSpec } from '../../src/spec/index.ts';
import { isotropicOptimum } from '../../src/theory/closedForms.ts';
import { testDevice } from './device.ts';

describe('reproducibility', () => {
  it('the same spec twice gives bit-identical parameters after 1,000 steps, whatever the chunking', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=5&n=20&B=256&T=1000&lr=0.01&ds=7&is=11').spec;
    const runs: Uint32Array[] = [];
    for (const chunkSteps of [100, 37, 100]) {
      const t = await Trainer.create(device, spec, { chunkSteps });
      await t.run({ steps: 1000 });
      expect(t.stepsCompleted).toBe(1000);
      runs.push(new Uint32Array((await t.readParams()).buffer));
      t.destroy();
    }
    expect(runs[0].length).toBe(2 * 36);
    expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
    expect(Array.from(runs[2])).toEqual(Array.from(runs[0]));
    // …and training moved the parameters away from the (identical) initialization.
    const t = await Trainer.create(device, spec);
    expect(Array.from(new Uint32Array(t.initialParams.buffer))).not.toEqual(Array.from(runs[0]));
    t.destroy();
  });

  it('a snapshot restored into a fresh trainer continues bit for bit (softmax, Adam, cosine schedule)', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&model=softmax&init=default&H=2&d=3&n=10&B=96&T=400&lr=0.005&sched=cosine&ds=5&is=9').spec;
    const whole = await Trainer.create(device, spec, { chunkSteps: 50 });
    await whole.run({ steps: 150 });
    const snap = await whole.snapshot();
    expect(snap.step).toBe(150);
    await whole.run({ steps: 250 });
    const expected = new Uint32Array((await whole.readParams()).buffer);
    whole.destroy();

    const resumed = await Trainer.create(device, spec, { chunkSteps: 33 });
    await resumed.restore(snap);
    expect(resumed.stepsCompleted).toBe(150);
    await resumed.run({ steps: 1000 });
    expect(resumed.stepsCompleted).toBe(400);
    expect(Array.from(new Uint32Array((await resumed.readParams()).buffer))).toEqual(Array.from(expected));
    // A snapshot of another model is refused with the reason.
    await expect(resumed.restore({ ...snap, params: snap.params.subarray(1) })).rejects.toThrow(/parameters/);
    resumed.destroy();
  });

  it('a learning rate that blows up stops the run at the first non-finite or blown-up loss, keeping the last finite parameters', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=4&n=10&B=64&T=5000&opt=sgd&lr=5&iscale=1').spec;
    const t = await Trainer.create(device, spec, { chunkSteps: 10 });
    const seen: number[] = [];
    await t.run({ steps: 5000, onReadback: (r) => seen.push(...r.losses) });
    const div = t.divergence!;
    expect(div).not.toBeNull();
    expect(t.stepsSubmitted).toBeLessThan(5000);
    // Every loss handed out was finite; the divergence lies after them, and the kept parameters are finite.
    expect(seen.every(Number.isFinite)).toBe(true);
    expect(div.step).toBeGreaterThanOrEqual(seen.length);
    expect(div.lastFinite.step).toBe(seen.length);
    expect(div.lastFinite.params.every(Number.isFinite)).toBe(true);
    // A further run() submits nothing; reset() clears it.
    const submitted = t.stepsSubmitted;
    await t.run({ steps: 100 });
    expect(t.stepsSubmitted).toBe(submitted);
    await t.reset();
    expect(t.divergence).toBeNull();
    t.destroy();
  });

  it('Lion at a large learning rate blows the loss up without a NaN: the run stops there, and the message names the step and what to try', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=4&n=10&B=64&T=3000&opt=lion&lr=10&b1=0.9&b2=0.99').spec;
    const t = await Trainer.create(device, spec, { chunkSteps: 1 });
    const seen: number[] = [];
    await t.run({ steps: 3000, onReadback: (r) => seen.push(...r.losses) });
    const div = t.divergence!;
    expect(div).not.toBeNull();
    expect(div.reason).toBe('blowup');
    expect(Number.isFinite(div.loss)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(div.step).toBe(seen.length);
    expect(div.loss).toBeGreaterThan(1e6 * seen[0]);
    expect(seen.every((v) => v <= 1e6 * seen[0])).toBe(true);
    expect(t.stepsSubmitted).toBeLessThan(3000);
    const message = divergenceMessage(spec, div);
    expect(message).toMatch(new RegExp(`^The batch loss reached \\S+ at step ${div.step}, more than 1e6 times its first value`));
    expect(message).toMatch(/Lion steps by lr·sign/);
    expect(message).toMatch(/a smaller learning rate \(now 10\)/);
    t.destroy();
  });

  it('a different data seed gives different parameters', async () => {
    const { device } = await testDevice();
    const a = await Trainer.create(device, decodeSpec('v=1&d=3&n=8&B=64&T=20&ds=1').spec);
    const b = await Trainer.create(device, decodeSpec('v=1&d=3&n=8&B=64&T=20&ds=2').spec);
    await a.run({ steps: 20 });
    await b.run({ steps: 20 });
    expect(Array.from(await a.readParams())).not.toEqual(Array.from(await b.readParams()));
    a.destroy();
    b.destroy();
  });
});

describe('training loop', () => {
  it('never waits on the GPU per step: one submission and one readback per chunk, several chunks in flight', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=5&n=20&B=256&T=1000').spec;
    const trainer = await Trainer.create(device, spec, { chunkSteps: 100, ringSize: 3 });
    // Count every call that could make the CPU wait for the GPU.
    let workDoneWaits = 0;
    const queue = device.queue;
    const original = queue.onSubmittedWorkDone.bind(queue);
    queue.onSubmittedWorkDone = () => {
      workDoneWaits++;
      return original();
    };
    const submittedAtReadback: number[] = [];
    try {
      await trainer.run({ steps: 1000, onReadback: () => submittedAtReadback.push(trainer.stepsSubmitted) });
    } finally {
      queue.onSubmittedWorkDone = original;
    }
    expect(trainer.counters).toMatchObject({ submits: 10, computePasses: 10, dispatches: 2000, mapAsyncCalls: 10 });
    expect(workDoneWaits).toBe(0);
    // When the first readback arrived, the loop had already queued the next chunks.
    expect(submittedAtReadback[0]).toBeGreaterThanOrEqual(300);
    expect(submittedAtReadback).toHaveLength(10);
    trainer.destroy();
  });

  it('reset returns to the same initialization and replays identically', async () => {
    const { device } = await testDevice();
    const trainer = await Trainer.create(device, decodeSpec('v=1&d=4&n=10&B=128&T=200').spec, { chunkSteps: 50 });
    const first: number[] = [];
    await trainer.run({ steps: 150, onReadback: (r) => first.push(...r.losses) });
    const after = Array.from(await trainer.readParams());
    await trainer.reset();
    expect(trainer.stepsCompleted).toBe(0);
    expect(Array.from(await trainer.readParams())).toEqual(Array.from(trainer.initialParams));
    const second: number[] = [];
    await trainer.run({ steps: 150, onReadback: (r) => second.push(...r.losses) });
    expect(second).toEqual(first);
    expect(Array.from(await trainer.readParams())).toEqual(after);
    trainer.destroy();
  });
});

describe('LSA learns one step of gradient descent (Σ = I)', () => {
  it('d = 5, n = 20, τ² = 1, σ² = 0.1, Adam: test MSE within 2% of L*, η_eff within 5% of η*', async () => {
    const { device, description } = await testDevice();
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 5, n: 20, noiseVar: 0.1 });
    spec.task.prior.tau2 = 1;
    Object.assign(spec.optimizer, { kind: 'adam', lr: 0.01, schedule: 'cosine' });
    Object.assign(spec.train, { batch: 256, steps: 2000 });
    spec.eval.prompts = 65536;
    const result = await runExperiment(device, spec, { adapter: description });
    const star = isotropicOptimum(5, 20, 1, 0.1);
    const lsa = result.lsa!;
    console.info(
      `LSA convergence on ${description}: test MSE ${result.test.model.mean.toFixed(4)} ± ${result.test.model.stderr.toFixed(4)}, ` +
        `L* ${star.loss.toFixed(4)} (ratio ${(result.test.model.mean / star.loss).toFixed(4)}), η_eff/η* ${(lsa.etaEff / star.eta).toFixed(4)}, ` +
        `identity share ${lsa.xBlockIdentityShare.toFixed(5)}, KQ last-row ratio ${lsa.kqLastRowRatio.toExponential(2)}, ` +
        `PV last-row ratio ${lsa.pvLastRowRatio.toExponential(2)}, ${result.stepsPerSecond.toFixed(0)} steps/s`,
    );
    expect(result.theory.gdLoss).toBeCloseTo(star.loss, 10);
    expect(Math.abs(result.test.model.mean / star.loss - 1)).toBeLessThan(0.02);
    expect(Math.abs(lsa.etaEff / star.eta - 1)).toBeLessThan(0.05);
    expect(lsa.xBlockIdentityShare).toBeGreaterThan(0.99);
    expect(lsa.kqLastRowRatio).toBeLessThan(0.05);
    expect(lsa.pvLastRowRatio).toBeLessThan(0.05);
    // Paired on the same prompts, the model is no worse than one-step GD with η* by more than 1%.
    expect(result.test.modelMinusGd!.mean).toBeLessThan(0.01 * star.loss);
    // The loss fell from its initial value to near L*.
    const h = result.lossHistory.loss;
    expect(h[0]).toBeGreaterThan(1.5 * star.loss);
  });
});
