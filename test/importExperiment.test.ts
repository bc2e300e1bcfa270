// Reading an exported experiment back (src/export/importExperiment.ts): a valid
// document round-trips exactly, and each kind of bad file gets a named error.
import { describe, expect, it } from 'vitest';
import { buildExperimentExport, experimentJson } from '../src/export/experiment.ts';
import { MAX_IMPORT_BYTES, checkImportSize, parseExperimentImport } from '../src/export/importExperiment.ts';
import { LossHistory } from '../src/store/lossHistory.ts';
import { defaultSpec, encodeSpec, type ExperimentSpec } from '../src/spec/index.ts';

function lsaSpec(): ExperimentSpec {
  const spec = defaultSpec();
  spec.model.type = 'lsa';
  spec.model.init = 'gaussian';
  spec.task.d = 3;
  spec.task.tasks = 1;
  spec.train.steps = 300;
  return spec;
}

const NP = 2 * 4 * 4;

/** Random float32 values over many magnitudes and both signs, with -0 and 0 among them. */
function floats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = Float32Array.from({ length: n }, () => (next() - 0.5) * 10 ** Math.floor(next() * 16 - 8));
  out[0] = -0;
  out[1] = 0;
  return out;
}

function exportText(over: { spec?: ExperimentSpec; params?: Float32Array; opt?: Float32Array | null; steps?: number; timeline?: { step: number[]; params: ArrayLike<number>[] } } = {}): string {
  const spec = over.spec ?? lsaSpec();
  const params = over.params ?? floats(NP, 1);
  const doc = buildExperimentExport({
    spec,
    share: encodeSpec(spec),
    shareUrl: 'http://localhost/?' + encodeSpec(spec),
    adapter: 'test',
    status: 'paused',
    steps: over.steps ?? 150,
    params,
    optimizerState: over.opt === undefined ? floats(2 * NP, 2) : over.opt,
    layout: [
      { name: 'W_KQ', offset: 0, rows: 4, cols: 4 },
      { name: 'W_PV', offset: 16, rows: 4, cols: 4 },
    ],
    matrices: [],
    lossHistory: { step: Array.from({ length: 15 }, (_, i) => 10 * (i + 1)), loss: Array.from({ length: 15 }, (_, i) => 1 / (i + 1)) },
    theory: null,
    theoryByOutput: null,
    lsa: null,
    test: null,
    identification: null,
    outputs: null,
    lengthCurves: null,
    softmax: null,
    timeline: over.timeline ? { step: over.timeline.step, params: over.timeline.params.map((p) => Array.from(p)) } : null,
  });
  return experimentJson(doc);
}

