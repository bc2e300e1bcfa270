// The linear-attention fields of the spec: links round-trip, combinations that
// make no sense are repaired with a message naming them, and specs from before
// linear attention had heads replay as they did.
import { describe, expect, it } from 'vitest';
import { decodeSpec, defaultSpec, encodeSpec, parseSpec } from '../src/spec/index.ts';
import { modelFor } from '../src/models/index.ts';

function lsaLink(extra: string): string {
  const base = encodeSpec(defaultSpec());
  const drop = new Set(['param', 'rank', 'layers', 'tied', 'H', ...extra.split('&').map((kv) => kv.split('=')[0])]);
  return base.split('&').filter((kv) => !drop.has(kv.split('=')[0])).join('&') + '&' + extra;
}

describe('linear attention spec fields', () => {
  it('links with the new fields round-trip', () => {
    const s = defaultSpec();
    Object.assign(s.model, { heads: 5, param: 'separate', rank: 2, layers: 3, tied: true });
    const back = decodeSpec(encodeSpec(s));
    expect(back.errors).toEqual([]);
    expect(back.spec).toEqual(s);
    expect(modelFor(back.spec).matrices.map((m) => m.name).slice(0, 3)).toEqual(['W_K^1', 'W_Q^1', 'W_V^1']);
  });

  it('repairs rank > d + k, tied with one layer, and softmax with layers, naming each', () => {
    const cases: [string, (m: ReturnType<typeof defaultSpec>['model']) => unknown, RegExp][] = [
      ['param=separate&rank=9&H=1&layers=1&tied=0', (m) => m.rank, /model.rank = 9 exceeds the token size d \+ k = 6/],
      ['param=merged&rank=1&H=1&layers=1&tied=1', (m) => m.tied, /tied = true ties the weights of L ≥ 2 layers/],
    ];
    const expected = [6, false];
    cases.forEach(([extra, read, message], i) => {
      const r = decodeSpec(lsaLink(extra));
      expect(r.errors.map((e) => e.message).join('\n')).toMatch(message);
      expect(read(r.spec.model)).toBe(expected[i]);
    });
    const soft = decodeSpec(lsaLink('param=separate&rank=1&H=2&layers=3&tied=0').replace('model=lsa', 'model=softmax'));
    expect(soft.spec.model).toMatchObject({ type: 'softmax', heads: 2, param: 'merged', layers: 1 });
    expect(soft.errors.map((e) => e.message).join('\n')).toMatch(/model.layers = 3 applies to linear attention only/);
  });

  it('repairs a token too large for the kernels to one merged head and layer, saying why', () => {
    const s = defaultSpec();
    s.task.d = 20;
    Object.assign(s.model, { heads: 2, layers: 2 });
    const r = parseSpec(s);
    expect(r.spec.model).toMatchObject({ heads: 1, layers: 1, param: 'merged' });
    expect(r.errors[0].message).toMatch(/supports d \+ k ≤ 16; d \+ k = 21 here/);
  });

  it('a linear-attention spec from before heads (no param or layers) keeps one head', () => {
    const old = lsaLink('H=3');
    const r = decodeSpec(old);
    expect(r.spec.model.heads).toBe(1);
    expect(r.errors[0].message).toMatch(/from before linear attention had heads/);
    // The same in an exported JSON spec; a softmax spec keeps its heads.
    const json = JSON.parse(JSON.stringify(defaultSpec()));
    delete json.model.param;
    delete json.model.rank;
    delete json.model.layers;
    delete json.model.tied;
    json.model.heads = 4;
    expect(parseSpec(json).spec.model.heads).toBe(1);
    json.model.type = 'softmax';
    expect(parseSpec(json).spec.model.heads).toBe(4);
    // With the new keys, H is linear attention's heads.
    expect(decodeSpec(lsaLink('H=3&param=merged&rank=1&layers=1&tied=0')).spec.model.heads).toBe(3);
  });
});
