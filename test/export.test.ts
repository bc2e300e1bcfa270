// The export builders: file names, a matrix as CSV and JSON (read back to the
// same numbers, special values included) and the whole-experiment document.
import { describe, expect, it } from 'vitest';
import { buildExperimentExport, EXPORT_FORMAT, experimentJson } from '../src/export/experiment.ts';
import { parse } from 'csv-parse/sync';
import { asciiLabel, exportFileName, formatNumber, matrixCsv, matrixJson, parseNumber } from '../src/export/matrix.ts';

/** matrixCsv's text read back by a CSV parser: the header labels and the rows of numbers (parseNumber). */
function parseMatrixCsv(text: string): { header: string[]; rows: number[][] } {
  const [header, ...rows] = parse(text) as string[][];
  return { header, rows: rows.map((r) => r.map(parseNumber)) };
}
import { RESULT_FORMAT } from '../src/analysis/evaluation.ts';
import type { NamedMatrix } from '../src/models/types.ts';
import { defaultSpec, encodeSpec } from '../src/spec/index.ts';

/** Random float32 values over many magnitudes and both signs (not hand-picked). */
function randomMatrix(rows: number, cols: number, seed: number): NamedMatrix {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const data = Array.from({ length: rows * cols }, () => Math.fround((next() - 0.5) * 10 ** Math.floor(next() * 16 - 8)));
  return { name: 'W_KQ', rows, cols, data, noGradient: data.map(() => next() < 0.3), caption: 'a, "quoted" caption' };
}

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 1e-310, Math.fround(0.1), 0.1 + 0.2, 123456789.123456789];

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe('formatNumber / parseNumber', () => {
  it('round-trips every special value and float exactly (sign of zero included)', () => {
    for (const v of SPECIAL) expect(sameNumber(parseNumber(formatNumber(v)), v), `${v} → ${formatNumber(v)}`).toBe(true);
    const m = randomMatrix(7, 5, 11);
    for (const v of m.data) expect(parseNumber(formatNumber(v))).toBe(v);
  });
  it('rejects text that is not a number', () => {
    expect(() => parseNumber('')).toThrow();
    expect(() => parseNumber('abc')).toThrow();
  });
});

describe('file names and labels', () => {
  it('names files icl-lab_<view>.<ext> in ASCII', () => {
    expect(exportFileName('W_KQ', 'png')).toBe('icl-lab_W_KQ.png');
    expect(exportFileName('Γ_eff', 'csv')).toBe('icl-lab_Gamma_eff.csv');
    expect(exportFileName('Γ*', 'json')).toBe('icl-lab_Gamma_star.json');
    expect(exportFileName('KQ^2', 'svg')).toBe('icl-lab_KQ_2.svg');
    expect(exportFileName('pattern OV^10', 'svg')).toBe('icl-lab_pattern_OV_10.svg');
    expect(exportFileName('length curve', 'png')).toBe('icl-lab_length_curve.png');
  });
  it('turns the page labels into ASCII', () => {
    expect(['x₁', 'x₁₂', 'y', 'y₂', 'ŷ₃', 'ω₁'].map(asciiLabel)).toEqual(['x1', 'x12', 'y', 'y2', 'yhat3', 'omega1']);
  });
});

