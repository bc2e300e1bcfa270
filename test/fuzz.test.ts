// Property-based fuzzing of the two untrusted inputs: share links (decodeSpec)
// and imported experiment files (parseExperimentImport, checkImportSize).
// Each property runs on generated inputs with a fixed seed, so a failure
// reproduces; fast-check shrinks it to a small counterexample. The properties:
// nothing throws; the result is a valid spec (or a valid experiment) or named
// errors; Object.prototype is never polluted; and in a mangled link the valid
// fields still apply.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildExperimentExport, experimentJson } from '../src/export/experiment.ts';
import { checkImportSize, MAX_IMPORT_BYTES, parseExperimentImport, type ImportResult } from '../src/export/importExperiment.ts';
import {
  assertValidSpec,
  decodeSpec,
  defaultSpec,
  encodeSpec,
  FIELDS,
  FIELD_BY_KEY,
  getPath,
  MAX_QUERY_LENGTH,
  parseSpec,
  queryOf,
  setPath,
  type ExperimentSpec,
  type FieldDef,
  type ParsedSpec,
  type BoolField,
  type EnumField,
  type FieldValue,
  type ListField,
  type NumberField,
} from '../src/spec/index.ts';

const SEED = 20_251_128;
const runs = { link: 0, file: 0, imported: 0, refused: 0 };

// ---- invariants ---------------------------------------------------------------

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const ARRAY_PROTO_NAMES = Object.getOwnPropertyNames(Array.prototype).sort().join(',');
const POLLUTION_MARKS = ['polluted', 'isAdmin', '__pwned', 'x'];

/** A failed check (plain, not expect(): the hot path runs tens of thousands of times). */
function ensure(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** Object.prototype and Array.prototype hold exactly what they held before the run. */
function assertNotPolluted(): void {
  ensure(Object.getOwnPropertyNames(Object.prototype).sort().join(',') === PROTO_NAMES, 'Object.prototype was changed');
  ensure(Object.getOwnPropertyNames(Array.prototype).sort().join(',') === ARRAY_PROTO_NAMES, 'Array.prototype was changed');
  const probe: Record<string, unknown> = {};
  for (const k of POLLUTION_MARKS) ensure(probe[k] === undefined, `Object.prototype.${k} is set`);
}

const FIELD_PATHS = new Set(FIELDS.map((f) => f.path));
const DEFAULT_LEAVES = leafKeys(defaultSpec()).join(',');

/** Two specs hold the same value in every field (Object.is: -0 and 0 differ). */
function sameSpec(a: ExperimentSpec, b: ExperimentSpec): boolean {
  const same = (x: unknown, y: unknown) =>
    Array.isArray(x) && Array.isArray(y) ? x.length === y.length && x.every((v, i) => Object.is(v, y[i])) : Object.is(x, y);
  return a.version === b.version && FIELDS.every((f) => same(getPath(a, f.path), getPath(b, f.path)));
}

/**
 * A decoded spec is valid (assertValidSpec), plain data of the default's shape,
 * with finite numbers (no -0), and its own link decodes back to it exactly.
 */
function assertGoodSpec(spec: ExperimentSpec): void {
  assertValidSpec(spec);
  ensure(Object.getPrototypeOf(spec) === Object.prototype, 'the spec is not a plain object');
  ensure(leafKeys(spec).join(',') === DEFAULT_LEAVES, `the spec has other leaves: ${leafKeys(spec).join(',')}`);
  for (const f of FIELDS) {
    const v = getPath(spec, f.path);
    if (f.kind === 'int' || f.kind === 'float') ensure((v === null && f.nullable === true) || (Number.isFinite(v) && !Object.is(v, -0)), `${f.path} = ${String(v)}`);
    if (f.kind === 'list') ensure(Array.isArray(v) && (v as unknown[]).every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0), `${f.path} = ${String(v)}`);
  }
  const again = decodeSpec(encodeSpec(spec));
  ensure(again.errors.length === 0, `its own link has issues: ${JSON.stringify(again.errors)}`);
  ensure(sameSpec(again.spec, spec), `its own link decodes to another spec: ${encodeSpec(again.spec)}`);
}

