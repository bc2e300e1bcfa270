// The sweep file (format 'icl-lab-sweep'): the sweep spec, its link, every
// run's record (`runs`, in index order) and the per-point aggregates
// (`points`), with the wall-clock figures under `timing`. A shard's file holds
// its own runs and their points; merge puts shards back together and
// recomputes the points, and refuses shards of different sweeps or a set with
// shards missing or given twice. Files are untrusted when read back.
import { stringify } from 'csv-stringify/browser/esm/sync';
import { aggregatePoint, runScalars, type PointAggregate } from '../analysis/sweepPoints.ts';
import { FIELD_BY_PATH } from '../spec/fields.ts';
import { parseSpec } from '../spec/validate.ts';
import { encodeSpec } from '../spec/codec.ts';
import {
  encodeSweep,
  expandSweep,
  gridPoints,
  parseSweepObject,
  pointSpec,
  runCount,
  shardRuns,
  type AxisValue,
  type SweepSpec,
} from '../spec/sweep.ts';
import type { SweepRunRecord } from './sweep.ts';

export const SWEEP_FORMAT = 'icl-lab-sweep';
export const SWEEP_FORMAT_VERSION = 1;
/** Largest sweep file read back (bytes of text). */
export const MAX_SWEEP_FILE_BYTES = 512 * 2 ** 20;

export interface SweepPoint extends PointAggregate {
  point: number;
  coords: AxisValue[];
  /** The swept fields' link keys → values at this point. */
  values: Record<string, AxisValue>;
  /** Link of the point's spec (replicate 0). */
  share: string;
  /** Indices of the point's runs present in this file. */
  runs: number[];
}

export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  formatVersion: number;
  sweep: SweepSpec;
  /** The sweep's link: the page opens it as this sweep. */
  share: string;
  /** Runs of the whole sweep (a shard holds a slice of them). */
  runCount: number;
  /** This file's slice of the runs; null for a whole sweep. */
  shard: { index: number; count: number } | null;
  runs: SweepRunRecord[];
  points: SweepPoint[];
  timing: Record<string, unknown>;
}

export function sweepPoints(sweep: SweepSpec, records: SweepRunRecord[]): SweepPoint[] {
  const byPoint = new Map<number, SweepRunRecord[]>();
  for (const r of records) {
    if (!byPoint.has(r.point)) byPoint.set(r.point, []);
    byPoint.get(r.point)!.push(r);
  }
  return gridPoints(sweep).flatMap((coords, point) => {
    const runs = (byPoint.get(point) ?? []).sort((a, b) => a.index - b.index);
    if (runs.length === 0) return [];
    const values = Object.fromEntries(sweep.axes.map((a, i) => [FIELD_BY_PATH.get(a.field)!.key, coords[i]]));
    return [{ point, coords, values, share: encodeSpec(pointSpec(sweep, coords).spec), runs: runs.map((r) => r.index), ...aggregatePoint(runs) }];
  });
}

export function buildSweepFile(sweep: SweepSpec, records: SweepRunRecord[], options: { shard?: { index: number; count: number } | null; timing?: Record<string, unknown> } = {}): SweepFile {
  const runs = [...records].sort((a, b) => a.index - b.index);
  return {
    format: SWEEP_FORMAT,
    formatVersion: SWEEP_FORMAT_VERSION,
    sweep,
    share: encodeSweep(sweep),
    runCount: runCount(sweep),
    shard: options.shard ?? null,
    runs,
    points: sweepPoints(sweep, runs),
    timing: options.timing ?? {},
  };
}

export class SweepFileError extends Error {
  override name = 'SweepFileError';
}

/** Drops every key named `timing`, at any depth: what two sweeps of the same spec must agree on. */
export function withoutTiming(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTiming);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'timing') out[k] = withoutTiming(v);
    return out;
  }
  return value;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads an untrusted sweep file (parsed JSON): format and version, the sweep
 * spec (validated like a link), and every run record checked against the
 * sweep's own expansion (index in range, its spec the one the sweep gives
 * that index, no index twice) and for the fields the aggregates read.
 * Throws a SweepFileError naming the first problem; `name` names the file.
 */