describe('matrixCsv', () => {
  it('round-trips to the matrix, with a header of the coordinate labels', () => {
    for (const [rows, cols, seed] of [
      [4, 4, 1],
      [8, 2, 2],
      [5, 1, 3],
    ] as const) {
      const m = randomMatrix(rows, cols, seed);
      const labels = cols === 4 ? ['x₁', 'x₂', 'x₃', 'y'] : cols === 2 ? ['ŷ₁', 'ŷ₂'] : [''];
      const { header, rows: back } = parseMatrixCsv(matrixCsv(m, labels));
      expect(header).toEqual(cols === 4 ? ['x1', 'x2', 'x3', 'y'] : cols === 2 ? ['yhat1', 'yhat2'] : ['W_KQ']);
      expect(back.length).toBe(rows);
      for (let r = 0; r < rows; r++) {
        expect(back[r].length).toBe(cols);
        for (let c = 0; c < cols; c++) expect(back[r][c]).toBe(m.data[r * cols + c]);
      }
    }
  });
  it('quotes a label that holds a comma or a quote, and a CSV parser reads it back', () => {
    const m = randomMatrix(2, 2, 9);
    const text = matrixCsv(m, ['a,b', 'say "x"']);
    expect(text.split('\n')[0]).toBe('"a,b","say ""x"""');
    expect(parseMatrixCsv(text).header).toEqual(['a,b', 'say "x"']);
  });
  it('writes special values without loss', () => {
    const data = [...SPECIAL, 1.5];
    const m: NamedMatrix = { name: 'S', rows: 3, cols: 4, data, noGradient: data.map(() => false), caption: '' };
    const text = matrixCsv(m, ['a', 'b', 'c', 'd']);
    expect(text.split('\n')[1]).toBe('NaN,Infinity,-Infinity,-0');
    const back = parseMatrixCsv(text).rows.flat();
    data.forEach((v, i) => expect(sameNumber(back[i], v), `${v} read back as ${back[i]}`).toBe(true));
  });
});

describe('matrixJson', () => {
  it('holds name, rows, cols, data, noGradient, caption and the labels; special values as strings', () => {
    const m = randomMatrix(3, 3, 5);
    m.data[4] = NaN;
    m.data[5] = -Infinity;
    const doc = JSON.parse(matrixJson(m, { rowLabels: ['x₁', 'x₂', 'y'], colLabels: ['x₁', 'x₂', 'y'] }));
    expect(doc.name).toBe('W_KQ');
    expect([doc.rows, doc.cols]).toEqual([3, 3]);
    expect(doc.noGradient).toEqual(m.noGradient);
    expect(doc.caption).toBe(m.caption);
    expect(doc.colLabels).toEqual(['x1', 'x2', 'y']);
    expect(doc.data[4]).toBe('NaN');
    expect(doc.data[5]).toBe('-Infinity');
    const back = (doc.data as (number | string)[]).map((v) => (typeof v === 'string' ? parseNumber(v) : v));
    m.data.forEach((v, i) => expect(sameNumber(back[i], v)).toBe(true));
  });
});

describe('experiment export', () => {
  it('carries the spec, link, params and matrices, tagged with its format', () => {
    const spec = defaultSpec();
    const m = randomMatrix(4, 4, 9);
    const params = new Float32Array(m.data);
    const doc = buildExperimentExport({
      spec,
      share: encodeSpec(spec),
      shareUrl: `https://example.org/?${encodeSpec(spec)}`,
      adapter: 'test',
      status: 'paused',
      steps: 12,
      params,
      layout: [{ name: 'W_KQ', offset: 0, rows: 4, cols: 4 }],
      matrices: [m],
      lossHistory: { step: new Float64Array([10, 12]), loss: new Float64Array([1.5, NaN]) },
      theory: null,
      theoryByOutput: null,
      lsa: null,
      test: null,
      identification: null,
      outputs: null,
      lengthCurves: null,
      softmax: null,
      exportedAt: new Date(0),
    });
    const back = JSON.parse(experimentJson(doc));
    expect(back.format).toBe(EXPORT_FORMAT);
    expect(back.formatVersion).toBe(1);
    expect(back.resultFormat.format).toBe(RESULT_FORMAT);
    expect(back.spec).toEqual(spec);
    expect(back.share).toBe(encodeSpec(spec));
    expect(back.steps).toBe(12);
    expect(back.totalSteps).toBe(spec.train.steps);
    expect(back.params.count).toBe(16);
    expect(back.params.data).toEqual(Array.from(params));
    expect(back.matrices.W_KQ.data).toEqual(m.data);
    expect(back.lossHistory).toEqual({ step: [10, 12], loss: [1.5, 'NaN'] });
    expect(back.exportedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(back.lengthGeneralization).toBeNull();
  });
});