function leafKeys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [prefix];
  return Object.keys(obj)
    .sort()
    .flatMap((k) => leafKeys((obj as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}

/** Every issue of a decoded link names its field (or, for the link as a whole, what was wrong). */
function assertNamedIssues(out: ParsedSpec, fromLink = true): void {
  ensure(Array.isArray(out.errors), 'errors is not an array');
  for (const e of out.errors) {
    const what = JSON.stringify(e);
    ensure(typeof e.message === 'string' && e.message.trim().length > 0, `an empty message: ${what}`);
    ensure(typeof e.field === 'string', `no field: ${what}`);
    if (e.field === '') ensure((fromLink ? /link|parameter/ : /spec/).test(e.message), `names nothing: ${what}`);
    else if (e.field === 'version') ensure(/version|v=/.test(e.message), `does not name the version: ${what}`);
    else {
      // A link names only the table's fields; a file's spec may also name a key it does not know.
      if (fromLink) ensure(FIELD_PATHS.has(e.field), `not a field: ${what}`);
      ensure(e.message.includes(e.field), `does not name its field: ${what}`);
    }
  }
}

/** decodeSpec(text), checked: it returned (a throw fails the property), a good spec, named issues, no pollution. */
function checkDecoded(text: string): ParsedSpec {
  runs.link++;
  const out = decodeSpec(text);
  assertGoodSpec(out.spec);
  assertNamedIssues(out);
  assertNotPolluted();
  return out;
}

// ---- link generators ------------------------------------------------------------

const FIELD_KEYS = FIELDS.map((f) => f.key);
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '__proto__[polluted]', 'constructor[prototype][polluted]', '__proto__.polluted'];
const HTML = [
  '<script>window.__pwned=1</script>',
  '"><script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  "'><svg onload=alert(1)>",
  'javascript:window.__pwned=1',
  '{{constructor.constructor("alert(1)")()}}',
];
const BAD_NUMBERS = [
  'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-0', '+0', '0', '-0.0', '1e308', '-1e308', '1e309', '1e-400', '5e-324',
  '9007199254740993', '99999999999999999999999999', '4294967296', '-1', '0x10', '0X1F', '0b101', '0o17', '1_000', '1,5',
  '1.', '.5', '5.', '1e', 'e5', '--1', '+-1', ' 7 ', '\t3\n', '３', '٣', '1/2', '2**3', 'true', 'false', 'TRUE', 'null',
  'undefined', '', ' ', '[]', '{}', '[1]', '{"a":1}',
];
const PERCENT_JUNK = ['%', '%%', '%E0%A4%A', '%ZZ', '%00', '%C0%AF', '%ED%A0%80', '%FF%FE', '%2', '%u0041', '%25', '%26', '%3D', '%23', '%3F', '+', '%2B'];
const VERSIONS = ['1', '999', '99', '2', '0', '-1', '1.0', '01', '1e0', 'abc', '', 'NaN', 'Infinity', '1e400', '9'.repeat(30)];

/** A valid value of a field (as the spec holds it). */
function validValue(f: FieldDef): fc.Arbitrary<FieldValue> {
  if ((f.kind === 'int' || f.kind === 'float') && f.nullable) return fc.oneof(fc.constant(null), validNumber(f));
  return f.kind === 'int' || f.kind === 'float' ? validNumber(f) : validOther(f as EnumField | BoolField | ListField);
}

function validNumber(f: NumberField): fc.Arbitrary<number> {
  const def = f.default ?? f.min;
  return f.kind === 'int'
    ? fc.oneof(fc.constantFrom(f.min, f.max, def), fc.integer({ min: f.min, max: f.max }))
    : fc.oneof(
        fc.constantFrom(f.min, f.max, def),
        fc.double({ min: f.min, max: f.max, noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v)),
      );
}

function validOther(f: EnumField | BoolField | ListField): fc.Arbitrary<FieldValue> {
  switch (f.kind) {
    default:
      throw new Error('unreachable');
    case 'list':
      return fc.oneof(fc.constant([] as number[]), fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }));
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...f.options);
  }
}

/** A valid value written as a link writes it. */
const linkText = (f: FieldDef, v: FieldValue) => (f.kind === 'bool' ? (v ? '1' : '0') : f.kind === 'list' ? (v as number[]).join(',') : v === null ? 'same' : String(v));

