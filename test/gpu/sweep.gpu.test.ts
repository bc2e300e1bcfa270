// The sweep engine on the GPU: a run inside a sweep is bit-identical to the
// same spec run alone; a resumed sweep redoes no finished run and ends with
// the same records; a diverging run is marked and the sweep goes on; sweep
// files survive a round trip and corrupt ones are named.
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/orchestration/run.ts';
import { runSweep, sequentialBackend, splitTiming, SWEEP_HISTORY_POINTS, type SweepBackend, type SweepRunRecord } from '../../src/orchestration/sweep.ts';
import { buildSweepFile, mergeSweepFiles, readSweepFile, runTableCsv, SweepFileError, withoutTiming } from '../../src/orchestration/sweepFile.ts';
import { sweepFigure } from '../../src/analysis/sweepFigure.ts';
import { figureSvg } from '../../src/export/figureSvg.ts';
import { decodeSweep, expandSweep, type SweepSpec } from '../../src/spec/index.ts';
import { batchedBackend, batchesOf } from '../../src/orchestration/batchedBackend.ts';
import { testDevice } from './device.ts';

function sweepOf(query: string): SweepSpec {
  const r = decodeSweep(query);
  expect(r.errors).toEqual([]);
  return r.sweep!;
}

const LSA = 'v=1&d=3&n=10&T=150&B=64&ep=1024&lr=0.01&sv=1&sweep=n:5,10&seeds=2&lengths=5,10,20';
const SOFTMAX = 'v=1&model=softmax&init=default&d=3&n=8&tau2=0.33&H=2&T=60&B=64&ep=512&lr=0.003&sv=1&sweep=H:1,2&lengths=4,8';

/** A backend that counts the runs it trains. */
function counting(inner: SweepBackend): SweepBackend & { trained: number[] } {
  const trained: number[] = [];
  return {
    trained,
    async *runAll(plans, ctx) {
      for await (const r of inner.runAll(plans, ctx)) {
        trained.push(r.index);
        yield r;
      }
    },
  };
}

