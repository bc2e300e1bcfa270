// The share-URL codec: a readable, versioned query string (v=1&d=5&n=20&...),
// one key per spec field from the field table. Every field is written, so a
// link reproduces the experiment even if a later version changes a default.
// Decoding is forgiving: each bad field is named and the valid rest applied.
import { FIELDS, FIELD_BY_KEY, getPath, setPath, type FieldDef } from './fields.ts';
import { SPEC_VERSION, type ExperimentSpec } from './types.ts';
import { defaultSpec, checkField, migrateLegacyHeads, repairCombinations, type ParsedSpec } from './validate.ts';

/** Longest query string the decoder will look at. */
export const MAX_QUERY_LENGTH = 4096;

/**
 * Link keys that are not experiment fields but ride along with one: a sweep's
 * (sweep.ts) and the compared run's (compare). decodeSpec leaves them to their readers.
 */
export const EXTRA_LINK_KEYS: ReadonlySet<string> = new Set(['sv', 'sweep', 'seeds', 'lengths', 'odef', 'vs']);

export function encodeSpec(spec: ExperimentSpec): string {
  const parts = [`v=${SPEC_VERSION}`];
  for (const f of FIELDS) {
    const value = getPath(spec, f.path);
    let text = '';
    if (f.kind === 'bool') text = value ? '1' : '0';
    else if (value === null) text = 'same';
    else text = String(value); // shortest round-trip form for numbers
    // A list keeps its commas readable (eig=1,2,3,4).
    const encoded = f.kind === 'list' ? (value as number[]).map((v) => encodeURIComponent(String(v))).join(',') : encodeURIComponent(text);
    parts.push(`${f.key}=${encoded}`);
  }
  return parts.join('&');
}

function parseNumber(raw: string): unknown {
  const t = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return raw;
  return Number(t);
}

/** A link value as the field's type, or the raw text where it does not parse (checkField then names it). */
export function parseValue(f: FieldDef, raw: string): unknown {
  if (f.kind === 'bool') return raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : raw;
  if (f.kind === 'list') return raw.trim() === '' ? [] : raw.split(',').map(parseNumber);
  if (f.kind === 'int' || f.kind === 'float') return f.nullable && raw.trim() === 'same' ? null : parseNumber(raw);
  return raw;
}

/**
 * Extracts the query part from a full share URL, a '?query', a '#query' or a bare query.
 * A '?' or '#' starts the query only after a URL (text with no '=' or '&'); inside a
 * bare query a '?' is part of a value, so the fields before it still apply.
 */
export function queryOf(text: string): string {
  const s = text.trim();
  const q = s.indexOf('?');
  const h = s.indexOf('#');
  const isUrl = (end: number) => !/[=&]/.test(s.slice(0, end));
  if (q >= 0 && (h < 0 || q < h) && isUrl(q)) return s.slice(q + 1, h > q ? h : undefined);
  if (h >= 0 && isUrl(h)) return s.slice(h + 1);
  return h >= 0 ? s.slice(0, h) : s;
}

export function decodeSpec(text: string): ParsedSpec {
  const spec = defaultSpec();
  const errors: ParsedSpec['errors'] = [];
  const query = queryOf(text);
  if (query.length > MAX_QUERY_LENGTH) {
    return { spec, errors: [{ field: '', message: `the link is ${query.length} characters long; at most ${MAX_QUERY_LENGTH} are read` }] };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { spec, errors: [{ field: '', message: 'the link could not be parsed' }] };
  }
  const v = params.get('v');
  if (v === null) {
    errors.push({ field: 'version', message: `the link has no version (v=${SPEC_VERSION}); it was read as version ${SPEC_VERSION}` });
  } else if (v !== String(SPEC_VERSION)) {
    const n = Number(v);
    errors.push({
      field: 'version',
      message:
        Number.isInteger(n) && n > SPEC_VERSION
          ? `the link comes from a newer ICL Lab (version ${n}; this one reads ${SPEC_VERSION}); the fields it knows were applied`
          : `v=${JSON.stringify(v.slice(0, 20))} is not a version this lab reads (expected ${SPEC_VERSION})`,
    });
  }
  const seen = new Set<string>();
  let versions = 0;
  for (const [key, raw] of params) {
    if (key === 'v') {
      if (++versions === 2) errors.push({ field: 'version', message: 'the version v is given more than once; the first value was kept' });
      continue;
    }
    if (EXTRA_LINK_KEYS.has(key)) continue;
    const f = FIELD_BY_KEY.get(key);
    if (!f) {
      errors.push({ field: '', message: `unknown link parameter ${JSON.stringify(key.slice(0, 20))} was ignored` });
      continue;
    }
    if (seen.has(key)) {
      errors.push({ field: f.path, message: `${f.path} is given more than once; the first value was kept` });
      continue;
    }
    seen.add(key);
    const r = checkField(f, parseValue(f, raw));
    if (r.ok) setPath(spec as unknown as Record<string, unknown>, f.path, r.value);
    else errors.push({ field: f.path, message: r.message + ' (the default was used)' });
  }
  errors.push(...migrateLegacyHeads(spec, ['param', 'layers', 'rank', 'tied'].some((k) => seen.has(k))));
  errors.push(...repairCombinations(spec));
  return { spec, errors };
}
