// Defaults and validation, both derived from the field table. Validation never
// throws: it returns the spec with every valid field applied, defaults in place
// of the invalid ones, and one message per problem naming field, value and range.
import { FIELDS, MAX_POOL_NUMBERS, type FieldDef, type FieldValue, getPath, setPath } from './fields.ts';
import { SPEC_VERSION, type ExperimentSpec } from './types.ts';

export interface SpecIssue {
  /** Dotted path of the field, e.g. 'task.d'; '' for the spec as a whole. */
  field: string;
  message: string;
}

export interface ParsedSpec {
  spec: ExperimentSpec;
  errors: SpecIssue[];
}

export function defaultSpec(): ExperimentSpec {
  const spec: Record<string, unknown> = { version: SPEC_VERSION };
  for (const f of FIELDS) setPath(spec, f.path, Array.isArray(f.default) ? [...f.default] : f.default);
  return spec as unknown as ExperimentSpec;
}

export function describeRange(f: FieldDef): string {
  const same = f.kind !== 'enum' && f.kind !== 'bool' && f.kind !== 'list' && f.nullable ? ', or same' : '';
  switch (f.kind) {
    case 'int':
      return `an integer from ${f.min} to ${f.max}${same}`;
    case 'float':
      return `a number from ${f.min} to ${f.max}${same}`;
    case 'list':
      return `a comma-separated list of at most ${f.maxLength} numbers above ${f.itemMin} and at most ${f.itemMax} (or an empty list)`;
    case 'enum':
      return `one of ${f.options.join(', ')}`;
    case 'bool':
      return 'true or false';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return JSON.stringify(value.slice(0, 8).map((v) => (typeof v === 'string' && v.length > 12 ? v.slice(0, 12) + '…' : v))).replace(/]$/, value.length > 8 ? ',…]' : ']');
  return typeof value;
}

/** Checks one value against its field; returns the value if valid, else a message. */
export function checkField(f: FieldDef, value: unknown): { ok: true; value: FieldValue } | { ok: false; message: string } {
  const bad = (why: string) => ({ ok: false as const, message: `${f.path} = ${show(value)} ${why}: expected ${describeRange(f)}` });
  switch (f.kind) {
    case 'int':
    case 'float': {
      if (value === null && f.nullable) return { ok: true, value: null };
      if (typeof value !== 'number') return bad('is not a number');
      if (!Number.isFinite(value)) return bad('is not finite');
      if (f.kind === 'int' && !Number.isInteger(value)) return bad('is not an integer');
      if (value < f.min || value > f.max) return bad('is out of range');
      // −0 becomes 0: links and JSON both write it as 0, so a spec holding it would not round-trip.
      return { ok: true, value: value === 0 ? 0 : value };
    }
    case 'enum':
      if (typeof value !== 'string' || !f.options.includes(value)) return bad('is not a known option');
      return { ok: true, value };
    case 'bool':
      if (typeof value !== 'boolean') return bad('is not a boolean');
      return { ok: true, value };
    case 'list': {
      if (!Array.isArray(value)) return bad('is not a list');
      if (value.length > f.maxLength) return bad(`has ${value.length} entries`);
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const at = `entry ${i + 1} (${show(v)})`;
        if (typeof v !== 'number' || Number.isNaN(v)) return bad(`has ${at}, which is not a number`);
        if (!Number.isFinite(v)) return bad(`has ${at}, which is not finite`);
        if (v <= f.itemMin) return bad(`has ${at}, which is ${v === 0 ? 'zero' : v < 0 ? 'negative' : `not above ${f.itemMin}`}`);
        if (v > f.itemMax) return bad(`has ${at}, which is above ${f.itemMax}`);
      }
      return { ok: true, value: [...(value as number[])] };
    }
  }
}

/**
 * Validates an untrusted object (e.g. parsed JSON) as an experiment spec.
 * Missing fields take their defaults; unknown fields are reported and dropped.
 */