/** A random valid spec (every field drawn, then combinations repaired as the decoder would). */
const validSpec: fc.Arbitrary<ExperimentSpec> = fc.tuple(...FIELDS.map(validValue)).map((values) => {
  const raw: Record<string, unknown> = { version: 1 };
  FIELDS.forEach((f, i) => setPath(raw, f.path, values[i]));
  return parseSpec(raw).spec;
});

/** Junk a link's value may hold. */
const junkValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BAD_NUMBERS, ...HTML, ...PERCENT_JUNK, ...PROTO_KEYS),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.integer().map((n) => '0x' + (n >>> 0).toString(16)),
);

/** A value for a field's key: valid (and remembered as such) or junk. */
function valueFor(key: string): fc.Arbitrary<{ text: string; valid?: FieldValue }> {
  const f = FIELD_BY_KEY.get(key);
  const junk = junkValue.map((text) => ({ text }));
  if (!f) return junk;
  return fc.oneof(validValue(f).map((v) => ({ text: linkText(f, v), valid: v })), junk);
}

const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_KEYS) },
  { weight: 1, arbitrary: fc.constant('v') },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...FIELD_KEYS).map((k) => k.toUpperCase() + ' ') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HTML, ...PERCENT_JUNK) },
);

type Pair = { key: string; text: string; valid?: number | string | boolean; mode: 'enc' | 'raw' | 'double' | 'bare' };

const pairArb: fc.Arbitrary<Pair> = keyArb.chain((key) =>
  fc.record({
    key: fc.constant(key),
    v: key === 'v' ? fc.constantFrom(...VERSIONS).map((text) => ({ text }) as { text: string; valid?: number | string | boolean }) : valueFor(key),
    mode: fc.constantFrom('enc', 'enc', 'raw', 'double', 'bare'),
  }).map(({ key, v, mode }) => ({ key, text: v.text, valid: v.valid, mode }) as Pair),
);

function writePair(p: Pair): string {
  switch (p.mode) {
    case 'enc':
      return `${encodeURIComponent(p.key)}=${encodeURIComponent(p.text)}`;
    case 'double':
      return `${encodeURIComponent(encodeURIComponent(p.key))}=${encodeURIComponent(encodeURIComponent(p.text))}`;
    case 'raw':
      return `${p.key}=${p.text}`;
    case 'bare':
      return p.key;
  }
}

/** A structured query: pairs of real (and hostile) keys with adversarial values, junk separators, repeats. */
const structuredQuery = fc
  .tuple(fc.array(pairArb, { maxLength: 40 }), fc.array(fc.constantFrom('&', '&', '&', '&&', '&=&', ';', '&%&'), { minLength: 40, maxLength: 40 }))
  .map(([pairs, seps]) => ({ pairs, query: pairs.map((p, i) => (i > 0 ? seps[i] : '') + writePair(p)).join('') }));

/** How a link may arrive: a bare query, ?query, #query, or inside a full URL. */
const urlForm = fc.constantFrom(
  (q: string) => q,
  (q: string) => `?${q}`,
  (q: string) => `#${q}`,
  (q: string) => `https://example.org/lab/?${q}`,
  (q: string) => `https://example.org/lab/?${q}#results`,
  (q: string) => `  http://127.0.0.1:5173/#${q}\n`,
);

// ---- share links ----------------------------------------------------------------

