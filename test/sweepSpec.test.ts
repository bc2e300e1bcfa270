// The sweep spec: the value syntax, replicate seeds, the grid and its shards,
// the budget, and the link codec (round trip; every bad part named, the rest applied).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkSweep,
  decodeSpec,
  decodeSweep,
  defaultSpec,
  encodeSpec,
  encodeSweep,
  expandSweep,
  FIELD_BY_PATH,
  FIELDS,
  hasSweep,
  parseAxis,
  parseLengths,
  parseShard,
  parseValues,
  replicateSeed,
  REPLICATE_STREAM,
  runCount,
  shardRuns,
  SWEEP_BUDGET,
  SWEEP_PRESETS,
  sweepBudget,
  type SweepSpec,
} from '../src/spec/index.ts';

const field = (path: string) => FIELD_BY_PATH.get(path)!;

function sweepOf(query: string): SweepSpec {
  const r = decodeSweep(query);
  expect(r.errors).toEqual([]);
  return r.sweep!;
}

describe('value syntax', () => {
  it('reads lists, linear and log ranges', () => {
    expect(parseValues(field('model.heads'), '1,2,4,8')).toMatchObject({ ok: true, values: [1, 2, 4, 8] });
    expect(parseValues(field('task.n'), 'lin(10,100,10)')).toMatchObject({ ok: true, values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] });
    expect(parseValues(field('task.noiseVar'), 'lin(0,1,11)')).toMatchObject({ ok: true, values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] });
    const log = parseValues(field('task.covariance.kappa'), 'log(1, 1000, 4)');
    expect(log.ok && log.values).toEqual([1, 10, 100, 1000]);
    expect(parseValues(field('optimizer.kind'), 'sgd,adam')).toMatchObject({ ok: true, values: ['sgd', 'adam'] });
    expect(parseValues(field('task.covariance.rotate'), '0,1')).toMatchObject({ ok: true, values: [false, true] });
  });

  it('rounds ranges of integer fields and refuses values that coincide', () => {
    expect(parseValues(field('task.n'), 'log(5,80,5)')).toMatchObject({ ok: true, values: [5, 10, 20, 40, 80] });
    const dup = parseValues(field('model.heads'), 'lin(1,2,4)');
    expect(dup.ok).toBe(false);
    expect(!dup.ok && dup.message).toMatch(/twice once rounded/);
  });

  it('names the field, the value and the range of a bad value', () => {
    const cases: [string, string, RegExp][] = [
      ['model.heads', '1,2,99', /model\.heads = 99 is out of range: expected an integer from 1 to 16/],
      ['model.heads', '1,x', /"x" is not a number/],
      ['optimizer.kind', 'sgd,rmsprop', /"rmsprop" is not a known option: expected one of/],
      ['task.n', 'log(0,10,3)', /positive ends/],
      ['task.n', 'lin(1,10,1)', /count k from 2/],
      ['optimizer.kind', 'lin(1,2,3)', /ranges are for numeric fields/],
      ['task.n', '', /has no values/],
      ['task.n', '5,5', /gives the value 5 twice/],
    ];
    for (const [path, text, re] of cases) {
      const r = parseValues(field(path), text);
      expect(r.ok, `${path}=${text}`).toBe(false);
      expect(!r.ok && r.message).toMatch(re);
    }
  });

  it('reads an axis by link key or path, with = or :', () => {
    expect(parseAxis('H=1,2')).toEqual({ ok: true, axis: { field: 'model.heads', text: '1,2', values: [1, 2] } });
    expect(parseAxis('model.heads:1,2')).toEqual({ ok: true, axis: { field: 'model.heads', text: '1,2', values: [1, 2] } });
    const bad = parseAxis('zz=1,2');
    expect(!bad.ok && bad.message).toMatch(/"zz" is not a spec field/);
    expect(parseAxis('H').ok).toBe(false);
  });

  it('reads context lengths, sorted and bounded', () => {
    expect(parseLengths('40,10,20')).toEqual({ ok: true, lengths: [10, 20, 40] });
    expect(parseLengths('lin(10,100,10)')).toMatchObject({ ok: true, lengths: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] });
    expect(parseLengths('0,10').ok).toBe(false);
  });
});