export function parseSpec(input: unknown): ParsedSpec {
  const errors: SpecIssue[] = [];
  const spec = defaultSpec();
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { spec, errors: [{ field: '', message: 'the spec must be a JSON object' }] };
  }
  const version = (input as Record<string, unknown>).version;
  if (version !== undefined && version !== SPEC_VERSION) {
    const future = typeof version === 'number' && version > SPEC_VERSION;
    errors.push({
      field: 'version',
      message: future
        ? `version ${version} comes from a newer ICL Lab (this one reads version ${SPEC_VERSION}); fields it knows were applied`
        : `version ${show(version)} is not a spec version this lab reads (expected ${SPEC_VERSION})`,
    });
  }
  for (const f of FIELDS) {
    const value = getPath(input, f.path);
    if (value === undefined) continue;
    const r = checkField(f, value);
    if (r.ok) setPath(spec as unknown as Record<string, unknown>, f.path, r.value);
    else errors.push({ field: f.path, message: r.message });
  }
  const model = (input as Record<string, unknown>).model;
  const hasLaKeys = model !== null && typeof model === 'object' && ['param', 'layers', 'rank', 'tied'].some((k) => k in (model as object));
  errors.push(...migrateLegacyHeads(spec, hasLaKeys));
  errors.push(...repairCombinations(spec));
  for (const keys of leafPaths(input)) {
    // A key that is empty or holds a '.' is never a field (even "task.d" at the top level): it is named quoted.
    const plain = keys.every((k) => k !== '' && !k.includes('.'));
    const path = plain ? keys.join('.') : JSON.stringify(keys.map((k) => (k.length > 40 ? k.slice(0, 40) + '…' : k)));
    if (!plain || (path !== 'version' && !FIELDS.some((f) => f.path === path))) {
      errors.push({ field: path, message: `${path} is not a spec field; it was ignored` });
    }
  }
  return { spec, errors };
}

/**
 * Rules between fields that each look valid alone. Repairs the spec in place
 * (to the nearest valid combination) and names what it changed.
 */
export function repairCombinations(spec: ExperimentSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const m = spec.model;
  const t = spec.task;
  if (t.windowSize > t.d) {
    issues.push({ field: 'task.windowSize', message: `task.windowSize = ${t.windowSize} exceeds the dimension d = ${t.d}; ${t.d} was used` });
    t.windowSize = t.d;
  }
  if (t.windowSize > 0 && t.tasks > 1 && (t.tasks - 1) * t.windowStride + t.windowSize > t.d) {
    const stride = Math.floor((t.d - t.windowSize) / (t.tasks - 1));
    issues.push({
      field: 'task.windowStride',
      message: `task.windowStride = ${t.windowStride} puts task ${t.tasks}'s window [${(t.tasks - 1) * t.windowStride}, ${(t.tasks - 1) * t.windowStride + t.windowSize}) past d = ${t.d}; ${stride} was used`,
    });
    t.windowStride = stride;
  }
  // A custom spectrum lists d eigenvalues (or none, for 1, 2, …, d).
  const lists: [string, { kind: string; eigenvalues: number[] }][] = [
    ['task.covariance.eigenvalues', t.covariance],
    ['eval.test.covariance.eigenvalues', spec.eval.test.covariance],
  ];
  for (const [path, cov] of lists) {
    if (cov.kind === 'custom' && cov.eigenvalues.length !== 0 && cov.eigenvalues.length !== t.d) {
      issues.push({ field: path, message: `${path} lists ${cov.eigenvalues.length} eigenvalues; d = ${t.d} needs ${t.d} (or none, for 1, 2, …, d); 1, 2, …, ${t.d} was used` });
      cov.eigenvalues = [];
    }
  }
  const signs = t.poolSymmetric ? 2 : 1;
  const poolMax = Math.floor(MAX_POOL_NUMBERS / (signs * t.tasks * t.d));
  if (t.pool > poolMax) {
    issues.push({
      field: 'task.pool',
      message: `task.pool = ${t.pool} would hold ${signs > 1 ? '2·' : ''}${t.pool}·k·d = ${(signs * t.pool * t.tasks * t.d).toLocaleString('en-US')} numbers; at most ${MAX_POOL_NUMBERS.toLocaleString('en-US')} fit, so M ≤ ${poolMax} at d = ${t.d}, k = ${t.tasks}${signs > 1 ? ' with signs' : ''}; ${poolMax} was used`,
    });
    t.pool = poolMax;
  }
  if (m.type === 'lsa' && m.init !== 'gaussian') {
    issues.push({ field: 'model.init', message: `model.init = "${m.init}" applies to softmax attention only; linear self-attention uses "gaussian"` });
    m.init = 'gaussian';
  }
  issues.push(...repairLinearAttention(spec));
  if (m.type === 'softmax' && m.init === 'opposite-identity' && m.heads % 2 !== 0) {
    issues.push({ field: 'model.init', message: `model.init = "opposite-identity" pairs heads of opposite sign and needs an even number of heads (model.heads = ${m.heads}); "default" was used` });
    m.init = 'default';
  }
  return issues;
}