function errorsOf(text: string): string[] {
  const r = parseExperimentImport(text);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

function edit(mutate: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(exportText());
  mutate(doc);
  return JSON.stringify(doc);
}

describe('parseExperimentImport', () => {
  it('round-trips a valid document exactly (float32 bits, -0 included)', () => {
    const params = floats(NP, 7);
    const opt = floats(2 * NP, 8);
    const r = parseExperimentImport(exportText({ params, opt }));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const e = r.experiment;
    expect(e.spec).toEqual(lsaSpec());
    expect(e.specIssues).toEqual([]);
    expect(e.step).toBe(150);
    expect(e.params.length).toBe(NP);
    for (let i = 0; i < NP; i++) expect(Object.is(e.params[i], params[i]), `params[${i}]`).toBe(true);
    for (let i = 0; i < 2 * NP; i++) expect(Object.is(e.optState[i], opt[i]), `opt[${i}]`).toBe(true);
    expect(e.lossHistory.step.at(-1)).toBe(150);
    expect(e.lossHistory.loss[1]).toBe(0.5);
  });

  it('names a wrong format, a future version and non-object JSON', () => {
    expect(errorsOf(edit((d) => (d.format = 'icl-lab-result')))[0]).toMatch(/format = "icl-lab-result"/);
    expect(errorsOf(edit((d) => (d.formatVersion = 2)))[0]).toMatch(/formatVersion 2 comes from a newer ICL Lab/);
    expect(errorsOf('[1, 2, 3]')[0]).toMatch(/not an exported experiment/);
    expect(errorsOf('null')[0]).toMatch(/not an exported experiment/);
    expect(errorsOf('{"format": ')[0]).toMatch(/not JSON/);
  });

  it('names wrong lengths of the parameters and the optimizer state', () => {
    expect(errorsOf(edit((d) => d.params.data.pop())).join('\n')).toMatch(/params\.data has 31 numbers; the model of this spec needs 32/);
    expect(errorsOf(edit((d) => d.optimizerState.data.push(1))).join('\n')).toMatch(/optimizerState\.data has 65 numbers; the model of this spec needs 64/);
    expect(errorsOf(edit((d) => (d.optimizerState = null))).join('\n')).toMatch(/optimizerState is missing/);
  });

  it('names NaN, Infinity and non-numbers in the parameters', () => {
    expect(errorsOf(edit((d) => (d.params.data[5] = 'NaN'))).join('\n')).toMatch(/params\.data\[5\] = "NaN" is not a finite number/);
    expect(errorsOf(edit((d) => (d.optimizerState.data[3] = 'Infinity'))).join('\n')).toMatch(/optimizerState\.data\[3\] = "Infinity" is not a finite number/);
    expect(errorsOf(edit((d) => (d.params.data[2] = '<img src=x onerror=alert(1)>'))).join('\n')).toMatch(/params\.data\[2\] = "<img/);
    expect(errorsOf(edit((d) => (d.params.data[4] = 0.1))).join('\n')).toMatch(/params\.data\[4\] = 0\.1 is not a float32 value/);
  });

  it('refuses an oversized file before parsing it', () => {
    expect(checkImportSize(MAX_IMPORT_BYTES)).toBeNull();
    expect(checkImportSize(MAX_IMPORT_BYTES + 1)).toMatch(/MiB/);
    const big = ' '.repeat(MAX_IMPORT_BYTES + 1);
    expect(errorsOf(big)[0]).toMatch(/at most 64 MiB/);
  });

  it('names bad spec fields; refuses repairs that change the model, keeps others as issues', () => {
    const d = errorsOf(edit((doc) => (doc.spec.task.d = 'abc')));
    expect(d.join('\n')).toMatch(/task\.d = "abc" is not a number/);
    expect(d.join('\n')).toMatch(/changes the model/);
    expect(errorsOf(edit((doc) => (doc.spec.model.type = 'mlp'))).join('\n')).toMatch(/model\.type = "mlp" is not a known option/);
    const r = parseExperimentImport(edit((doc) => (doc.spec.task.noiseVar = -1)));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.experiment.specIssues.map((i) => i.field)).toEqual(['task.noiseVar']);
    expect(errorsOf(edit((doc) => (doc.spec = 'x'))).join('\n')).toMatch(/spec: the spec must be a JSON object/);
  });

  it('names a step out of range and a loss history that does not fit', () => {
    expect(errorsOf(edit((d) => (d.steps = 301))).join('\n')).toMatch(/steps = 301 is not a step from 0/);
    expect(errorsOf(edit((d) => (d.steps = 1.5))).join('\n')).toMatch(/steps = 1.5/);
    expect(errorsOf(edit((d) => d.lossHistory.loss.pop())).join('\n')).toMatch(/lossHistory has 15 steps but 14 losses/);
    expect(errorsOf(edit((d) => (d.lossHistory.step[3] = 5))).join('\n')).toMatch(/lossHistory\.step\[3\] = 5/);
  });
});

describe('LossHistory.seed', () => {
  it('holds the seeded points and continues after them', () => {
    const h = new LossHistory(16);
    h.seed([10, 20, 30], [3, 2, 1]);
    expect(h.length).toBe(30);
    expect(h.bucketWidth).toBe(16);
    let p = h.points();
    expect(Array.from(p.x)).toEqual([10, 20, 30]);
    expect(Array.from(p.y)).toEqual([3, 2, 1]);
    const h1 = new LossHistory(16);
    h1.seed([1, 2, 3], [3, 2, 1]);
    h1.push([0.5, 0.25]);
    p = h1.points();
    expect(Array.from(p.x)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(p.y)).toEqual([3, 2, 1, 0.5, 0.25]);
  });
});

describe('an exported timeline', () => {
  const kept = [0, 1, 2, 5, 40, 150];
  const vectors = kept.map((s) => floats(NP, 100 + s));

  it('comes back bit for bit (-0 included), and a file without one imports as before', () => {
    const r = parseExperimentImport(exportText({ timeline: { step: kept, params: vectors } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.experiment.timeline!.snapshots.map((k) => k.step)).toEqual(kept);
    r.experiment.timeline!.snapshots.forEach((k, i) => expect(new Uint32Array(k.params.buffer)).toEqual(new Uint32Array(vectors[i].buffer)));
    const plain = parseExperimentImport(exportText());
    expect(plain.ok && plain.experiment.timeline).toBeUndefined();
  });

  it('names what is wrong: a snapshot past the exported step, a short vector, a bad value, decreasing steps, a wrong shape', () => {
    const cases: [(doc: Record<string, any>) => void, RegExp][] = [
      [(d) => (d.timeline.step[5] = 151), /timeline has a snapshot at step 151, after the exported step 150/],
      [(d) => d.timeline.params[2].pop(), /timeline\.params\[2\]\.data has 31 numbers; the model of this spec needs 32/],
      [(d) => (d.timeline.params[1][4] = 'NaN'), /timeline\.params\[1\]\.data\[4\] = "NaN" is not a finite number/],
      [(d) => ([d.timeline.step[2], d.timeline.step[3]] = [5, 2]), /steps must increase/],
      [(d) => (d.timeline = { step: 3 }), /timeline must be \{ step: number\[\], params: number\[\]\[\] \}/],
    ];
    for (const [mutate, message] of cases) {
      const doc = JSON.parse(exportText({ timeline: { step: kept, params: vectors } }));
      mutate(doc);
      expect(errorsOf(JSON.stringify(doc)).join('\n')).toMatch(message);
    }
  });
});
