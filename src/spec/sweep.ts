// The sweep spec: a base experiment, one or two swept fields, a number of
// replicate seeds and the context lengths of the length curve. Like the
// experiment spec it is plain data derived from the field table, versioned,
// validated with named-field messages, and written into a readable link:
//   …&sv=1&sweep=H:1,2,4,8&sweep=n:lin(10,100,10)&seeds=3&lengths=10,20,40
// One value syntax serves the page, the link and the runner (--vary H=1,2,4,8):
//   a list        1,2,4,8   sgd,adam   0,1
//   a linear range  lin(a,b,k)   k values from a to b, evenly spaced
//   a log range     log(a,b,k)   k values from a to b, evenly spaced in log
import { FIELD_BY_KEY, FIELD_BY_PATH, getPath, setPath, type FieldDef } from './fields.ts';
import { checkField, describeRange, repairCombinations, type SpecIssue } from './validate.ts';
import { decodeSpec, encodeSpec, queryOf } from './codec.ts';
import type { ExperimentSpec } from './types.ts';
import { OPTIMIZER_SOURCES, withSourceDefaults } from './optimizerDefaults.ts';

export const SWEEP_VERSION = 1;
export const MAX_AXES = 2;
export const MAX_AXIS_VALUES = 64;
export const MAX_SEEDS = 32;
export const MAX_RUNS = 1024;
export const MAX_LENGTHS = 64;
export const MAX_LENGTH = 4096;
/**
 * The most training work one sweep may ask for, in prompt-steps (the sum over
 * its runs of steps × batch): 2³⁴, about 1.7·10¹⁰, a day of He et al.'s recipe
 * on a laptop GPU. A sweep past it is refused with the numbers.
 */
export const SWEEP_BUDGET = 2 ** 34;

/** A sweep axis's value: one value of a scalar field (null: a nullable field's "same"). */
export type AxisValue = number | string | boolean | null;

export interface SweepAxis {
  /** Dotted path of the swept field, e.g. 'model.heads'. */
  field: string;
  /** The values as written (a list, lin(a,b,k) or log(a,b,k)); `values` is derived from it. */
  text: string;
  values: AxisValue[];
}

export interface SweepSpec {
  version: number;
  base: ExperimentSpec;
  /** One or two swept fields; the grid is their product (the first varies slowest). */
  axes: SweepAxis[];
  /** Replicates per grid point; replicate 0 keeps the point's own seeds. */
  seeds: number;
  /** Context lengths of each run's length curve; empty: each run's default grid (1 … 4n). */
  lengths: number[];
  /**
   * Where the optimizer is swept: give each optimizer its source's momentum,
   * Nesterov flag, β₁, β₂, ε and SOAP's frequency (spec/optimizerDefaults.ts)
   * instead of the base spec's, so each is compared as published (link: odef=1).
   */
  sourceDefaults?: boolean;
}

export interface ParsedSweep {
  /** Null when the text holds no sweep (no `sweep=` part that could be read). */
  sweep: SweepSpec | null;
  errors: SpecIssue[];
}

// ---- values ------------------------------------------------------------------

/** Twelve significant digits: lin(0, 1, 11) gives 0.3, not 0.30000000000000004. */
function tidy(v: number): number {
  const r = Number(v.toPrecision(12));
  return r === 0 ? 0 : r;
}

type ValuesResult = { ok: true; values: AxisValue[]; text: string } | { ok: false; message: string };

const RANGE = /^(lin|log)\(([^,()]*),([^,()]*),([^,()]*)\)$/i;

/**
 * Reads a value list or range for field `f`. Every value is checked against
 * the field's range; integer fields round ranges to integers, and values that
 * coincide after rounding are refused (a point would run twice).
 */