describe('sweep engine', () => {
  it('trains a run inside a sweep bit-identical to the same spec alone (LSA and softmax)', async () => {
    const { device, description } = await testDevice();
    for (const query of [LSA, SOFTMAX]) {
      const sweep = sweepOf(query);
      const { records, cancelled } = await runSweep(sweep, { backend: sequentialBackend(device, description) });
      expect(cancelled).toBe(false);
      expect(records.map((r) => r.status)).toEqual(expandSweep(sweep).map(() => 'done'));
      const rec = records[records.length - 1];
      const alone = await runExperiment(device, rec.spec, { adapter: description, maxHistory: SWEEP_HISTORY_POINTS, lengths: sweep.lengths });
      const { result } = splitTiming(alone);
      // Every number: parameters (as matrices), losses, test MSEs, identification, length curve.
      expect(withoutTiming(rec.result)).toEqual(withoutTiming(result));
      for (const [name, m] of Object.entries(alone.matrices)) expect(Array.from(rec.result!.matrices[name].data), name).toEqual(Array.from(m.data));
      expect(rec.result!.lengthGeneralization.nCtx).toEqual(sweep.lengths);
      expect(rec.timing?.adapter).toBe(description);
      // Replicates differ from each other (their own data and init seeds).
      expect(records[0].result!.test.model.mean).not.toBe(records[1].result!.test.model.mean);
    }
  });

  it('resumes without redoing finished runs, to the same records', async () => {
    const { device, description } = await testDevice();
    const sweep = sweepOf(LSA);
    const whole = await runSweep(sweep, { backend: sequentialBackend(device, description) });
    // Stop after the first run, then resume from what was kept.
    const first: SweepRunRecord[] = [];
    const backend1 = counting(sequentialBackend(device, description));
    const part = await runSweep(sweep, { backend: backend1, onRecord: (r) => first.push(r), shouldStop: () => first.length >= 1 });
    expect(part.cancelled).toBe(true);
    expect(part.records.length).toBe(1);
    const backend2 = counting(sequentialBackend(device, description));
    const rest = await runSweep(sweep, { backend: backend2, finished: part.records });
    expect(backend2.trained).toEqual([1, 2, 3]);
    expect(rest.cancelled).toBe(false);
    expect(withoutTiming(rest.records)).toEqual(withoutTiming(whole.records));
    // A shard resumes the same way and never runs another shard's runs.
    const shard = await runSweep(sweep, { backend: counting(sequentialBackend(device, description)), shard: { index: 2, count: 2 }, finished: whole.records.slice(0, 2) });
    expect(shard.records.map((r) => r.index)).toEqual([1, 3]);
  });

  it('marks a diverging run and goes on; the figure and table show it', async () => {
    const { device, description } = await testDevice();
    const sweep = sweepOf('v=1&d=3&n=10&T=80&B=64&ep=512&opt=sgd&sv=1&sweep=lr:0.01,8,0.02');
    const { records } = await runSweep(sweep, { backend: sequentialBackend(device, description) });
    expect(records.map((r) => r.status)).toEqual(['done', 'diverged', 'done']);
    expect(records[1].message).toMatch(/training diverged\. The batch loss (became NaN or infinite|reached \S+) at step \d+/);
    const file = buildSweepFile(sweep, records);
    expect(file.points.map((p) => [p.done, p.diverged])).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const fig = sweepFigure(file, { metric: 'test.model' });
    const model = fig.traces.find((t) => t.role === 'model')!;
    expect(model.x).toEqual([0.01, 0.02]);
    expect(model.diverged).toEqual([8]);
    expect(figureSvg(fig)).toMatch(/× a run diverged or failed here/);
    expect(runTableCsv(file).split('\n')[2]).toMatch(/^1,1,0,8,1,1,diverged,/);
  });

  it('reads its own files back and names a corrupt or mismatched one', async () => {
    const { device, description } = await testDevice();
    const sweep = sweepOf(LSA);
    const { records } = await runSweep(sweep, { backend: sequentialBackend(device, description) });
    const file = buildSweepFile(sweep, records, { timing: { adapter: description } });
    const json = JSON.parse(JSON.stringify(file));
    expect(readSweepFile(json)).toEqual(JSON.parse(JSON.stringify(file)));
    // Aggregates: mean ± SE over the two seeds of each point.
    const p0 = file.points[0];
    const v = records.filter((r) => r.point === 0).map((r) => r.result!.test.model.mean);
    expect(p0.metrics['test.model'].mean).toBeCloseTo((v[0] + v[1]) / 2, 15);
    expect(p0.metrics['test.model'].stderr).toBeCloseTo(Math.abs(v[0] - v[1]) / 2, 15);
    expect(p0.metrics['theory.gdLoss'].stderr).toBe(0);
    const broken: [string, (f: Record<string, any>) => void, RegExp][] = [
      ['format', (f) => (f.format = 'icl-lab-result'), /is not an ICL Lab sweep file/],
      ['version', (f) => (f.formatVersion = 9), /format version 9/],
      ['sweep', (f) => (f.sweep.seeds = 0), /sweep\.seeds = 0/],
      ['index', (f) => (f.runs[1].index = 40), /index 40, which is not a run of this sweep \(4 runs\)/],
      ['twice', (f) => (f.runs[1].index = 0), /run 0 appears twice/],
      ['edited spec', (f) => (f.runs[2].spec.optimizer.lr = 0.5), /run 2's spec is not the one this sweep gives run 2/],
      ['result', (f) => delete f.runs[3].result.outputs, /run 3 is marked done but its result is missing or malformed/],
    ];
    for (const [what, edit, re] of broken) {
      const f = JSON.parse(JSON.stringify(file));
      edit(f);
      expect(() => readSweepFile(f, 'x.json'), what).toThrow(SweepFileError);
      expect(() => readSweepFile(f, 'x.json'), what).toThrow(re);
    }
    // Merging: shards of one split, each once, none missing, all of one sweep.
    const shard = (i: number, n: number) => ({ name: `s${i}.json`, file: buildSweepFile(sweep, records.filter((r) => r.index % n === i - 1), { shard: { index: i, count: n } }) });
    expect(withoutTiming(mergeSweepFiles([shard(2, 2), shard(1, 2)]))).toEqual(withoutTiming(buildSweepFile(sweep, records)));
    expect(() => mergeSweepFiles([shard(1, 3), shard(3, 3)])).toThrow(/shard 2\/3 is missing/);
    expect(() => mergeSweepFiles([shard(1, 2), shard(1, 2), shard(2, 2)])).toThrow(/shard 1\/2 is given twice \(s1\.json and s1\.json\)/);
    expect(() => mergeSweepFiles([shard(1, 2), shard(1, 3)])).toThrow(/different splits/);
    const other = sweepOf(LSA.replace('seeds=2', 'seeds=1'));
    expect(() => mergeSweepFiles([shard(1, 2), { name: 'o.json', file: buildSweepFile(other, [], { shard: { index: 2, count: 2 } }) }])).toThrow(/o\.json is a shard of a different sweep/);
    const partial = { name: 's2.json', file: buildSweepFile(sweep, records.filter((r) => r.index === 1), { shard: { index: 2, count: 2 } }) };
    expect(() => mergeSweepFiles([shard(1, 2), partial])).toThrow(/run 3 is missing/);
  });

  it('the batched backend trains runs of one shape together and writes the sequential backend\'s records, a diverging run\'s included', async () => {
    const { device, description } = await testDevice();
    for (const query of [LSA, `${SOFTMAX}&seeds=2`, 'v=1&d=3&n=10&T=80&B=64&ep=512&opt=sgd&sv=1&sweep=lr:0.01,8,0.02&seeds=2']) {
      const sweep = sweepOf(query);
      const plans = expandSweep(sweep);
      // Same-shape runs share a batch (seeds, learning rates); other shapes (n, H) start another.
      const batches = batchesOf(plans);
      expect(batches.length).toBeLessThan(plans.length);
      const seq = await runSweep(sweep, { backend: sequentialBackend(device, description) });
      const progress: number[] = [];
      const bat = await runSweep(sweep, { backend: batchedBackend(device, description), onProgress: (p) => progress.push(p.stepsDone) });
      expect(bat.cancelled).toBe(false);
      expect(withoutTiming(bat.records)).toEqual(withoutTiming(seq.records));
      expect(bat.records.some((r) => (r.timing?.batchRuns ?? 1) > 1)).toBe(true);
      // Progress counts every run in flight and never goes back.
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
      expect(progress.at(-1)).toBe(plans.reduce((a, p) => a + p.spec.train.steps, 0));
    }
  });

  it('a batched sweep stopped mid-batch resumes to the same records', async () => {
    const { device, description } = await testDevice();
    const sweep = sweepOf('v=1&d=3&n=10&T=120&B=64&ep=512&lr=0.01&sv=1&sweep=lr:0.01,0.02&seeds=3');
    const whole = await runSweep(sweep, { backend: sequentialBackend(device, description) });
    let steps = 0;
    const part = await runSweep(sweep, { backend: batchedBackend(device, description, { chunkSteps: 20 }), onProgress: (p) => (steps = p.stepsDone), shouldStop: () => steps >= 200 });
    expect(part.cancelled).toBe(true);
    expect(part.records.length).toBeLessThan(6);
    const rest = await runSweep(sweep, { backend: batchedBackend(device, description, { chunkSteps: 20 }), finished: part.records });
    expect(withoutTiming(rest.records)).toEqual(withoutTiming(whole.records));
  });
});
