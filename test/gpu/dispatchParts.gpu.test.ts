// A step whose training dispatch is split into parts (engine/dispatchParts.ts)
// computes every prompt's row as one dispatch does: the losses, parameters and
// optimizer state after a few steps are the same bits, for every training
// kernel, alone and batched.
import { describe, expect, it } from 'vitest';
import { BatchTrainer } from '../../src/engine/batchTrainer.ts';
import { Trainer, type TrainerOptions } from '../../src/engine/trainer.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { testDevice } from './device.ts';

const STEPS = 4;

async function train(query: string, options: TrainerOptions) {
  const { device } = await testDevice();
  const t = await Trainer.create(device, decodeSpec(query).spec, { chunkSteps: 3, ...options });
  try {
    const losses: number[] = [];
    await t.run({ steps: STEPS, onReadback: (r) => losses.push(...r.losses) });
    const snap = await t.snapshot();
    return { losses, params: Array.from(snap.params), optState: Array.from(snap.optState), split: t.split, dispatches: t.counters.dispatches };
  } finally {
    t.destroy();
  }
}

// Ragged batches, so the last part is short.
const CASES: [string, string, TrainerOptions][] = [
  ['LSA', 'v=1&T=10&B=200&d=4&n=9&model=lsa&opt=adam&lr=0.01', {}],
  ['softmax, one thread a prompt', 'v=1&T=10&B=150&d=3&n=8&model=softmax&H=2&init=default&opt=sgd&lr=0.05&mom=0.9', { softmaxKernel: 'thread' }],
  ['softmax, heads across threads', 'v=1&T=10&B=70&d=3&n=8&model=softmax&H=3&init=default&opt=adam&lr=0.01', { softmaxKernel: 'heads' }],
  ['separate K, Q in two layers, a fixed training set', 'v=1&T=10&B=150&d=3&n=6&model=lsa&H=2&param=separate&rank=2&layers=2&tied=0&tset=300&opt=adam&lr=0.01', {}],
];

describe('a training step split into several dispatches', () => {
  for (const [name, query, options] of CASES)
    it(`${name}: the same bits as one dispatch`, async () => {
      expect(decodeSpec(query).errors).toEqual([]);
      const one = await train(query, options);
      const split = await train(query, { ...options, trainParts: 2 });
      expect(one.split.parts).toBe(1);
      expect(split.split.parts).toBe(2);
      // One more dispatch a step.
      expect(split.dispatches - one.dispatches).toBe(STEPS);
      expect(split.losses).toEqual(one.losses);
      expect(split.params).toEqual(one.params);
      expect(split.optState).toEqual(one.optState);
      // The steps moved the parameters, so equal bits say something.
      expect(one.losses).toHaveLength(STEPS);
      expect(one.losses[0]).not.toBe(one.losses[STEPS - 1]);
    });

  it('batched runs split into parts equal their solo runs in one dispatch', async () => {
    const { device } = await testDevice();
    const queries = ['ds=1&is=1&lr=0.01', 'ds=2&is=5&lr=0.003'].map((r) => `v=1&T=10&B=150&d=3&n=8&model=softmax&H=2&init=default&opt=adam&${r}`);
    const b = await BatchTrainer.create(device, queries.map((q) => decodeSpec(q).spec), { chunkSteps: 3, trainParts: 2 });
    try {
      expect(b.split.parts).toBe(2);
      const losses: number[][] = queries.map(() => []);
      await b.run({ steps: STEPS, onReadback: (r) => r.losses.forEach((l, i) => losses[i].push(...l)) });
      const snaps = await b.snapshots();
      for (const [i, q] of queries.entries()) {
        const solo = await train(q, {});
        expect(losses[i], q).toEqual(solo.losses);
        expect(Array.from(snaps[i].params), q).toEqual(solo.params);
      }
    } finally {
      b.destroy();
    }
  });
});