/**
 * Specs from before linear attention had heads carry no linear-attention keys
 * (param, layers, rank, tied), and their H applied to softmax attention only:
 * such a spec of linear attention keeps one head, so it replays as it did.
 */
export function migrateLegacyHeads(spec: ExperimentSpec, hasLinearAttentionKeys: boolean): SpecIssue[] {
  if (hasLinearAttentionKeys || spec.model.type !== 'lsa' || spec.model.heads === 1) return [];
  const h = spec.model.heads;
  spec.model.heads = 1;
  return [{ field: 'model.heads', message: `model.heads = ${h} comes from a spec without the linear-attention fields (param, layers), from before linear attention had heads, where H applied to softmax attention only; linear attention keeps 1 head, as then` }];
}

/** The largest token size d + k of linear attention beyond one merged head and layer (its kernel keeps D×D matrices per prompt). */
export const MAX_LA_TOKEN = 16;

/** Whether a spec's model is linear attention beyond today's one merged head and layer (src/models/linearAttention.ts). */
export function isGeneralLinearAttention(m: ExperimentSpec['model']): boolean {
  return m.type === 'lsa' && (m.heads > 1 || m.param !== 'merged' || m.layers > 1);
}

function repairLinearAttention(spec: ExperimentSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const m = spec.model;
  const D = spec.task.d + spec.task.tasks;
  if (m.type === 'softmax') {
    // Softmax attention here is one layer with Q, K, V per head: the linear-attention fields do not apply.
    if (m.param !== 'merged') issues.push({ field: 'model.param', message: `model.param = "${m.param}" applies to linear attention only; softmax attention has its own Q, K, V per head, so "merged" was used` });
    if (m.layers !== 1) issues.push({ field: 'model.layers', message: `model.layers = ${m.layers} applies to linear attention only; softmax attention here is one layer, so 1 was used` });
    if (m.tied) issues.push({ field: 'model.tied', message: 'model.tied applies to linear attention with L ≥ 2 layers only; it was turned off' });
    m.param = 'merged';
    m.layers = 1;
    m.tied = false;
    return issues;
  }
  if (m.param === 'separate' && m.rank > D) {
    issues.push({ field: 'model.rank', message: `model.rank = ${m.rank} exceeds the token size d + k = ${D}: W_K and W_Q are r × ${D}, so W_K^ᵀW_Q has rank at most ${D}; ${D} was used` });
    m.rank = D;
  }
  if (m.tied && m.layers === 1) {
    issues.push({ field: 'model.tied', message: 'model.tied = true ties the weights of L ≥ 2 layers, and model.layers = 1; it was turned off' });
    m.tied = false;
  }
  if (isGeneralLinearAttention(m) && D > MAX_LA_TOKEN) {
    const [field, value] = m.layers > 1 ? ['model.layers', m.layers] : m.param !== 'merged' ? ['model.param', `"${m.param}"`] : ['model.heads', m.heads];
    issues.push({
      field,
      message: `${field} = ${value}: linear attention beyond one merged head and layer keeps (d + k)×(d + k) matrices per prompt and supports d + k ≤ ${MAX_LA_TOKEN}; d + k = ${D} here, so one merged head and layer was used`,
    });
    m.heads = 1;
    m.param = 'merged';
    m.layers = 1;
    m.tied = false;
  }
  return issues;
}

/** Throws with every message if the spec is not valid; returns it typed otherwise. */
export function assertValidSpec(input: unknown): ExperimentSpec {
  const { spec, errors } = parseSpec(input);
  if (errors.length > 0) throw new Error(`invalid experiment spec:\n  ${errors.map((e) => e.message).join('\n  ')}`);
  return spec;
}

function leafPaths(obj: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || depth > 4) return prefix.length > 0 ? [prefix] : [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>).slice(0, 200)) {
    const p = [...prefix, k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...leafPaths(v, p, depth + 1));
    else out.push(p);
  }
  return out;
}