describe('decodeSpec under fuzzing', () => {
  it('random unicode and binary strings: no throw, a valid spec, named issues', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 300 })), (s) => {
        checkDecoded(s);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('strings over the URL alphabet (separators, escapes, keys): no throw, a valid spec, named issues', () => {
    const atoms = ['&', '=', '%', '#', '?', '+', ' ', '.', '-', 'e', '0', '1', '9', 'v', '%E0', '%A4', '%00', '%2', '\u0000', '\uD800', '日', ...FIELD_KEYS, ...PROTO_KEYS];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 80 }), (parts) => {
        checkDecoded(parts.join(''));
      }),
      { seed: SEED + 1, numRuns: 2000 },
    );
  });

  it('structured queries with adversarial values: valid first values apply, bad ones are named', () => {
    fc.assert(
      fc.property(structuredQuery, urlForm, ({ pairs, query }, form) => {
        const text = form(query);
        const out = checkDecoded(text);
        if (queryOf(text).length > MAX_QUERY_LENGTH) return;
        const params = new URLSearchParams(queryOf(text));
        // The version: named whenever it is not exactly 1.
        const v = params.get('v');
        expect(out.errors.some((e) => e.field === 'version')).toBe(v !== '1' || params.getAll('v').length > 1);
        if (v !== null && /^\d+$/.test(v) && Number(v) > 1 && Number.isSafeInteger(Number(v))) {
          expect(out.errors.find((e) => e.field === 'version')!.message).toMatch(/newer/);
        }
        for (const p of pairs) {
          const f = FIELD_BY_KEY.get(p.key);
          // A value generated as valid applies when it is the key's first value in the link
          // (fields the combination rules may change are checked by assertGoodSpec alone).
          if (!f || p.valid === undefined || ['ws', 'wst', 'init', 'pool', 'eig', 'teig', 'H', 'param', 'rank', 'layers', 'tied'].includes(f.key)) continue;
          if (params.get(f.key) !== linkText(f, p.valid)) continue;
          expect(getPath(out.spec, f.path), `${f.key} in ${text}`).toStrictEqual(p.valid);
        }
        // Every key given but not a field is named; every field given a bad first value is named.
        for (const key of new Set(params.keys())) {
          if (key === 'v') continue;
          const f = FIELD_BY_KEY.get(key);
          if (!f) expect(out.errors.some((e) => e.field === '' && e.message.includes(JSON.stringify(key.slice(0, 20)))), key).toBe(true);
          else if (params.getAll(key).length > 1) expect(out.errors.some((e) => e.field === f.path && /more than once/.test(e.message))).toBe(true);
        }
      }),
      { seed: SEED + 2, numRuns: 3000 },
    );
  });

  it('a valid link with junk appended: every valid field survives', () => {
    const junkSegment = fc.oneof(
      pairArb.map(writePair),
      fc.constantFrom(...PERCENT_JUNK, ...HTML.map(encodeURIComponent), '&&', '=', '==x', '__proto__=1', 'constructor=x', 'v=999', 'd=NaN', 'd=1e308', 'n=-0', '?x=1'),
      fc.string({ maxLength: 30 }).map((s) => s.replaceAll('#', '%23')),
    );
    fc.assert(
      fc.property(validSpec, fc.array(junkSegment, { minLength: 1, maxLength: 12 }), urlForm, (spec, junk, form) => {
        const query = `${encodeSpec(spec)}&${junk.map((j) => j.replaceAll('#', '%23')).join('&')}`;
        fc.pre(query.length <= MAX_QUERY_LENGTH);
        const out = checkDecoded(form(query));
        expect(out.spec).toEqual(spec);
      }),
      { seed: SEED + 3, numRuns: 2000 },
    );
  });

  it('links over the length cap are refused with their length, before they are parsed', () => {
    fc.assert(
      fc.property(validSpec, fc.integer({ min: MAX_QUERY_LENGTH + 1, max: 4 * MAX_QUERY_LENGTH }), fc.constantFrom('x', '%', '&d=3', '<script>', '日'), (spec, length, unit) => {
        let query = encodeSpec(spec) + '&pad=';
        query += unit.repeat(Math.ceil((length - query.length) / unit.length));
        const out = checkDecoded(`https://example.org/?${query}`);
        expect(out.spec).toEqual(defaultSpec());
        expect(out.errors).toHaveLength(1);
        expect(out.errors[0].message).toContain(String(query.length));
        expect(out.errors[0].message).toContain(String(MAX_QUERY_LENGTH));
      }),
      { seed: SEED + 4, numRuns: 1000 },
    );
    // Far over the cap: refused quickly.
    const t0 = performance.now();
    checkDecoded('v=1&d=3&' + 'a'.repeat(8_000_000));
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('what the fuzzing found (kept as plain cases)', () => {
  it('-0 in a link is read as 0, so the spec round-trips', () => {
    const out = checkDecoded('v=1&wst=-0.0&rho=-0&s2=-0');
    expect(out.errors).toEqual([]);
    for (const path of ['task.windowStride', 'task.covariance.rho', 'task.noiseVar']) expect(Object.is(getPath(out.spec, path), 0), path).toBe(true);
  });

  it("a '?' inside a bare query's value does not drop the fields before it", () => {
    const out = checkDecoded('v=1&d=7&n=9&note=why?&T=30');
    expect([out.spec.task.d, out.spec.task.n, out.spec.train.steps]).toEqual([7, 9, 30]);
    expect(out.errors.map((e) => e.message)).toEqual(['unknown link parameter "note" was ignored']);
    expect(queryOf('https://a.b/c?d=2&x=?#y')).toBe('d=2&x=?');
    expect(queryOf('d=2&n=3#frag')).toBe('d=2&n=3');
  });

  it('a repeated version is named', () => {
    expect(checkDecoded('v=1&d=3&v=2').errors.map((e) => e.field)).toEqual(['version']);
  });

  it('spec keys that are empty or dotted ("task.d" at the top level) are named, not silently dropped', () => {
    const { spec, errors } = parseSpec({ version: 1, 'task.d': 7, '': 1, task: { '': 2 } });
    expect(spec.task.d).toBe(5);
    expect(errors.map((e) => e.message)).toEqual([
      '["task.d"] is not a spec field; it was ignored',
      '[""] is not a spec field; it was ignored',
      '["task",""] is not a spec field; it was ignored',
    ]);
  });
});

// ---- imported experiment files --------------------------------------------------

function lsaSpec(): ExperimentSpec {
  const spec = defaultSpec();
  spec.task.d = 3;
  spec.train.steps = 300;
  return spec;
}

const NP = 2 * 4 * 4;

/** A valid exported experiment (an LSA model, d = 3, paused at step 150), as a JSON object. */
function validDoc(): Record<string, any> {
  const spec = lsaSpec();
  const f32 = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * k + 1) * 10 ** ((i % 7) - 3)));
  const doc = buildExperimentExport({
    spec,
    share: encodeSpec(spec),
    shareUrl: 'http://localhost/?' + encodeSpec(spec),
    adapter: 'test',
    status: 'paused',
    steps: 150,
    params: f32(NP, 1),
    optimizerState: f32(2 * NP, 2),
    layout: [
      { name: 'W_KQ', offset: 0, rows: 4, cols: 4 },
      { name: 'W_PV', offset: 16, rows: 4, cols: 4 },
    ],
    matrices: [],
    lossHistory: { step: Array.from({ length: 15 }, (_, i) => 10 * (i + 1)), loss: Array.from({ length: 15 }, (_, i) => (i === 3 ? NaN : 1 / (i + 1))) },
    theory: null,
    theoryByOutput: null,
    lsa: null,
    test: null,
    identification: null,
    outputs: null,
    lengthCurves: null,
    softmax: null,
  });
  return JSON.parse(experimentJson(doc));
}