export function parseValues(f: FieldDef, raw: string, label = f.path): ValuesResult {
  const text = raw.replace(/\s+/g, '');
  if (f.kind === 'list') return { ok: false, message: `${label} is a list field (${f.label}); a sweep varies single values, so set the list in the base spec` };
  if (text === '') return { ok: false, message: `${label} has no values: give a list (1,2,4), lin(a,b,k) or log(a,b,k)` };
  let values: AxisValue[];
  const range = RANGE.exec(text);
  if (range) {
    const kind = range[1].toLowerCase();
    if (f.kind !== 'int' && f.kind !== 'float') return { ok: false, message: `${label} is ${describeRange(f)}: ${kind}(…) ranges are for numeric fields; list the values instead` };
    const [a, b, k] = [range[2], range[3], range[4]].map((s) => (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN));
    if (!Number.isFinite(a) || !Number.isFinite(b)) return { ok: false, message: `${label}: ${text} needs numeric ends, as in ${kind}(1,100,5)` };
    if (!Number.isInteger(k) || k < 2 || k > MAX_AXIS_VALUES) return { ok: false, message: `${label}: ${text} needs a count k from 2 to ${MAX_AXIS_VALUES}, as in ${kind}(1,100,5)` };
    if (kind === 'log' && (a <= 0 || b <= 0)) return { ok: false, message: `${label}: ${text} needs positive ends for a log range` };
    values = Array.from({ length: k }, (_, i) => {
      const t = i / (k - 1);
      const v = i === 0 ? a : i === k - 1 ? b : kind === 'lin' ? a + (b - a) * t : a * Math.pow(b / a, t);
      return f.kind === 'int' ? Math.round(v) : tidy(v);
    });
  } else {
    const parts = text.split(',');
    if (parts.length > MAX_AXIS_VALUES) return { ok: false, message: `${label} lists ${parts.length} values; at most ${MAX_AXIS_VALUES} are allowed` };
    values = [];
    for (const p of parts) {
      let v: unknown = p;
      if (f.kind === 'int' || f.kind === 'float') v = f.nullable && p === 'same' ? null : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(p) ? Number(p) : p;
      else if (f.kind === 'bool') v = p === '1' || p === 'true' ? true : p === '0' || p === 'false' ? false : p;
      values.push(v as AxisValue);
    }
  }
  for (const v of values) {
    const r = checkField(f, v);
    if (!r.ok) return { ok: false, message: `${label}: ${r.message}` };
  }
  const seen = new Set<string>();
  for (const v of values) {
    const key = String(v);
    if (seen.has(key)) return { ok: false, message: `${label}: ${text} gives the value ${key} twice${range && f.kind === 'int' ? ' once rounded to integers' : ''}; each value must be distinct` };
    seen.add(key);
  }
  return { ok: true, values, text };
}

/** The field an axis names: its URL key (H) or its path (model.heads). */
export function sweepField(name: string): FieldDef | undefined {
  return FIELD_BY_KEY.get(name) ?? FIELD_BY_PATH.get(name);
}

/**
 * Reads one axis, "H=1,2,4,8" (the runner and the page) or "H:1,2,4,8" (the
 * link): a field's key or path, then its values.
 */
export function parseAxis(raw: string, label = 'sweep'): { ok: true; axis: SweepAxis } | { ok: false; message: string } {
  const m = /^\s*([A-Za-z0-9_.]+)\s*[=:]\s*(.*)$/s.exec(raw);
  if (!m) return { ok: false, message: `${label} = ${JSON.stringify(raw.slice(0, 40))} is not field=values (e.g. H=1,2,4,8, n=lin(10,100,10), kappa=log(1,1000,4))` };
  const f = sweepField(m[1]);
  if (!f) return { ok: false, message: `${label}: ${JSON.stringify(m[1].slice(0, 30))} is not a spec field (use a link key such as H, n, lr or a path such as model.heads)` };
  const r = parseValues(f, m[2], `${label} ${f.key}`);
  if (!r.ok) return r;
  return { ok: true, axis: { field: f.path, text: r.text, values: r.values } };
}

/** "H=1,2,4,8": an axis as the page and the runner write it. */
export function formatAxis(axis: SweepAxis, sep: '=' | ':' = '='): string {
  return `${FIELD_BY_PATH.get(axis.field)!.key}${sep}${axis.text}`;
}