describe('replicate seeds', () => {
  it('keep the base seed at replicate 0 and give distinct, fixed seeds after', () => {
    for (const base of [0, 1, 7, 4294967295]) {
      expect(replicateSeed(base, 0, REPLICATE_STREAM.data)).toBe(base);
      const seeds = Array.from({ length: 32 }, (_, r) => replicateSeed(base, r, REPLICATE_STREAM.data));
      expect(new Set(seeds).size).toBe(32);
      for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s <= 4294967295).toBe(true);
      // Data and init seeds of one replicate differ.
      expect(replicateSeed(base, 3, REPLICATE_STREAM.data)).not.toBe(replicateSeed(base, 3, REPLICATE_STREAM.init));
    }
    // A fixed hash: the value is part of the contract (a sweep's runs are rerun from their links).
    expect(replicateSeed(1, 1, REPLICATE_STREAM.data)).toBe(replicateSeed(1, 1, REPLICATE_STREAM.data));
    expect(replicateSeed(1, 1, REPLICATE_STREAM.data)).toBe(1580986284);
  });
});

describe('the grid', () => {
  const sweep = sweepOf('v=1&d=3&sv=1&sweep=H:1,2,4&sweep=n:10,20&seeds=3');

  it('expands axes × seeds in index order, the first axis slowest', () => {
    const runs = expandSweep(sweep);
    expect(runs.length).toBe(runCount(sweep));
    expect(runs.length).toBe(18);
    runs.forEach((r, i) => {
      expect(r.index).toBe(i);
      expect(r.point).toBe(Math.floor(i / 3));
      expect(r.replicate).toBe(i % 3);
      expect(r.spec.model.heads).toBe([1, 2, 4][Math.floor(i / 6)]);
      expect(r.spec.task.n).toBe([10, 20][Math.floor(i / 3) % 2]);
      expect(r.spec.train.dataSeed).toBe(replicateSeed(1, r.replicate, REPLICATE_STREAM.data));
    });
  });

  it('shards partition the runs, interleaved', () => {
    const runs = expandSweep(sweep);
    for (const N of [1, 2, 3, 5, 18, 25]) {
      const parts = Array.from({ length: N }, (_, i) => shardRuns(runs, { index: i + 1, count: N }).map((r) => r.index));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(runs.map((r) => r.index));
      parts.forEach((p, i) => p.forEach((idx) => expect(idx % N).toBe(i)));
    }
    expect(parseShard('2/3')).toEqual({ ok: true, shard: { index: 2, count: 3 } });
    for (const bad of ['0/3', '4/3', '1', 'a/b', '1/0']) expect(parseShard(bad).ok).toBe(false);
  });

  it('notes what a point forces on other fields, and refuses a point that loses its swept value', () => {
    const forced = sweepOf('v=1&model=softmax&init=opposite-identity&H=2&sv=1&sweep=H:2,3');
    expect(expandSweep(forced)[1].notes.join(' ')).toMatch(/needs an even number of heads/);
    const r = decodeSweep('v=1&d=6&K=2&ws=4&wst=2&sv=1&sweep=ws:4,8');
    expect(r.errors.map((e) => e.message).join(' ')).toMatch(/at ws=8: task\.windowSize = 8 exceeds the dimension d = 6/);
    // A repair of a field that is not swept is a note, not a conflict.
    const noted = decodeSweep('v=1&d=6&K=2&ws=4&wst=2&sv=1&sweep=d:2,6');
    expect(noted.errors).toEqual([]);
    expect(expandSweep(noted.sweep!)[0].notes.join(' ')).toMatch(/task\.windowSize = 4 exceeds the dimension d = 2/);
  });
});

