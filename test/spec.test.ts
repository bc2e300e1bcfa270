// The spec table, validation and URL codec: defaults are valid, every bad
// value is named with its field and range while the rest applies, and links
// round-trip exactly and never make the decoder throw.
import { describe, expect, it } from 'vitest';
import {
  decodeSpec,
  defaultSpec,
  encodeSpec,
  FIELDS,
  getPath,
  MAX_QUERY_LENGTH,
  parseSpec,
  queryOf,
  setPath,
  SPEC_VERSION,
  assertValidSpec,
  repairCombinations,
  PRESETS,
  presetSpec,
  type ExperimentSpec,
  type FieldDef,
  type FieldValue,
  MAX_POOL_NUMBERS,
} from '../src/spec/index.ts';
import { uniforms } from './helpers.ts';

type Rand = () => number;

function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** A random valid value of a field, biased toward the edges the codec could get wrong. */
function randomValue(f: FieldDef, r: Rand): FieldValue {
  if ((f.kind === 'int' || f.kind === 'float') && f.nullable && r() < 0.3) return null;
  switch (f.kind) {
    case 'list': {
      const len = r() < 0.3 ? 0 : 1 + Math.floor(r() * 8);
      return Array.from({ length: len }, () => (r() < 0.5 ? 1 + Math.floor(r() * 9) : Math.exp(-3 + 6 * r())));
    }
    case 'bool':
      return r() < 0.5;
    case 'enum':
      return pick(r, f.options);
    case 'int': {
      const mode = r();
      if (mode < 0.15) return f.min;
      if (mode < 0.3) return f.max;
      if (mode < 0.6 && f.max / Math.max(f.min, 1) > 100) {
        // Log-uniform over the range so large and small values both appear.
        const lo = Math.log(Math.max(f.min, 1));
        return Math.min(f.max, Math.max(f.min, Math.round(Math.exp(lo + r() * (Math.log(f.max) - lo)))));
      }
      return f.min + Math.floor(r() * (f.max - f.min + 1));
    }
    case 'float': {
      const mode = r();
      if (mode < 0.1) return f.min;
      if (mode < 0.2) return f.max;
      if (mode < 0.5 && f.min > 0) {
        const v = Math.exp(Math.log(f.min) + r() * (Math.log(f.max) - Math.log(f.min)));
        return Math.min(f.max, Math.max(f.min, v));
      }
      if (mode < 0.6) {
        // Short decimals, e.g. 0.3 or 2.25, as a person would type them.
        // (+ 0 turns the −0 that toFixed can give into 0: JSON and links both write −0 as 0.)
        const v = Number((f.min + r() * (f.max - f.min)).toFixed(Math.floor(r() * 4))) + 0;
        if (v >= f.min && v <= f.max) return v;
      }
      return f.min + r() * (f.max - f.min); // full 17-digit decimals
    }
  }
}

function randomSpec(r: Rand): ExperimentSpec {
  const spec = defaultSpec();
  for (const f of FIELDS) setPath(spec as unknown as Record<string, unknown>, f.path, randomValue(f, r));
  // Keep the combination valid: LSA takes only the Gaussian init, and
  // opposite-sign identity pairs need an even number of heads.
  if (spec.model.type === 'lsa') spec.model.init = 'gaussian';
  if (spec.model.init === 'opposite-identity' && spec.model.heads % 2) spec.model.heads = spec.model.heads === 16 ? 16 : spec.model.heads + 1;
  // Task windows must fit in x.
  const t = spec.task;
  t.windowSize = Math.min(t.windowSize, t.d);
  if (t.windowSize > 0 && t.tasks > 1) t.windowStride = Math.min(t.windowStride, Math.floor((t.d - t.windowSize) / (t.tasks - 1)));
  // A custom spectrum lists d eigenvalues or none; a pool holds at most 2^23 numbers.
  for (const cov of [t.covariance, spec.eval.test.covariance]) if (cov.eigenvalues.length !== t.d) cov.eigenvalues = cov.eigenvalues.length > 0 && t.d <= 8 ? Array.from({ length: t.d }, (_, i) => i + 1) : [];
  t.pool = Math.min(t.pool, Math.floor(MAX_POOL_NUMBERS / ((t.poolSymmetric ? 2 : 1) * t.tasks * t.d)));
  // Linear attention's fields: only for linear attention, rank ≤ d + k, tied with L ≥ 2, d + k ≤ 16 beyond one merged head and layer.
  const m = spec.model;
  const D = t.d + t.tasks;
  if (m.type === 'softmax') Object.assign(m, { param: 'merged', layers: 1, tied: false });
  m.rank = Math.min(m.rank, D);
  if (m.layers === 1) m.tied = false;
  if (m.type === 'lsa' && D > 16) Object.assign(m, { heads: 1, param: 'merged', layers: 1, tied: false });
  return spec;
}