/** Context lengths, in the value syntax: integers from 1 to MAX_LENGTH, distinct, returned ascending. */
export function parseLengths(raw: string): { ok: true; lengths: number[] } | { ok: false; message: string } {
  const f: FieldDef = { path: 'lengths', key: 'lengths', kind: 'int', min: 1, max: MAX_LENGTH, default: 1, scale: 'linear', label: 'lengths', group: 'Eval', help: '' };
  const r = parseValues(f, raw, 'lengths');
  if (!r.ok) return r;
  if (r.values.length > MAX_LENGTHS) return { ok: false, message: `lengths lists ${r.values.length} context lengths; at most ${MAX_LENGTHS} are allowed` };
  return { ok: true, lengths: (r.values as number[]).slice().sort((a, b) => a - b) };
}

// ---- replicates ----------------------------------------------------------------

/** murmur3's 32-bit finalizer: a fixed, well-mixed hash of a u32. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Streams of the replicate hash, so a replicate's data and init seeds differ. */
export const REPLICATE_STREAM = { data: 0x64617461, init: 0x696e6974 } as const;

/**
 * Replicate r's seed from a base seed: replicate 0 keeps the base seed (so a
 * one-seed sweep runs exactly the base specs); replicate r ≥ 1 hashes
 * (base, r, stream). Any run of a sweep is rerun alone from its own spec.
 */
export function replicateSeed(base: number, r: number, stream: number): number {
  if (r === 0) return base >>> 0;
  return fmix32((base >>> 0) ^ fmix32(Math.imul(r, 0x9e3779b9) ^ fmix32(stream >>> 0)));
}

// ---- the grid ------------------------------------------------------------------

export interface SweepRunPlan {
  /** Position in the expanded run list: ((i₀·n₁ + i₁)·seeds + r). */
  index: number;
  /** Grid point (i₀·n₁ + i₁). */
  point: number;
  replicate: number;
  /** The swept fields' values at this point, one per axis. */
  coords: AxisValue[];
  spec: ExperimentSpec;
  /** Other fields the point's values forced (e.g. an init that needs an even head count). */
  notes: string[];
}

export function gridSize(sweep: Pick<SweepSpec, 'axes'>): number {
  return sweep.axes.reduce((n, a) => n * a.values.length, 1);
}

export function runCount(sweep: Pick<SweepSpec, 'axes' | 'seeds'>): number {
  return gridSize(sweep) * sweep.seeds;
}

/** The grid points' coordinates, the first axis varying slowest. */
export function gridPoints(sweep: Pick<SweepSpec, 'axes'>): AxisValue[][] {
  let points: AxisValue[][] = [[]];
  for (const axis of sweep.axes) points = points.flatMap((p) => axis.values.map((v) => [...p, v]));
  return points;
}

/** The spec of grid point `coords` (replicate 0) and what it forced on other fields. */
export function pointSpec(sweep: Pick<SweepSpec, 'base' | 'axes' | 'sourceDefaults'>, coords: AxisValue[]): { spec: ExperimentSpec; notes: string[]; conflicts: string[] } {
  const spec = structuredClone(sweep.base);
  sweep.axes.forEach((a, i) => setPath(spec as unknown as Record<string, unknown>, a.field, coords[i]));
  const notes: string[] = [];
  if (sweep.sourceDefaults && sweep.axes.some((a) => a.field === 'optimizer.kind')) {
    const { optimizer, changed } = withSourceDefaults(spec.optimizer, spec.optimizer.kind);
    spec.optimizer = optimizer;
    if (changed.length > 0) notes.push(`${OPTIMIZER_SOURCES[optimizer.kind].source}: ${changed.join(', ')}`);
  }
  const repaired = repairCombinations(spec);
  const conflicts: string[] = [];
  for (const r of repaired) {
    const swept = sweep.axes.findIndex((a, i) => getPath(spec, a.field) !== coords[i]);
    if (swept >= 0) conflicts.push(r.message);
    else notes.push(r.message);
  }
  return { spec, notes, conflicts };
}

/** Every run of the sweep, in index order. */
export function expandSweep(sweep: SweepSpec): SweepRunPlan[] {
  const out: SweepRunPlan[] = [];
  gridPoints(sweep).forEach((coords, point) => {
    const { spec, notes } = pointSpec(sweep, coords);
    for (let r = 0; r < sweep.seeds; r++) {
      const s = structuredClone(spec);
      s.train.dataSeed = replicateSeed(spec.train.dataSeed, r, REPLICATE_STREAM.data);
      s.train.initSeed = replicateSeed(spec.train.initSeed, r, REPLICATE_STREAM.init);
      out.push({ index: point * sweep.seeds + r, point, replicate: r, coords, spec: s, notes });
    }
  });
  return out;
}

