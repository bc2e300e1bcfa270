// "Import experiment…": reads an exported experiment (src/export/experiment.ts,
// format 'icl-lab-experiment') back into what continues its run: the spec, the
// step, the parameters, the optimizer state and the loss history. The file is
// untrusted, so everything is checked here, in a pure function (no DOM, no
// store; unit-tested in test/importExperiment.test.ts), and every problem is
// named. The page (src/ui/ImportExperiment.tsx) only reads the file and hands
// the result to the run controller.
import { Timeline } from '../orchestration/timeline.ts';
import { modelFor } from '../models/index.ts';
import { extraStateSize, specBlocks } from '../engine/optimizer.ts';
import { parseSpec, type ExperimentSpec, type SpecIssue } from '../spec/index.ts';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from './experiment.ts';

/** Files larger than this are refused before they are read. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/** Spec fields that decide the model's shape (its parameter count). */
const SHAPE_FIELDS = new Set(['task.d', 'task.tasks', 'model.type', 'model.heads']);

/** What continues an exported run. */
export interface ImportedExperiment {
  spec: ExperimentSpec;
  /** Problems parseSpec found (and repaired) in the file's spec; none of them changes the model's shape. */
  specIssues: SpecIssue[];
  step: number;
  params: Float32Array;
  optState: Float32Array;
  /** The loss curve as exported (bucket means; step = a bucket's last step). */
  lossHistory: { step: number[]; loss: number[] };
  /** The parameter snapshots through training, where the file has them. */
  timeline?: Timeline;
}

export type ImportResult = { ok: true; experiment: ImportedExperiment } | { ok: false; errors: string[] };

/** Null if a file of this many bytes may be read, else why not. */
export function checkImportSize(bytes: number): string | null {
  if (bytes > MAX_IMPORT_BYTES) {
    return `the file is ${(bytes / 2 ** 20).toFixed(1)} MiB; an exported experiment is at most ${MAX_IMPORT_BYTES / 2 ** 20} MiB`;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** Encoded numbers the export writes as strings (experimentJson): only -0 may stand for a finite value. */
function finiteValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === '-0') return -0;
  return null;
}

/** A loss may be any number the export writes, non-finite ones included. */
function lossValue(v: unknown): number | null {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      return null;
  }
}

/** `field.data` as float32 values of exactly `count` finite numbers, or a message. */
function floatVector(field: string, value: unknown, count: number, errors: string[]): Float32Array | null {
  if (!isObject(value)) {
    errors.push(`${field} is missing or not an object (found ${describe(value)})`);
    return null;
  }
  const data = value.data;
  if (!Array.isArray(data)) {
    errors.push(`${field}.data is not an array (found ${describe(data)})`);
    return null;
  }
  if (data.length !== count) {
    errors.push(`${field}.data has ${data.length} numbers; the model of this spec needs ${count}`);
    return null;
  }
  if (value.count !== undefined && value.count !== count) errors.push(`${field}.count = ${describe(value.count)} does not match the ${count} numbers the model needs`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = finiteValue(data[i]);
    if (v === null) {
      errors.push(`${field}.data[${i}] = ${describe(data[i])} is not a finite number`);
      return null;
    }
    if (Math.fround(v) !== v && !Number.isNaN(v)) {
      errors.push(`${field}.data[${i}] = ${v} is not a float32 value (the export writes float32 values exactly)`);
      return null;
    }
    out[i] = v;
  }
  return out;
}

function lossHistoryOf(value: unknown, step: number, errors: string[]): { step: number[]; loss: number[] } | null {
  if (value === undefined || value === null) return { step: [], loss: [] };
  if (!isObject(value) || !Array.isArray(value.step) || !Array.isArray(value.loss)) {
    errors.push('lossHistory must be { step: number[], loss: number[] }');
    return null;
  }
  const xs = value.step;
  const ys = value.loss;
  if (xs.length !== ys.length) {
    errors.push(`lossHistory has ${xs.length} steps but ${ys.length} losses`);
    return null;
  }
  if (xs.length > step) {
    errors.push(`lossHistory has ${xs.length} points for ${step} steps`);
    return null;
  }
  const outX: number[] = [];
  const outY: number[] = [];
  let prev = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x <= prev || x > step) {
      errors.push(`lossHistory.step[${i}] = ${describe(x)} is not a step after ${prev} and at most ${step}`);
      return null;
    }
    const y = lossValue(ys[i]);
    if (y === null) {
      errors.push(`lossHistory.loss[${i}] = ${describe(ys[i])} is not a number`);
      return null;
    }
    outX.push(x);
    outY.push(y);
    prev = x;
  }
  if (outX.length > 0 && outX[outX.length - 1] !== step) {
    errors.push(`lossHistory ends at step ${outX[outX.length - 1]}, not at the exported step ${step}`);
    return null;
  }
  return { step: outX, loss: outY };
}