/**
 * A random valid spec that stays a valid combination when field f falls back to
 * its default (so a single bad value yields a single message).
 */
function randomSpecCompatibleWithDefault(r: Rand, f: FieldDef): ExperimentSpec {
  for (;;) {
    const spec = randomSpec(r);
    const fallback = clone(spec);
    setPath(fallback as unknown as Record<string, unknown>, f.path, f.default);
    if (repairCombinations(fallback).length === 0) return spec;
  }
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Text a message must contain to tell the user the allowed values. */
function rangeWords(f: FieldDef): string[] {
  if (f.kind === 'int' || f.kind === 'float') return [String(f.min), String(f.max)];
  if (f.kind === 'list') return [String(f.maxLength), String(f.itemMin)];
  if (f.kind === 'enum') return [...f.options];
  return ['true', 'false'];
}

/** Bad values as JSON would carry them. */
function badJsonValues(f: FieldDef): unknown[] {
  switch (f.kind) {
    case 'int':
    case 'float': {
      const below = f.min === 0 ? -1e-9 : f.min > 0 ? f.min / 2 : f.min - 0.01;
      const out: unknown[] = [below, f.max * 1.5 + 1, NaN, Infinity, -Infinity, String(f.min), ...(f.nullable ? [] : [null]), true, [f.min], {}];
      if (f.kind === 'int') out.push(f.min + 0.5);
      return out;
    }
    case 'enum':
      return ['bogus', f.options[0].toUpperCase(), 0, null, false, ''];
    case 'bool':
      return ['true', 1, 0, null, 'yes'];
    case 'list':
      return [[1, -2], [0], [1, 'x'], [NaN], [Infinity], '1,2', 3, null, Array.from({ length: f.maxLength + 1 }, () => 1), [f.itemMax * 2]];
  }
}

/** Bad values as a link would carry them (raw, before percent-encoding). */
function badQueryValues(f: FieldDef): string[] {
  switch (f.kind) {
    case 'int':
    case 'float': {
      const below = f.min === 0 ? '-0.001' : f.min > 0 ? String(f.min / 2) : String(f.min - 0.01);
      const out = [below, String(f.max * 1.5 + 1), 'NaN', 'Infinity', '-Infinity', '1e999', '', 'abc', '0x10', '1,5', '5px'];
      if (f.kind === 'int') out.push(String(f.min + 0.5));
      return out;
    }
    case 'enum':
      return ['bogus', f.options[0].toUpperCase(), '', '0'];
    case 'bool':
      return ['yes', '2', '', 'TRUE ', 'on'];
    case 'list':
      return ['1,-2', '0', '1,x', '1,,2', 'NaN', '1,Infinity', '1e999', Array.from({ length: f.maxLength + 1 }, () => '1').join(',')];
  }
}

describe('defaults', () => {
  it('the default spec validates with no issues and carries the current version', () => {
    const spec = defaultSpec();
    expect(spec.version).toBe(SPEC_VERSION);
    expect(parseSpec(spec).errors).toEqual([]);
    expect(() => assertValidSpec(spec)).not.toThrow();
  });

  it('every field default is inside its own range, and keys and paths are unique', () => {
    for (const f of FIELDS) {
      if ((f.kind === 'int' || f.kind === 'float') && f.default === null) {
        expect(f.nullable, f.path).toBe(true);
      } else if (f.kind === 'int' || f.kind === 'float') {
        expect(f.min, f.path).toBeLessThanOrEqual(f.default!);
        expect(f.default, f.path).toBeLessThanOrEqual(f.max);
        if (f.kind === 'int') expect(Number.isInteger(f.default), f.path).toBe(true);
      } else if (f.kind === 'enum') {
        expect(f.options, f.path).toContain(f.default);
      }
      expect(getPath(defaultSpec(), f.path), f.path).toEqual(f.default);
    }
    expect(new Set(FIELDS.map((f) => f.key)).size).toBe(FIELDS.length);
    expect(new Set(FIELDS.map((f) => f.path)).size).toBe(FIELDS.length);
    expect(FIELDS.some((f) => f.key === 'v')).toBe(false);
  });

  it('defaultSpec returns a fresh object each time', () => {
    const a = defaultSpec();
    a.task.d = 9;
    expect(defaultSpec().task.d).not.toBe(9);
  });
});

describe('validation (parseSpec)', () => {
  const r = uniforms(20240601);

  for (const f of FIELDS) {
    it(`${f.path}: each bad value is named with its range and the rest is applied`, () => {
      for (const bad of badJsonValues(f)) {
        const good = randomSpecCompatibleWithDefault(r, f);
        const input = clone(good) as unknown as Record<string, unknown>;
        setPath(input, f.path, bad); // after clone: NaN/Infinity must survive as numbers
        const { spec, errors } = parseSpec(input);
        expect(errors.length, `${f.path} = ${String(bad)}: ${JSON.stringify(errors)}`).toBe(1);
        expect(errors[0].field).toBe(f.path);
        expect(errors[0].message).toContain(f.path);
        for (const w of rangeWords(f)) expect(errors[0].message, `${f.path} = ${String(bad)}`).toContain(w);
        const expected = clone(good);
        setPath(expected as unknown as Record<string, unknown>, f.path, f.default);
        expect(spec).toEqual(expected);
        expect(() => assertValidSpec(input)).toThrow(f.path);
      }
    });
  }

  it('random valid specs validate unchanged', () => {
    for (let i = 0; i < 200; i++) {
      const good = randomSpec(r);
      const { spec, errors } = parseSpec(clone(good));
      expect(errors).toEqual([]);
      expect(spec).toEqual(good);
    }
  });

  it('missing fields take defaults without complaint', () => {
    const { spec, errors } = parseSpec({ version: SPEC_VERSION, task: { d: 7 } });
    expect(errors).toEqual([]);
    const expected = defaultSpec();
    expected.task.d = 7;
    expect(spec).toEqual(expected);
  });

  it('unknown fields are reported by path and dropped; known ones still apply', () => {
    const { spec, errors } = parseSpec({ version: 1, task: { d: 3, bogus: 1, covariance: { kind: 'ar1', extra: 'x' } }, topLevel: true });
    expect(errors.map((e) => e.field).sort()).toEqual(['task.bogus', 'task.covariance.extra', 'topLevel']);
    for (const e of errors) expect(e.message).toContain(e.field);
    expect(spec.task.d).toBe(3);
    expect(spec.task.covariance.kind).toBe('ar1');
    expect(spec).not.toHaveProperty('topLevel');
    expect(spec.task).not.toHaveProperty('bogus');
  });

  it('a future version is reported and the known fields applied', () => {
    const { spec, errors } = parseSpec({ version: SPEC_VERSION + 1, task: { n: 33 } });
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('version');
    expect(errors[0].message).toContain(String(SPEC_VERSION + 1));
    expect(errors[0].message).toMatch(/newer/);
    expect(spec.task.n).toBe(33);
    expect(spec.version).toBe(SPEC_VERSION);
  });

  it('a nonsense version is reported', () => {
    for (const v of ['1', 0, -1, 1.5, null]) {
      const { errors } = parseSpec({ version: v });
      expect(errors.map((e) => e.field), String(v)).toEqual(['version']);
    }
  });

  it('non-objects are rejected with defaults, never thrown on', () => {
    for (const input of [null, undefined, 3, 'spec', [], [1, 2], true]) {
      const { spec, errors } = parseSpec(input);
      expect(errors).toHaveLength(1);
      expect(spec).toEqual(defaultSpec());
    }
  });
});

describe('URL codec', () => {
  const r = uniforms(777);

  it('the default spec encodes readably and round-trips', () => {
    const q = encodeSpec(defaultSpec());
    expect(q.startsWith(`v=${SPEC_VERSION}&`)).toBe(true);
    expect(q).toContain('d=5');
    expect(q).toContain('n=20');
    expect(decodeSpec(q)).toEqual({ spec: defaultSpec(), errors: [] });
  });

  it('random valid specs round-trip exactly (bare query, ?query, #query, full URL)', () => {
    for (let i = 0; i < 500; i++) {
      const spec = randomSpec(r);
      const q = encodeSpec(spec);
      expect(q.length).toBeLessThan(MAX_QUERY_LENGTH);
      const forms = [q, `?${q}`, `#${q}`, `https://example.org/lab/?${q}`, `https://example.org/lab/?${q}#results`, `  https://example.org/#${q}  `];
      for (const form of forms) {
        const out = decodeSpec(form);
        expect(out.errors, form).toEqual([]);
        expect(out.spec).toEqual(spec);
      }
    }
  });

  it('extreme numbers round-trip: smallest and largest floats, long decimals, u32 seeds', () => {
    const cases: [string, number][] = [
      ['optimizer.lr', 1e-7],
      ['optimizer.lr', 1.0000000000000002e-7],
      ['optimizer.eps', 1e-12],
      ['optimizer.beta2', 0.999999],
      ['optimizer.beta1', 0.30000000000000004],
      ['task.covariance.rho', -0.99],
      ['task.covariance.kappa', 9999.999999999998],
      ['task.prior.tau2', 1e-4],
      ['train.dataSeed', 4294967295],
      ['train.initSeed', 2147483648],
      ['task.covariance.rotationSeed', 4294967294],
      ['train.steps', 10_000_000],
    ];
    for (const [path, value] of cases) {
      const spec = defaultSpec();
      setPath(spec as unknown as Record<string, unknown>, path, value);
      const out = decodeSpec(encodeSpec(spec));
      expect(out.errors, path).toEqual([]);
      expect(getPath(out.spec, path), path).toBe(value);
    }
  });

  for (const f of FIELDS) {
    it(`${f.key} (${f.path}): bad link values are named with the range and the rest applied`, () => {
      for (const bad of badQueryValues(f)) {
        const good = randomSpecCompatibleWithDefault(r, f);
        const q = encodeSpec(good).replace(new RegExp(`(^|&)${f.key}=[^&]*`), `$1${f.key}=${encodeURIComponent(bad)}`);
        expect(q).toContain(`${f.key}=${encodeURIComponent(bad)}`);
        const { spec, errors } = decodeSpec(q);
        expect(errors.length, `${f.key}=${bad}: ${JSON.stringify(errors)}`).toBe(1);
        expect(errors[0].field).toBe(f.path);
        expect(errors[0].message).toContain(f.path);
        for (const w of rangeWords(f)) expect(errors[0].message, `${f.key}=${bad}`).toContain(w);
        const expected = clone(good);
        setPath(expected as unknown as Record<string, unknown>, f.path, f.default);
        expect(spec).toEqual(expected);
      }
    });
  }

  it('a missing version is reported and the link still read', () => {
    const { spec, errors } = decodeSpec('d=7&n=3');
    expect(errors.map((e) => e.field)).toEqual(['version']);
    expect(errors[0].message).toMatch(/no version/);
    expect(spec.task.d).toBe(7);
    expect(spec.task.n).toBe(3);
  });

  it('v=99 is reported as a newer version and the known fields applied', () => {
    const { spec, errors } = decodeSpec('v=99&d=7&newthing=1');
    expect(errors.map((e) => e.field)).toEqual(['version', '']);
    expect(errors[0].message).toContain('99');
    expect(errors[0].message).toMatch(/newer/);
    expect(errors[1].message).toContain('newthing');
    expect(spec.task.d).toBe(7);
  });

  it('duplicates keep the first value and name the field', () => {
    const { spec, errors } = decodeSpec('v=1&d=3&n=4&d=9');
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('task.d');
    expect(errors[0].message).toMatch(/more than once/);
    expect(spec.task.d).toBe(3);
    expect(spec.task.n).toBe(4);
  });

  it('a link longer than MAX_QUERY_LENGTH is refused with its length, defaults kept', () => {
    const q = `v=1&d=7&junk=${'x'.repeat(MAX_QUERY_LENGTH)}`;
    const { spec, errors } = decodeSpec(q);
    expect(spec).toEqual(defaultSpec());
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(String(q.length));
    expect(errors[0].message).toContain(String(MAX_QUERY_LENGTH));
    expect(() => decodeSpec('a'.repeat(5_000_000))).not.toThrow();
  });

  it('bad percent-escapes never throw and are named', () => {
    for (const q of ['%E0%A4%A', 'v=1&d=%E0%A4%A', 'v=%E0%A4%A', 'v=1&%E0%A4%A=3', 'v=1&d=%', 'v=1&d=%ZZ', 'v=1&%=%%']) {
      const out = decodeSpec(q);
      expect(out.errors.length, q).toBeGreaterThan(0);
      for (const e of out.errors) expect(e.message.length).toBeGreaterThan(0);
    }
    const d = decodeSpec('v=1&d=%E0%A4%A&n=8');
    expect(d.errors.map((e) => e.field)).toEqual(['task.d']);
    expect(d.spec.task.d).toBe(5);
    expect(d.spec.task.n).toBe(8);
  });

  it('garbage never throws, always yields a valid spec, and every issue has a message', () => {
    const alphabet = ['&', '=', '%', '#', '?', '+', ' ', 'v', '1', '9', 'd', 'n', 'lr', 'e', '-', '.', '%E0', '%A4', '%00', '\u0000', '\uD800', 'é', '日', ';'];
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(r() * 60);
      let s = '';
      for (let k = 0; k < len; k++) s += pick(r, alphabet);
      const out = decodeSpec(s);
      expect(parseSpec(out.spec).errors, s).toEqual([]);
      for (const e of out.errors) expect(e.message.length).toBeGreaterThan(0);
    }
    for (const s of ['', '&&&', '=', '==', 'v', 'v=', '?', '#', '?#', 'https://example.org/?', 'v=1&=5', 'v=1&d']) {
      expect(() => decodeSpec(s), JSON.stringify(s)).not.toThrow();
    }
    expect(decodeSpec('').errors.map((e) => e.field)).toEqual(['version']);
  });

  it('queryOf takes the query of a URL, the part after #, or the text itself', () => {
    expect(queryOf('https://a.b/c?v=1&d=2#x')).toBe('v=1&d=2');
    expect(queryOf('https://a.b/c#v=1&d=2')).toBe('v=1&d=2');
    expect(queryOf('?v=1')).toBe('v=1');
    expect(queryOf(' v=1&d=2 ')).toBe('v=1&d=2');
  });
});