/**
 * Shard i of N (1-based): the runs whose index ≡ i − 1 (mod N). Interleaved
 * rather than contiguous, so each shard gets a share of every grid point's
 * cost (points late in the grid are often the expensive ones).
 */
export function shardRuns<T extends { index: number }>(runs: T[], shard: { index: number; count: number } | null): T[] {
  if (!shard) return runs;
  return runs.filter((r) => r.index % shard.count === shard.index - 1);
}

/** Reads "i/N" (1 ≤ i ≤ N). */
export function parseShard(raw: string): { ok: true; shard: { index: number; count: number } } | { ok: false; message: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n || n > MAX_RUNS) return { ok: false, message: `--shard ${JSON.stringify(raw)} must be i/N with 1 ≤ i ≤ N ≤ ${MAX_RUNS} (e.g. 2/8)` };
  return { ok: true, shard: { index: i, count: n } };
}

// ---- the budget ------------------------------------------------------------------

export interface SweepBudget {
  runs: number;
  /** Σ over runs of steps × batch. */
  promptSteps: number;
  ok: boolean;
  /** Why it was refused, with the numbers and the largest sweep of this shape that fits. */
  message?: string;
}

const fmt = (v: number) => (v >= 1e6 ? v.toExponential(2).replace('e+', 'e') : v.toLocaleString('en-US'));

export function sweepBudget(sweep: SweepSpec): SweepBudget {
  const runs = runCount(sweep);
  if (runs > MAX_RUNS) {
    const perPoint = Math.floor(MAX_RUNS / gridSize(sweep));
    return {
      runs,
      promptSteps: NaN,
      ok: false,
      message:
        `the sweep has ${runs.toLocaleString('en-US')} runs (${gridSize(sweep)} grid points × ${sweep.seeds} seeds); at most ${MAX_RUNS} are allowed` +
        (perPoint >= 1 ? `: at most ${perPoint} seed${perPoint > 1 ? 's' : ''} at this grid` : `: use fewer values (at most ${MAX_RUNS} grid points)`),
    };
  }
  let promptSteps = 0;
  let maxStepBatch = 0;
  for (const coords of gridPoints(sweep)) {
    const { spec } = pointSpec(sweep, coords);
    const w = spec.train.steps * spec.train.batch;
    promptSteps += w * sweep.seeds;
    maxStepBatch = Math.max(maxStepBatch, w);
  }
  if (promptSteps <= SWEEP_BUDGET) return { runs, promptSteps, ok: true };
  const scale = SWEEP_BUDGET / promptSteps;
  const b = sweep.base.train;
  const fitRuns = Math.floor(SWEEP_BUDGET / maxStepBatch);
  return {
    runs,
    promptSteps,
    ok: false,
    message:
      `the sweep asks for ${fmt(promptSteps)} prompt-steps (${runs} runs × ${fmt(b.steps)} steps × batch ${fmt(b.batch)}${promptSteps !== runs * b.steps * b.batch ? ', summed over the grid' : ''}); ` +
      `at most ${fmt(SWEEP_BUDGET)} fit: ${fitRuns >= 1 ? `${Math.min(runs, fitRuns)} runs of the largest size, or ` : ''}${Math.max(1, Math.floor(b.steps * scale)).toLocaleString('en-US')} steps per run`,
  };
}

// ---- the link ------------------------------------------------------------------