/** The file's timeline: each snapshot read like `params` (float32 values, "-0" and the like as strings), none past the exported step. */
function timelineOf(value: unknown, total: number, step: number, np: number, errors: string[]): Timeline | null {
  if (!isObject(value) || !Array.isArray(value.step) || !Array.isArray(value.params)) {
    errors.push('timeline must be { step: number[], params: number[][] }');
    return null;
  }
  const last = value.step[value.step.length - 1];
  if (typeof last === 'number' && last > step) {
    errors.push(`timeline has a snapshot at step ${last}, after the exported step ${step}`);
    return null;
  }
  const vectors: Float32Array[] = [];
  for (let i = 0; i < value.params.length; i++) {
    const v = floatVector(`timeline.params[${i}]`, { data: value.params[i] }, np, errors);
    if (!v) return null;
    vectors.push(v);
  }
  try {
    return Timeline.fromJson({ step: value.step, params: vectors }, total, np);
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
    return null;
  }
}

/**
 * Checks an exported experiment's text and returns what continues its run,
 * or every problem found (named; none of the file's text is meant as markup).
 * `paramCountOf` gives the model's parameter count for a spec (the trainer's model by default).
 */
export function parseExperimentImport(text: string, paramCountOf: (spec: ExperimentSpec) => number = (s) => modelFor(s).paramCount): ImportResult {
  const fail = (...errors: string[]): ImportResult => ({ ok: false, errors });
  const sizeProblem = checkImportSize(text.length);
  if (sizeProblem) return fail(sizeProblem);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`the file is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(doc)) return fail(`the file holds ${describe(doc)}, not an exported experiment (a JSON object)`);
  if (doc.format !== EXPORT_FORMAT) return fail(`format = ${describe(doc.format)}: not an exported ICL Lab experiment (expected "${EXPORT_FORMAT}")`);
  const version = doc.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail(`formatVersion = ${describe(version)} is not a version of "${EXPORT_FORMAT}"`);
  }
  if (version > EXPORT_FORMAT_VERSION) {
    return fail(`formatVersion ${version} comes from a newer ICL Lab; this one reads version ${EXPORT_FORMAT_VERSION}`);
  }

  const { spec, errors: specIssues } = parseSpec(doc.spec);
  if (!isObject(doc.spec)) return fail(`spec: ${specIssues.map((i) => i.message).join('; ')}`);
  const shapeIssues = specIssues.filter((i) => SHAPE_FIELDS.has(i.field));
  if (shapeIssues.length > 0) {
    return fail(...shapeIssues.map((i) => `spec: ${i.message} (this changes the model, so the file's parameters cannot be used)`));
  }

  const errors: string[] = [];
  const step = doc.steps;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > spec.train.steps) {
    errors.push(`steps = ${describe(step)} is not a step from 0 to the spec's train.steps (${spec.train.steps})`);
  }
  const np = paramCountOf(spec);
  const params = floatVector('params', doc.params, np, errors);
  if (doc.optimizerState === null || doc.optimizerState === undefined) {
    errors.push('optimizerState is missing: the file cannot resume its run (export it again with the run paused or finished)');
  }
  const optState = doc.optimizerState == null ? null : floatVector('optimizerState', doc.optimizerState, 2 * np + extraStateSize(spec.optimizer, specBlocks(spec)), errors);
  const history = typeof step === 'number' && errors.length === 0 ? lossHistoryOf(doc.lossHistory, step, errors) : null;
  const timeline = errors.length === 0 && doc.timeline != null ? timelineOf(doc.timeline, spec.train.steps, step as number, np, errors) : undefined;
  if (errors.length > 0 || !params || !optState || !history || timeline === null) {
    return fail(...errors, ...specIssues.map((i) => `spec: ${i.message}`));
  }
  return { ok: true, experiment: { spec, specIssues, step: step as number, params, optState, lossHistory: history, ...(timeline ? { timeline } : {}) } };
}