const VALID_TEXT = JSON.stringify(validDoc());
const VALID = (() => {
  const r = parseExperimentImport(VALID_TEXT);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.experiment;
})();

/** Fields parseExperimentImport reads; the rest of the file is informative only. */
const READ_FIELDS = ['format', 'formatVersion', 'spec', 'steps', 'params', 'optimizerState', 'lossHistory'];
const NAMES = /\b(format|formatVersion|spec|steps|params|optimizerState|lossHistory)\b|the file/;

/** parseExperimentImport(text), checked: a valid experiment, or errors that each name what was wrong. */
function checkImported(text: string): ImportResult {
  runs.file++;
  const r = parseExperimentImport(text);
  assertNotPolluted();
  if (r.ok) {
    runs.imported++;
    const e = r.experiment;
    assertGoodSpec(e.spec);
    assertNamedIssues({ spec: e.spec, errors: e.specIssues }, false);
    ensure(Number.isInteger(e.step) && e.step >= 0 && e.step <= e.spec.train.steps, `step ${e.step}`);
    ensure(e.params instanceof Float32Array && e.optState instanceof Float32Array, 'not float32 arrays');
    ensure(e.optState.length === 2 * e.params.length, 'optimizer state of the wrong length');
    ensure(e.params.every(Number.isFinite) && e.optState.every(Number.isFinite), 'a non-finite parameter');
    const { step, loss } = e.lossHistory;
    ensure(step.length === loss.length, 'loss history lengths differ');
    for (let i = 0; i < step.length; i++) ensure(Number.isInteger(step[i]) && step[i] > (i ? step[i - 1] : 0), `lossHistory.step[${i}] = ${step[i]}`);
    if (step.length > 0) ensure(step.at(-1) === e.step, 'the loss history ends elsewhere');
    ensure(loss.every((y) => typeof y === 'number'), 'a loss is not a number');
  } else {
    runs.refused++;
    ensure(r.errors.length > 0, 'refused without an error');
    for (const m of r.errors) ensure(typeof m === 'string' && m.trim().length > 0 && NAMES.test(m), `an error names nothing: ${JSON.stringify(m)}`);
  }
  return r;
}