/** encodeURIComponent, leaving the value syntax's , : ( ) readable. */
function readable(s: string): string {
  return encodeURIComponent(s).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

export function encodeSweep(sweep: SweepSpec): string {
  const parts = [encodeSpec(sweep.base), `sv=${SWEEP_VERSION}`];
  for (const a of sweep.axes) parts.push(`sweep=${readable(formatAxis(a, ':'))}`);
  parts.push(`seeds=${sweep.seeds}`);
  if (sweep.lengths.length > 0) parts.push(`lengths=${sweep.lengths.join(',')}`);
  if (sweep.sourceDefaults) parts.push('odef=1');
  return parts.join('&');
}

/** True when a link carries a sweep (a `sweep=` part), readable or not. */
export function hasSweep(text: string): boolean {
  try {
    return new URLSearchParams(queryOf(text)).has('sweep');
  } catch {
    return false;
  }
}

/**
 * Reads a sweep link: the base experiment as decodeSpec reads it, then the
 * sweep's parts. Each bad part is named and dropped, the valid rest applied;
 * a sweep left with no valid axis is null.
 */
export function decodeSweep(text: string): ParsedSweep {
  const { spec, errors } = decodeSpec(text);
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(queryOf(text));
  } catch {
    return { sweep: null, errors };
  }
  const sv = params.getAll('sv');
  if (params.has('sweep') && sv.length === 0) errors.push({ field: 'sv', message: `the sweep has no version (sv=${SWEEP_VERSION}); it was read as version ${SWEEP_VERSION}` });
  else if (sv.length > 0 && sv[0] !== String(SWEEP_VERSION)) {
    const n = Number(sv[0]);
    errors.push({
      field: 'sv',
      message:
        Number.isInteger(n) && n > SWEEP_VERSION
          ? `the sweep comes from a newer ICL Lab (sweep version ${n}; this one reads ${SWEEP_VERSION}); the parts it knows were applied`
          : `sv=${JSON.stringify(sv[0].slice(0, 20))} is not a sweep version this lab reads (expected ${SWEEP_VERSION})`,
    });
  }
  const axes: SweepAxis[] = [];
  const rawAxes = params.getAll('sweep');
  rawAxes.forEach((raw, i) => {
    const label = rawAxes.length > 1 ? `sweep ${i + 1}` : 'sweep';
    if (axes.length >= MAX_AXES) {
      errors.push({ field: 'sweep', message: `${label} = ${JSON.stringify(raw.slice(0, 40))}: a sweep has at most ${MAX_AXES} swept fields; it was ignored` });
      return;
    }
    const r = parseAxis(raw, label);
    if (!r.ok) return errors.push({ field: 'sweep', message: r.message + ' (it was ignored)' });
    if (axes.some((a) => a.field === r.axis.field)) return errors.push({ field: 'sweep', message: `${label}: ${r.axis.field} is swept twice; the first was kept` });
    axes.push(r.axis);
  });
  const seedsRaw = params.getAll('seeds');
  let seeds = 1;
  if (seedsRaw.length > 0) {
    const v = /^\d+$/.test(seedsRaw[0].trim()) ? Number(seedsRaw[0]) : NaN;
    if (Number.isInteger(v) && v >= 1 && v <= MAX_SEEDS) seeds = v;
    else errors.push({ field: 'seeds', message: `seeds = ${JSON.stringify(seedsRaw[0].slice(0, 20))} is not an integer from 1 to ${MAX_SEEDS}; 1 was used` });
  }
  let lengths: number[] = [];
  const lengthsRaw = params.getAll('lengths');
  if (lengthsRaw.length > 0) {
    const r = parseLengths(lengthsRaw[0]);
    if (r.ok) lengths = r.lengths;
    else errors.push({ field: 'lengths', message: r.message + ' (the default lengths were used)' });
  }
  let sourceDefaults = false;
  const odef = params.getAll('odef');
  if (odef.length > 0) {
    if (odef[0] === '1' || odef[0] === '0') sourceDefaults = odef[0] === '1';
    else errors.push({ field: 'odef', message: `odef = ${JSON.stringify(odef[0].slice(0, 20))} is not 0 or 1 (each optimizer at its source's defaults); 0 was used` });
  }
  for (const k of ['sv', 'seeds', 'lengths', 'odef'] as const)
    if (params.getAll(k).length > 1) errors.push({ field: k, message: `${k} is given more than once; the first value was kept` });
  if (axes.length === 0) {
    if (params.has('seeds') || params.has('lengths') || params.has('sv') || params.has('odef')) {
      if (rawAxes.length === 0) errors.push({ field: 'sweep', message: 'the link has sweep settings but no swept field (sweep=H:1,2,4,8); it opens as a single run' });
    }
    return { sweep: null, errors };
  }
  const sweep: SweepSpec = { version: SWEEP_VERSION, base: spec, axes, seeds, lengths, ...(sourceDefaults ? { sourceDefaults } : {}) };
  errors.push(...checkSweep(sweep));
  return { sweep, errors };
}