describe('combinations of fields', () => {
  it('an init that LSA does not take is named and replaced, in JSON and in links', () => {
    const spec = defaultSpec();
    spec.model.init = 'small-identity';
    const fromJson = parseSpec(spec);
    expect(fromJson.spec.model.init).toBe('gaussian');
    expect(fromJson.errors.map((e) => e.field)).toEqual(['model.init']);
    const fromLink = decodeSpec(encodeSpec(defaultSpec()).replace('init=gaussian', 'init=small-identity'));
    expect(fromLink.spec.model.init).toBe('gaussian');
    expect(fromLink.errors[0].message).toMatch(/softmax attention only/);
  });

  it('opposite-sign identity pairs with an odd number of heads are named and replaced', () => {
    const spec = defaultSpec();
    Object.assign(spec.model, { type: 'softmax', heads: 3, init: 'opposite-identity' });
    const r = parseSpec(spec);
    expect(r.spec.model.init).toBe('default');
    expect(r.errors[0].message).toMatch(/even number of heads/);
    spec.model.heads = 4;
    expect(parseSpec(spec).errors).toEqual([]);
  });

  it('task windows past the end of x are named and pulled back', () => {
    const spec = defaultSpec();
    Object.assign(spec.task, { d: 6, tasks: 2, windowSize: 4, windowStride: 2 });
    expect(parseSpec(spec).errors).toEqual([]);
    spec.task.windowStride = 3;
    let r = parseSpec(spec);
    expect(r.spec.task.windowStride).toBe(2);
    expect(r.errors[0].field).toBe('task.windowStride');
    expect(r.errors[0].message).toMatch(/past d = 6/);
    spec.task.windowSize = 9;
    r = parseSpec(spec);
    expect(r.spec.task.windowSize).toBe(6);
    expect(r.spec.task.windowStride).toBe(0);
    expect(r.errors.map((e) => e.field)).toEqual(['task.windowSize', 'task.windowStride']);
  });
});