export function readSweepFile(json: unknown, name = 'the sweep file'): SweepFile {
  const bad = (why: string): never => {
    throw new SweepFileError(`${name}: ${why}`);
  };
  if (!isObj(json)) bad('is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== SWEEP_FORMAT) bad(`is not an ICL Lab sweep file (format ${JSON.stringify(o.format)}; expected "${SWEEP_FORMAT}")`);
  if (o.formatVersion !== SWEEP_FORMAT_VERSION) bad(`has format version ${JSON.stringify(o.formatVersion)}; this lab reads ${SWEEP_FORMAT_VERSION}`);
  const parsed = parseSweepObject(o.sweep, parseSpec);
  if (!parsed.sweep || parsed.errors.length > 0) bad(`its sweep is not valid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const sweep = parsed.sweep!;
  let shard: SweepFile['shard'] = null;
  if (o.shard !== null && o.shard !== undefined) {
    const s = o.shard as Record<string, unknown>;
    if (!isObj(s) || !Number.isInteger(s.index) || !Number.isInteger(s.count) || (s.count as number) < 1 || (s.index as number) < 1 || (s.index as number) > (s.count as number))
      bad('its shard must be {index, count} with 1 ≤ index ≤ count');
    shard = { index: s.index as number, count: s.count as number };
  }
  if (!Array.isArray(o.runs)) bad('has no runs list');
  const plans = shardRuns(expandSweep(sweep), shard);
  const planBy = new Map(plans.map((p) => [p.index, p]));
  const seen = new Set<number>();
  const runs: SweepRunRecord[] = [];
  for (const [i, raw] of (o.runs as unknown[]).entries()) {
    const where = `run ${i + 1} of its runs list`;
    if (!isObj(raw)) bad(`${where} is not an object`);
    const r = raw as Record<string, unknown>;
    if (!Number.isInteger(r.index)) bad(`${where} has no integer index`);
    const index = r.index as number;
    const plan = planBy.get(index);
    if (!plan) bad(`${where} has index ${index}, which is not a run of ${shard ? `shard ${shard.index}/${shard.count} of ` : ''}this sweep (${runCount(sweep)} runs)`);
    if (seen.has(index)) bad(`run ${index} appears twice`);
    seen.add(index);
    if (encodeSpec(parseSpec(r.spec).spec) !== encodeSpec(plan!.spec) || parseSpec(r.spec).errors.length > 0)
      bad(`run ${index}'s spec is not the one this sweep gives run ${index} (the file was edited or comes from another sweep)`);
    if (r.status !== 'done' && r.status !== 'diverged' && r.status !== 'failed') bad(`run ${index} has status ${JSON.stringify(r.status)}`);
    if (r.status === 'done') {
      const res = r.result as Record<string, unknown>;
      const ok =
        isObj(res) &&
        Array.isArray(res.outputs) &&
        res.outputs.length === plan!.spec.task.tasks &&
        (res.outputs as unknown[]).every((x) => isObj(x) && isObj(x.test) && isObj(x.identification) && isObj(x.lengthGeneralization) && isObj(x.theory)) &&
        isObj(res.lossHistory) &&
        Array.isArray((res.lossHistory as Record<string, unknown>).loss);
      if (!ok) bad(`run ${index} is marked done but its result is missing or malformed`);
      try {
        runScalars(res as never);
      } catch {
        bad(`run ${index}'s result could not be read`);
      }
    }
    runs.push({
      index,
      point: plan!.point,
      replicate: plan!.replicate,
      coords: plan!.coords,
      spec: plan!.spec,
      share: encodeSpec(plan!.spec),
      status: r.status as SweepRunRecord['status'],
      ...(typeof r.message === 'string' ? { message: r.message } : {}),
      notes: plan!.notes,
      ...(r.status === 'done' ? { result: r.result as SweepRunRecord['result'] } : {}),
      timing: isObj(r.timing) ? (r.timing as unknown as SweepRunRecord['timing']) : null,
    });
  }
  return buildSweepFile(sweep, runs, { shard, timing: isObj(o.timing) ? (o.timing as Record<string, unknown>) : {} });
}

/**
 * Puts shard files back together. All must be shards of one sweep (the same
 * link) and of one shard count, each shard once and none missing; a whole
 * (unsharded) file merges only alone. The result is the whole sweep's file,
 * its points recomputed from all runs, each shard's timing kept.
 */
export function mergeSweepFiles(files: { name: string; file: SweepFile }[]): SweepFile {
  if (files.length === 0) throw new SweepFileError('no sweep files to merge');
  const first = files[0];
  for (const f of files.slice(1))
    if (f.file.share !== first.file.share)
      throw new SweepFileError(`${f.name} is a shard of a different sweep than ${first.name} (their sweep links differ); only shards of one sweep merge`);
  const whole = files.filter((f) => f.file.shard === null);
  if (whole.length > 0 && files.length > 1) throw new SweepFileError(`${whole[0].name} is a whole sweep, not a shard; merge shards only`);
  const counts = new Set(files.map((f) => f.file.shard?.count ?? 1));
  if (counts.size > 1) throw new SweepFileError(`the files are shards of different splits (shard counts ${[...counts].join(', ')}); merge the shards of one split`);
  const count = [...counts][0];
  const byShard = new Map<number, string>();
  for (const f of files) {
    const i = f.file.shard?.index ?? 1;
    if (byShard.has(i)) throw new SweepFileError(`shard ${i}/${count} is given twice (${byShard.get(i)} and ${f.name})`);
    byShard.set(i, f.name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byShard.has(i));
  if (missing.length > 0) throw new SweepFileError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  const runs = files.flatMap((f) => f.file.runs);
  const sweep = first.file.sweep;
  const total = runCount(sweep);
  const have = new Set(runs.map((r) => r.index));
  const absent = Array.from({ length: total }, (_, i) => i).filter((i) => !have.has(i));
  if (absent.length > 0)
    throw new SweepFileError(
      `the shards hold ${have.size} of the sweep's ${total} runs: run${absent.length > 1 ? 's' : ''} ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', …' : ''} ${absent.length > 1 ? 'are' : 'is'} missing (a shard stopped early?)`,
    );
  const timing = { shards: files.map((f) => ({ file: f.name, shard: f.file.shard, ...f.file.timing })) };
  return buildSweepFile(sweep, runs, { shard: null, timing });
}

/** Columns of the run table besides the swept fields. */
const TABLE_METRICS = [
  'test.model',
  'test.oneStepGd',
  'test.preconditionedGd',
  'test.debiasedGd',
  'test.ridge',
  'theory.gdLoss',
  'lsa.etaRatio',
  'lsa.gammaRelError',
  'softmax.zeroSum',
  'identification.r2',
  'train.finalLoss',
] as const;

export interface RunTableRow {
  index: number;
  point: number;
  replicate: number;
  values: AxisValue[];
  dataSeed: number;
  initSeed: number;
  status: SweepRunRecord['status'];
  identified: string;
  metrics: Record<string, number | undefined>;
  share: string;
}

export function runTable(file: Pick<SweepFile, 'sweep' | 'runs'>): { axes: string[]; metrics: readonly string[]; rows: RunTableRow[] } {
  const axes = file.sweep.axes.map((a) => FIELD_BY_PATH.get(a.field)!.key);
  const rows = file.runs.map((r) => {
    const s = r.result ? runScalars(r.result) : {};
    return {
      index: r.index,
      point: r.point,
      replicate: r.replicate,
      values: r.coords,
      dataSeed: r.spec.train.dataSeed,
      initSeed: r.spec.train.initSeed,
      status: r.status,
      identified: r.result?.identification.label ?? '',
      metrics: Object.fromEntries(TABLE_METRICS.map((k) => [k, s[k]])),
      share: r.share,
    };
  });
  return { axes, metrics: TABLE_METRICS, rows };
}

/** The run table as CSV: one row per run, the swept values, seeds, status, the main metrics and the run's link. */
export function runTableCsv(file: Pick<SweepFile, 'sweep' | 'runs'>): string {
  const t = runTable(file);
  const header = ['run', 'point', 'replicate', ...t.axes, 'dataSeed', 'initSeed', 'status', 'identified', ...t.metrics, 'link'];
  const rows = t.rows.map((r) => [r.index, r.point, r.replicate, ...r.values.map(String), r.dataSeed, r.initSeed, r.status, r.identified, ...t.metrics.map((k) => (r.metrics[k] === undefined ? '' : String(r.metrics[k]))), '?' + r.share]);
  return stringify([header, ...rows]);
}
