// Pure builders for exporting one view of the lab: file names, a matrix as
// CSV (csv-stringify: one header row of coordinate labels, then rows × cols plain numbers)
// and as JSON ({name, rows, cols, data, noGradient, caption}). No DOM here, so
// the formats are unit-tested (test/export.test.ts) and the page only wires
// them to downloads.
import { stringify } from 'csv-stringify/browser/esm/sync';
import type { NamedMatrix } from '../models/types.ts';

const SUBSCRIPTS: Record<string, string> = { '₀': '0', '₁': '1', '₂': '2', '₃': '3', '₄': '4', '₅': '5', '₆': '6', '₇': '7', '₈': '8', '₉': '9' };
const GREEK: Record<string, string> = { Γ: 'Gamma', γ: 'gamma', η: 'eta', ω: 'omega', μ: 'mu', Σ: 'Sigma', σ: 'sigma', τ: 'tau' };

/**
 * A number as text without losing anything: the shortest decimal that reads
 * back to the same double (so float32 values stay exact), and NaN, Infinity,
 * -Infinity and -0 spelled so that Number() reads them back.
 */
export function formatNumber(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return String(v); // 'NaN', 'Infinity', '-Infinity' and shortest round-trip decimals
}

/** Reads formatNumber's text back (strict: anything else is NaN only if it says NaN). */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === 'NaN') return NaN;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return v;
}

/** A page label in plain ASCII for files: x₁ → x1, ŷ₂ → yhat2, Γ → Gamma. */
export function asciiLabel(label: string): string {
  return label
    .replace(/ŷ/g, 'yhat')
    .replace(/[₀-₉]/g, (c) => SUBSCRIPTS[c])
    .replace(/[ΓγηωμΣστ]/g, (c) => GREEK[c]);
}

/** `icl-lab_<view>.<ext>`: W_KQ → icl-lab_W_KQ.png, Γ_eff → icl-lab_Gamma_eff.csv, KQ^1 → icl-lab_KQ_1.svg, Γ* → icl-lab_Gamma_star.json. */
export function exportFileName(view: string, ext: string): string {
  const slug = asciiLabel(view)
    .replace(/\*/g, '_star')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return `icl-lab_${slug || 'view'}.${ext}`;
}

/**
 * The matrix as CSV: a header row naming the columns (the page's coordinate
 * labels in ASCII, x1 … xd then y or y1 … yk; the matrix name for an unnamed
 * single column), then one line per row of `cols` numbers in full precision
 * (formatNumber). Lines end with \n.
 */
export function matrixCsv(m: NamedMatrix, colLabels?: string[]): string {
  const header = Array.from({ length: m.cols }, (_, c) => (colLabels?.[c] ? asciiLabel(colLabels[c]) : m.cols === 1 ? asciiLabel(m.name) : `c${c + 1}`));
  const rows = Array.from({ length: m.rows }, (_, r) => Array.from({ length: m.cols }, (_, c) => formatNumber(m.data[r * m.cols + c])));
  // csv-stringify quotes a field only where it holds a comma, quote or line break, as the sweep's CSV.
  return stringify([header, ...rows], { record_delimiter: '\n' });
}

/** JSON.stringify's replacer for numbers JSON cannot hold: NaN, ±Infinity and -0 become the strings formatNumber writes. */
export function nonFiniteReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return formatNumber(value);
  return value;
}

/** A NamedMatrix as exported, with the page's row and column labels in ASCII (x1 … xd, y or y1 … yk). */
export interface MatrixExport extends NamedMatrix {
  rowLabels?: string[];
  colLabels?: string[];
}

export function matrixExport(m: NamedMatrix, labels: { rowLabels?: string[]; colLabels?: string[] } = {}): MatrixExport {
  return {
    name: m.name,
    rows: m.rows,
    cols: m.cols,
    data: Array.from(m.data),
    noGradient: Array.from(m.noGradient),
    caption: m.caption,
    ...(m.captionTex ? { captionTex: m.captionTex } : {}),
    ...(labels.rowLabels ? { rowLabels: labels.rowLabels.map(asciiLabel) } : {}),
    ...(labels.colLabels ? { colLabels: labels.colLabels.map(asciiLabel) } : {}),
  };
}

/** The matrix as a JSON document (MatrixExport), pretty-printed. */
export function matrixJson(m: NamedMatrix, labels: { rowLabels?: string[]; colLabels?: string[] } = {}): string {
  return JSON.stringify(matrixExport(m, labels), nonFiniteReplacer, 2) + '\n';
}
