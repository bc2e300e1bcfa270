// Several runs of one shape in one set of dispatches: each run's losses,
// parameters and optimizer state equal, bit for bit, those of its spec
// trained alone, whatever the others' seeds, learning rates, schedules,
// optimizer constants, noise, prior and covariance.
import { describe, expect, it } from 'vitest';
import { BatchTrainer, batchShapeKey } from '../../src/engine/batchTrainer.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { softmaxKernelOf } from '../../src/models/softmax.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { testDevice } from './device.ts';

const STEPS = 7;

async function solo(device: GPUDevice, query: string) {
  const spec = decodeSpec(query).spec;
  const t = await Trainer.create(device, spec, { chunkSteps: 3 });
  try {
    const losses: number[] = [];
    await t.run({ steps: STEPS, onReadback: (r) => losses.push(...r.losses) });
    const snap = await t.snapshot();
    return { losses, params: Array.from(snap.params), optState: Array.from(snap.optState) };
  } finally {
    t.destroy();
  }
}

async function batched(device: GPUDevice, queries: string[]) {
  const specs = queries.map((q) => decodeSpec(q).spec);
  const b = await BatchTrainer.create(device, specs, { chunkSteps: 3 });
  try {
    const losses: number[][] = queries.map(() => []);
    await b.run({ steps: STEPS, onReadback: (r) => r.losses.forEach((l, i) => losses[i].push(...l)) });
    const snaps = await b.snapshots();
    return { losses, snaps, counters: { ...b.counters }, diverged: [...b.divergences] };
  } finally {
    b.destroy();
  }
}

const CASES: [string, string, string[]][] = [
  [
    'LSA with Adam: seeds, learning rates, schedules, σ², τ² and the covariance differ',
    'T=40&B=70&d=4&n=9&cov=ar1&rot=1&model=lsa&opt=adam',
    ['ds=1&is=1&lr=0.01&s2=0.1&tau2=1&rho=0.5', 'ds=7&is=3&lr=0.03&sched=cosine&s2=0.4&tau2=0.5&rho=0.2', 'ds=2&is=9&lr=0.002&sched=warmup-cosine&warm=3&b1=0.8&b2=0.99&s2=0&tau2=2&rho=0.8'],
  ],
  ['softmax attention, H = 2, SGD with momentum', 'T=30&B=64&d=3&n=8&model=softmax&H=2&init=default&opt=sgd', ['ds=1&is=1&lr=0.05&mom=0.9', 'ds=3&is=2&lr=0.01&mom=0.8', 'ds=5&is=4&lr=0.1&mom=0.5']],
  ['two tasks, a pool of 4, Lion', 'T=30&B=32&d=4&n=6&K=2&ws=2&wst=2&pool=4&model=lsa&opt=lion&b2=0.99', ['ds=1&is=1&lr=0.001&pseed=1', 'ds=2&is=2&lr=0.003&pseed=5']],
  ['LSA with Muon (the per-matrix kernel): momenta and learning rates differ', 'T=30&B=64&d=4&n=8&model=lsa&opt=muon&nest=1', ['ds=1&is=1&lr=0.01&mom=0.95', 'ds=2&is=5&lr=0.003&mom=0.9']],
  ['softmax with SOAP: β and the preconditioner refresh differ', 'T=30&B=32&d=3&n=6&model=softmax&H=2&init=default&opt=soap', ['ds=1&is=1&lr=0.003&b1=0.95&b2=0.95&pfreq=2', 'ds=3&is=2&lr=0.001&b1=0.9&b2=0.99&pfreq=3']],
  ['PolarGrad: learning rates differ', 'T=30&B=32&d=3&n=6&model=lsa&opt=polargrad&mom=0.9', ['ds=1&is=1&lr=0.001', 'ds=2&is=2&lr=0.002']],
  ['Adam with gradient clipping at different norms', 'T=30&B=32&d=3&n=6&model=lsa&opt=adam', ['ds=1&is=1&lr=0.01&clip=0.5', 'ds=2&is=2&lr=0.02&clip=2']],
  // d = 28 with 8 heads trains with the heads split across threads (softmaxKernelOf).
  ['softmax attention, d = 28, H = 8 (the heads kernel), Adam', 'T=30&B=20&d=28&n=5&model=softmax&H=8&init=default&opt=adam', ['ds=1&is=1&lr=0.01', 'ds=2&is=3&lr=0.003&b2=0.99']],
  ['separate K, Q in two layers, a fixed training set, AdamW', 'T=30&B=16&d=3&n=6&model=lsa&H=2&param=separate&rank=2&layers=2&tied=0&tset=40&opt=adamw&wd=0.01', ['ds=1&is=1&lr=0.01', 'ds=4&is=6&lr=0.02']],
];