describe('presets', () => {
  it('every preset is a valid spec whose link reproduces it', () => {
    for (const p of PRESETS) {
      const spec = presetSpec(p);
      expect(parseSpec(spec).errors).toEqual([]);
      expect(decodeSpec(encodeSpec(spec)).spec).toEqual(spec);
    }
    expect(PRESETS.filter((p) => p.id.startsWith('he-')).map((p) => presetSpec(p).model.heads)).toEqual([1, 2, 4, 8]);
  });
});

describe('the literature\'s data fields in links', () => {
  const base = 'v=1&d=4&cov=custom&rot=1&tset=100&B=100';
  it('round-trip: lists, nullable overrides written as same, pools and training sets', () => {
    const { spec, errors } = decodeSpec(`${base}&pool=3&eig=1,2,3,4&ts2=0.5&ttau2=same&tcov=geometric&tkappa=20&tn=40`);
    expect(errors).toEqual([]);
    expect(spec.task.covariance.eigenvalues).toEqual([1, 2, 3, 4]);
    expect(spec.eval.test.noiseVar).toBe(0.5);
    expect(spec.eval.test.prior.tau2).toBeNull();
    const link = encodeSpec(spec);
    expect(link).toContain('eig=1,2,3,4');
    expect(link).toContain('ttau2=same');
    expect(decodeSpec(link).spec).toEqual(spec);
  });

  for (const [bad, field, words] of [
    ['eig=1,-2,3,4', 'task.covariance.eigenvalues', ['entry 2', 'negative']],
    ['eig=1,0,2,3', 'task.covariance.eigenvalues', ['entry 2', 'zero']],
    ['eig=1,x,3,4', 'task.covariance.eigenvalues', ['entry 2', 'not a number']],
    ['eig=1,2,3', 'task.covariance.eigenvalues', ['3 eigenvalues', 'd = 4 needs 4']],
    ['pool=99999999', 'task.pool', ['task.pool', '1048576']],
    ['tscale=0', 'eval.test.scale', ['eval.test.scale', '0.01']],
    ['ts2=-1', 'eval.test.noiseVar', ['eval.test.noiseVar', 'or same']],
    ['tcov=wobbly', 'eval.test.covariance.kind', ['same', 'custom']],
  ] as const)
    it(`${bad} is named, and the rest of the link applies`, () => {
      const { spec, errors } = decodeSpec(`${base}&${bad}`);
      const mine = errors.filter((e) => e.field === field);
      expect(mine.length, JSON.stringify(errors)).toBe(1);
      for (const w of words) expect(mine[0].message).toContain(w);
      expect(spec.task.d).toBe(4);
      expect(spec.train.set).toBe(100);
    });

  it('a pool too large for its numbers is cut to the most that fit, with the numbers named', () => {
    const { spec, errors } = decodeSpec('v=1&d=64&K=4&pool=1000000&psym=1');
    expect(spec.task.pool).toBe(Math.floor(MAX_POOL_NUMBERS / (2 * 4 * 64)));
    expect(errors.find((e) => e.field === 'task.pool')?.message).toMatch(/at most 8,388,608 fit/);
  });
});