/** Values of every wrong kind a JSON field may hold. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 5e-324, '', 'NaN', 'Infinity', '-Infinity', '-0', '0', '1', '1e999', ...HTML, ...PROTO_KEYS, [], {}, [null], { data: [] }, { data: 'NaN' }, { count: 32 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 20 }),
  fc.double().map((v) => (Number.isFinite(v) ? v : String(v))),
  fc.array(fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity', '-0', null)), { maxLength: 200 }).map((a) => a.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))),
);

/** A prototype-pollution payload: a JSON object whose own keys are "__proto__", "constructor", "prototype". */
const pollution: fc.Arbitrary<string> = fc.constantFrom(
  '{"__proto__": {"polluted": 1, "isAdmin": true}}',
  '{"constructor": {"prototype": {"polluted": 1}}}',
  '{"__proto__": {"task": {"d": 64}}, "prototype": {"x": 1}}',
  '{"task": {"__proto__": {"d": 7, "polluted": 1}}, "model": {"constructor": {"prototype": {"isAdmin": true}}}}',
  '{"__proto__": [1, 2, 3], "x": {"__proto__": null}}',
);

/** Every path (as keys) into a JSON value, up to a depth. */
function paths(v: unknown, depth = 4, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (depth === 0 || v === null || typeof v !== 'object') return out;
  const entries = Array.isArray(v) ? v.slice(0, 8).map((x, i) => [i, x] as const) : Object.entries(v);
  for (const [k, x] of entries) out.push(...paths(x, depth - 1, [...prefix, k]));
  return out;
}

const DOC_PATHS = paths(validDoc()).filter((p) => p.length > 0);

type Mutation = { path: (string | number)[]; op: 'set' | 'delete' | 'wrap' | 'pollute' | 'grow'; value: unknown; pollute: string };

function applyMutation(doc: Record<string, any>, m: Mutation): string {
  const parent = m.path.slice(0, -1).reduce<any>((o, k) => o?.[k], doc);
  const key = m.path[m.path.length - 1];
  if (parent === null || typeof parent !== 'object') return JSON.stringify(doc);
  switch (m.op) {
    case 'set':
      parent[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'wrap':
      parent[key] = [parent[key]];
      break;
    case 'grow':
      parent[key] = Array.isArray(parent[key]) ? [...parent[key], ...parent[key], 0] : { ...parent[key], extra: m.value };
      break;
    case 'pollute': {
      // Spliced into the text, where JSON.parse makes "__proto__" an own key.
      const marker = '"__MUTATION__"';
      parent[key] = '__MUTATION__';
      return JSON.stringify(doc).replace(marker, m.pollute);
    }
  }
  return JSON.stringify(doc);
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...DOC_PATHS),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'wrap', 'pollute', 'grow'),
  value: hostile,
  pollute: pollution,
});