describe('batched runs', () => {
  for (const [name, shared, runs] of CASES)
    it(`${name}: every run bit for bit its solo run`, async () => {
      const { device } = await testDevice();
      const queries = runs.map((r) => `v=1&${shared}&${r}`);
      for (const q of queries) expect(decodeSpec(q).errors, q).toEqual([]);
      const s0 = decodeSpec(queries[0]).spec;
      if (name.includes('heads kernel')) expect(softmaxKernelOf(s0.task.d, s0.model.heads, s0.task.tasks)).toBe('heads');
      const keys = new Set(queries.map((q) => batchShapeKey(decodeSpec(q).spec)));
      expect(keys.size).toBe(1);
      const b = await batched(device, queries);
      for (const [i, q] of queries.entries()) {
        const s = await solo(device, q);
        expect(b.losses[i], `${q}: losses`).toEqual(s.losses);
        expect(Array.from(b.snaps[i].params), `${q}: parameters`).toEqual(s.params);
        expect(Array.from(b.snaps[i].optState), `${q}: optimizer state`).toEqual(s.optState);
        expect(b.snaps[i].step).toBe(STEPS);
      }
      // The runs differ from each other (the test would pass trivially otherwise).
      expect(b.losses[0]).not.toEqual(b.losses[1]);
      expect(b.diverged.every((d) => d === null)).toBe(true);
      // One set of dispatches for all runs: as many as one run's.
      const perStep = b.counters.dispatches / STEPS;
      expect(perStep).toBe(Math.round(perStep));
      expect(b.counters.submits).toBe(Math.ceil(STEPS / 3));
    });

  it('runs of different shapes are refused with the reason; hyperparameters do not change the shape', async () => {
    const { device } = await testDevice();
    await expect(BatchTrainer.create(device, [decodeSpec('v=1&d=3&n=5').spec, decodeSpec('v=1&d=4&n=5').spec])).rejects.toThrow(/run 2 has another shape/);
    await expect(BatchTrainer.create(device, [decodeSpec('v=1&d=3&n=5&opt=muon').spec, decodeSpec('v=1&d=3&n=5&opt=adam').spec])).rejects.toThrow(/run 2 has another shape/);
    expect(batchShapeKey(decodeSpec('v=1&d=3&n=5&lr=0.1&ds=4').spec)).toBe(batchShapeKey(decodeSpec('v=1&d=3&n=5&lr=0.3&ds=9&s2=0.5').spec));
    expect(batchShapeKey(decodeSpec('v=1&d=3&n=5&clip=1').spec)).toBe(batchShapeKey(decodeSpec('v=1&d=3&n=5&clip=3&lr=0.2').spec));
  });

  it('a run that diverges is marked, and the others carry on unchanged', async () => {
    const { device } = await testDevice();
    const queries = ['v=1&T=30&B=32&d=3&n=6&opt=sgd&lr=0.01', 'v=1&T=30&B=32&d=3&n=6&opt=sgd&lr=10&iscale=1'];
    for (const q of queries) expect(decodeSpec(q).errors, q).toEqual([]);
    const b = await batched(device, queries);
    expect(b.diverged[0]).toBeNull();
    expect(b.diverged[1]).not.toBeNull();
    const s = await solo(device, queries[0]);
    expect(b.losses[0]).toEqual(s.losses);
    // The diverged run's account is its solo run's, to the last finite parameters.
    const t = await Trainer.create(device, decodeSpec(queries[1]).spec, { chunkSteps: 3 });
    try {
      await t.run({ steps: STEPS });
      const d = t.divergence!;
      expect(d).not.toBeNull();
      const bd = b.diverged[1]!;
      expect([bd.step, bd.reason, bd.loss, bd.firstLoss, bd.lastFinite.step]).toEqual([d.step, d.reason, d.loss, d.firstLoss, d.lastFinite.step]);
      expect(Array.from(bd.lastFinite.params)).toEqual(Array.from(d.lastFinite.params));
    } finally {
      t.destroy();
    }
  });
});