/**
 * Rules of the sweep as a whole: every grid point must keep its swept values
 * once the combination rules apply (e.g. a window that needs d ≥ 4 at d = 2).
 */
export function checkSweep(sweep: SweepSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const coords of gridPoints(sweep)) {
    const { conflicts } = pointSpec(sweep, coords);
    if (conflicts.length > 0) {
      const at = sweep.axes.map((a, i) => `${FIELD_BY_PATH.get(a.field)!.key}=${coords[i]}`).join(', ');
      issues.push({ field: 'sweep', message: `at ${at}: ${conflicts.join('; ')}` });
    }
  }
  const budget = sweepBudget(sweep);
  if (!budget.ok) issues.push({ field: 'sweep', message: budget.message! });
  return issues;
}

/** Validates an untrusted sweep object (a sweep file's `sweep`). */
export function parseSweepObject(input: unknown, parseBase: (base: unknown) => { spec: ExperimentSpec; errors: SpecIssue[] }): ParsedSweep {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { sweep: null, errors: [{ field: 'sweep', message: 'the sweep must be a JSON object' }] };
  const o = input as Record<string, unknown>;
  const errors: SpecIssue[] = [];
  if (o.version !== SWEEP_VERSION) errors.push({ field: 'sweep.version', message: `sweep version ${JSON.stringify(o.version)} is not one this lab reads (expected ${SWEEP_VERSION})` });
  const base = parseBase(o.base);
  errors.push(...base.errors.map((e) => ({ field: `sweep.base.${e.field}`, message: e.message })));
  const axes: SweepAxis[] = [];
  if (!Array.isArray(o.axes) || o.axes.length < 1 || o.axes.length > MAX_AXES) errors.push({ field: 'sweep.axes', message: `sweep.axes must list 1 to ${MAX_AXES} swept fields` });
  else
    for (const a of o.axes as unknown[]) {
      const ax = a as Record<string, unknown>;
      const r = typeof ax?.field === 'string' && typeof ax?.text === 'string' ? parseAxis(`${ax.field}=${ax.text}`, 'sweep.axes') : { ok: false as const, message: 'sweep.axes entries need a field and a text' };
      if (r.ok) axes.push(r.axis);
      else errors.push({ field: 'sweep.axes', message: r.message });
    }
  const seeds = Number.isInteger(o.seeds) && (o.seeds as number) >= 1 && (o.seeds as number) <= MAX_SEEDS ? (o.seeds as number) : NaN;
  if (Number.isNaN(seeds)) errors.push({ field: 'sweep.seeds', message: `sweep.seeds = ${JSON.stringify(o.seeds)} is not an integer from 1 to ${MAX_SEEDS}` });
  let lengths: number[] = [];
  if (Array.isArray(o.lengths) && o.lengths.length > 0) {
    const r = parseLengths(o.lengths.join(','));
    if (r.ok) lengths = r.lengths;
    else errors.push({ field: 'sweep.lengths', message: r.message });
  } else if (!Array.isArray(o.lengths)) errors.push({ field: 'sweep.lengths', message: 'sweep.lengths must be a list of context lengths (empty for the default)' });
  if (o.sourceDefaults !== undefined && typeof o.sourceDefaults !== 'boolean') errors.push({ field: 'sweep.sourceDefaults', message: `sweep.sourceDefaults = ${JSON.stringify(o.sourceDefaults)} is not true or false; false was used` });
  if (axes.length === 0 || Number.isNaN(seeds)) return { sweep: null, errors };
  const sweep: SweepSpec = { version: SWEEP_VERSION, base: base.spec, axes, seeds, lengths, ...(o.sourceDefaults === true ? { sourceDefaults: true } : {}) };
  errors.push(...checkSweep(sweep));
  return { sweep, errors };
}