describe('parseExperimentImport under fuzzing', () => {
  afterAll(() => {
    // At least 10,000 generated inputs reach each decoder.
    expect(runs.link).toBeGreaterThanOrEqual(10_000);
    expect(runs.file).toBeGreaterThanOrEqual(10_000);
    // Both outcomes are well represented: the mutations are neither all fatal nor all harmless.
    expect(Math.min(runs.imported, runs.refused)).toBeGreaterThan(1000);
  });

  it('random text and random JSON values: no throw, named errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.json({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ format: 'icl-lab-experiment', formatVersion: 1, spec: v, steps: v, params: v, optimizerState: v, lossHistory: v }))), (text) => {
        expect(checkImported(text).ok).toBe(false);
      }),
      { seed: SEED + 10, numRuns: 2500 },
    );
  });

  it('one or more mutations of a valid export: a valid experiment or named errors', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (ms) => {
        let text = VALID_TEXT;
        for (const m of ms) {
          // A pollution splice leaves text; keep mutating what it parses back to.
          text = applyMutation(JSON.parse(text), m);
        }
        checkImported(text);
        const touched = new Set(ms.map((m) => String(m.path[0])));
        // Mutations only outside the fields the import reads change nothing.
        if (![...touched].some((k) => READ_FIELDS.includes(k))) {
          const r = checkImported(text);
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.experiment.spec).toEqual(VALID.spec);
            expect(r.experiment.params).toEqual(VALID.params);
            expect(r.experiment.step).toBe(VALID.step);
          }
        }
      }),
      { seed: SEED + 11, numRuns: 4000 },
    );
  });

  it('wrong types in each read field and in each spec field are named', () => {
    const specPaths = FIELDS.map((f) => ['spec', ...f.path.split('.')]);
    const fieldPaths: (string | number)[][] = [...READ_FIELDS.map((k) => [k]), ['params', 'data'], ['optimizerState', 'data'], ['lossHistory', 'step'], ['lossHistory', 'loss'], ['params', 'data', 0], ['lossHistory', 'loss', 0], ['lossHistory', 'step', 14], ...specPaths];
    fc.assert(
      fc.property(fc.constantFrom(...fieldPaths), hostile, (path, value) => {
        const doc = validDoc();
        const text = applyMutation(doc, { path, op: 'set', value, pollute: '' });
        const r = checkImported(text);
        if (r.ok) {
          // Accepted: the value was one the field may hold; a spec field took it or named it.
          const specPath = path[0] === 'spec' ? path.slice(1).join('.') : null;
          if (specPath) expect(JSON.stringify(getPath(r.experiment.spec, specPath)) === JSON.stringify(value) || r.experiment.specIssues.some((i) => i.field === specPath)).toBe(true);
        } else {
          // Refused: some error names the field that was changed.
          // (A valid step or shape-changing spec value is named through what no longer fits it.)
          const name = path[0] === 'spec' ? path.slice(1).join('.') : String(path[0]);
          const fits = path[0] === 'spec' ? /params|optimizerState|steps|lossHistory/ : path[0] === 'steps' ? /lossHistory/ : /$^/;
          const all = r.errors.join('\n');
          expect(all.includes(name) || fits.test(all), `${path.join('.')} = ${JSON.stringify(value)}: ${all}`).toBe(true);
        }
      }),
      { seed: SEED + 12, numRuns: 2500 },
    );
  });

  it("keys the spec does not have (dotted, empty, prototype names) are each named, and change nothing", () => {
    const oddKey = fc.oneof(fc.constantFrom('', '.', 'task.d', 'task.n', 'model.type', 'd', 'extra', ' ', ...PROTO_KEYS, ...HTML), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.constantFrom<string[]>([], ['task'], ['task', 'covariance'], ['model']), fc.dictionary(oddKey, fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { minKeys: 1, maxKeys: 6 }), (at, extra) => {
        const doc = validDoc();
        const target = at.reduce<any>((o, k) => o[k], doc.spec);
        const here = at.length === 0 ? ['version', 'task', 'model', 'optimizer', 'train', 'eval'] : Object.keys(target);
        const added = Object.keys(extra).filter((k) => !here.includes(k));
        // (Own keys, "__proto__" included, as JSON.parse makes them.)
        for (const k of added) Object.defineProperty(target, k, { value: extra[k], enumerable: true, writable: true, configurable: true });
        const r = checkImported(JSON.stringify(doc));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.experiment.spec).toEqual(VALID.spec);
        for (const k of added) {
          const named = r.experiment.specIssues.some((i) => /is not a spec field/.test(i.message) && (i.message.includes([...at, k].join('.')) || i.message.includes(JSON.stringify(k.slice(0, 40)).slice(0, -1))));
          expect(named, `${[...at, k].join(' / ')}: ${JSON.stringify(r.experiment.specIssues)}`).toBe(true);
        }
      }),
      { seed: SEED + 17, numRuns: 600 },
    );
  });

  it('prototype-pollution keys anywhere in the file change no prototype', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DOC_PATHS), pollution, (path, payload) => {
        const text = applyMutation(validDoc(), { path, op: 'pollute', value: null, pollute: payload });
        const r = checkImported(text);
        if (r.ok) expect(Object.getPrototypeOf(r.experiment.spec)).toBe(Object.prototype);
      }),
      { seed: SEED + 13, numRuns: 800 },
    );
    // A spec that is itself a pollution payload.
    for (const payload of ['{"__proto__": {"polluted": 1}}', '{"constructor": {"prototype": {"polluted": 1}}}']) {
      const doc = validDoc();
      doc.spec = '__P__';
      checkImported(JSON.stringify(doc).replace('"__P__"', payload));
    }
  });

  it('deep nesting, oversized arrays and matrices: refused or ignored, never thrown', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...['spec', 'params', 'optimizerState', 'lossHistory', 'matrices', 'theory', 'spec.task', 'params.data', 'lossHistory.step'].map((p) => p.split('.'))),
        fc.integer({ min: 1, max: 3_000 }),
        fc.constantFrom('object', 'array', 'long', 'matrix'),
        (path, size, shape) => {
          let value: unknown;
          if (shape === 'object') value = JSON.parse('{"a":'.repeat(size) + '1' + '}'.repeat(size));
          else if (shape === 'array') value = JSON.parse('['.repeat(size) + ']'.repeat(size));
          else if (shape === 'long') value = Array.from({ length: size * 10 }, (_, i) => (i % 3 === 0 ? 'NaN' : i));
          else value = { rows: size, cols: size, data: Array.from({ length: Math.min(size, 400) }, () => Array(Math.min(size, 400)).fill(0)) };
          const text = applyMutation(validDoc(), { path, op: 'set', value, pollute: '' });
          const r = checkImported(text);
          if (path[0] === 'matrices' || path[0] === 'theory') expect(r.ok).toBe(true);
        },
      ),
      { seed: SEED + 14, numRuns: 150 },
    );
    // Nesting far deeper than any JSON in the lab, as raw text.
    for (const depth of [10_000, 100_000]) {
      checkImported(`{"format":"icl-lab-experiment","formatVersion":1,"spec":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      checkImported(`{"format":"icl-lab-experiment","formatVersion":1,"spec":${'{"task":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    }
  });

  it('numbers written as strings: only the forms the export writes are read', () => {
    const forms = fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '0', '1', '1e3', ' -0', '-0 ', 'nan', 'infinity', '+Infinity', '0x1', '');
    fc.assert(
      fc.property(fc.constantFrom<(string | number)[]>(['params', 'data', 5], ['optimizerState', 'data', 9], ['lossHistory', 'loss', 2], ['lossHistory', 'step', 2], ['steps'], ['spec', 'task', 'd'], ['spec', 'train', 'steps']), forms, (path, form) => {
        const r = checkImported(applyMutation(validDoc(), { path, op: 'set', value: form, pollute: '' }));
        if (path[0] === 'spec' && path[2] === 'steps') {
          // Not a shape field: named, and the default (5000 steps) used.
          expect(r.ok && r.experiment.specIssues.map((i) => i.field)).toEqual(['train.steps']);
          return;
        }
        const readable = path[0] === 'lossHistory' && path[1] === 'loss' ? ['NaN', 'Infinity', '-Infinity', '-0'] : path[1] === 'data' ? ['-0'] : [];
        expect(r.ok, `${path.join('.')} = ${JSON.stringify(form)}`).toBe(readable.includes(form));
        if (r.ok && path[1] === 'data') expect(Object.is(r.experiment[path[0] === 'params' ? 'params' : 'optState'][path[2] as number], -0)).toBe(true);
      }),
      { seed: SEED + 15, numRuns: 600 },
    );
  });

  it('checkImportSize: refuses exactly the sizes over the cap, with a message in MiB', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: MAX_IMPORT_BYTES - 1000, max: MAX_IMPORT_BYTES + 1000 }), fc.maxSafeNat(), fc.double({ min: 0, max: 1e300, noNaN: true })), (bytes) => {
        runs.file++;
        const m = checkImportSize(bytes);
        if (bytes <= MAX_IMPORT_BYTES) expect(m).toBeNull();
        else {
          expect(typeof m).toBe('string');
          expect(m).toMatch(/MiB/);
          expect(m).toContain(String(MAX_IMPORT_BYTES / 2 ** 20));
        }
      }),
      { seed: SEED + 16, numRuns: 1000 },
    );
    // A text over the cap is refused before it is parsed (it is not even JSON).
    const r = checkImported('['.repeat(MAX_IMPORT_BYTES + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([checkImportSize(MAX_IMPORT_BYTES + 1)]);
  });
});