describe('the budget', () => {
  it('refuses a sweep past it with the numbers and the largest that fits', () => {
    const s = sweepOf('v=1&T=100&B=64&sv=1&sweep=H:1,2');
    expect(sweepBudget(s)).toMatchObject({ ok: true, runs: 2, promptSteps: 2 * 100 * 64 });
    const big = decodeSweep('v=1&T=10000000&B=65536&sv=1&sweep=H:1,2,4,8&seeds=32');
    const b = sweepBudget(big.sweep!);
    expect(b.ok).toBe(false);
    expect(b.promptSteps).toBe(128 * 1e7 * 65536);
    expect(b.message).toMatch(/128 runs × 1\.00e7 steps × batch 65,536/);
    expect(b.message).toMatch(/at most 1\.72e10 fit/);
    // The largest that fits: steps per run scaled so the sweep fits.
    const steps = Number(/([\d,]+) steps per run/.exec(b.message!)![1].replace(/,/g, ''));
    expect(128 * steps * 65536).toBeLessThanOrEqual(SWEEP_BUDGET);
    expect(128 * (steps + 1) * 65536).toBeGreaterThan(SWEEP_BUDGET);
    expect(big.errors.some((e) => e.field === 'sweep' && e.message === b.message)).toBe(true);
    const tooMany = sweepBudget(decodeSweep('v=1&T=1&B=1&sv=1&sweep=n:lin(1,64,64)&sweep=d:lin(1,64,64)').sweep!);
    expect(tooMany.ok).toBe(false);
    expect(tooMany.message).toMatch(/4,096 runs .* at most 1024/);
  });
});

describe('the link', () => {
  it('round-trips and stays readable', () => {
    const s = sweepOf('v=1&model=softmax&H=2&sv=1&sweep=H:1,2,4,8&sweep=kappa:log(1,1000,4)&seeds=3&lengths=10,20,40');
    const link = encodeSweep(s);
    expect(link).toContain('&sv=1&sweep=H:1,2,4,8&sweep=kappa:log(1,1000,4)&seeds=3&lengths=10,20,40');
    expect(decodeSweep(link)).toEqual({ sweep: s, errors: [] });
    expect(hasSweep(link)).toBe(true);
    expect(hasSweep(encodeSpec(defaultSpec()))).toBe(false);
    // The base experiment reads the same with or without the sweep's parts.
    expect(decodeSpec(link)).toEqual({ spec: s.base, errors: [] });
  });

  it('names each bad part of a malformed sweep link and applies the rest', () => {
    const r = decodeSweep('v=1&d=4&sweep=H:1,x&sweep=zz:1&sweep=n:10,20&seeds=999&lengths=0,5');
    const messages = r.errors.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/sweep has no version/),
        expect.stringMatching(/sweep 1 H: model\.heads = "x" is not a number.*ignored/),
        expect.stringMatching(/sweep 2: "zz" is not a spec field.*ignored/),
        expect.stringMatching(/seeds = "999" is not an integer from 1 to 32; 1 was used/),
        expect.stringMatching(/lengths: lengths = 0 is out of range.*default lengths were used/),
      ]),
    );
    expect(r.sweep).toMatchObject({ axes: [{ field: 'task.n', values: [10, 20] }], seeds: 1, lengths: [] });
    expect(r.sweep!.base.task.d).toBe(4);
    expect(decodeSweep('v=1&sv=2&sweep=H:1,2').errors[0].message).toMatch(/newer ICL Lab \(sweep version 2/);
    expect(decodeSweep('v=1&seeds=3').errors[0].message).toMatch(/no swept field/);
    expect(decodeSweep('v=1&d=3')).toEqual({ sweep: null, errors: [] });
  });

  it('never throws, and what it returns round-trips (fuzzed)', () => {
    const keys = ['sweep', 'seeds', 'lengths', 'sv', ...FIELDS.slice(0, 8).map((f) => f.key)];
    const part = fc.tuple(
      fc.constantFrom(...keys),
      fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('H:1,2', 'n:lin(1,9,3)', 'kappa:log(1,100,3)', 'opt:sgd,adam', 'rot:0,1', 'lr:1e-3,NaN', 'n:lin(1,2,3)', '3', '1e308')),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const q = 'v=1&' + parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const r = decodeSweep(q);
        for (const e of r.errors) expect(typeof e.message).toBe('string');
        if (r.sweep && r.errors.every((e) => !/at most|fit/.test(e.message))) {
          const again = decodeSweep(encodeSweep(r.sweep));
          expect(again.sweep).toEqual(r.sweep);
        }
      }),
      { numRuns: 3000, seed: 12 },
    );
  });

  it('reads every paper-figure preset without a problem', () => {
    for (const p of SWEEP_PRESETS) {
      const r = decodeSweep(`v=1&${p.query}`);
      expect(r.errors, p.id).toEqual([]);
      expect(checkSweep(r.sweep!)).toEqual([]);
      expect(runCount(r.sweep!)).toBeGreaterThan(1);
    }
  });
});
