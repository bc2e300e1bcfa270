// One frame of a training animation as SVG text: the model's matrices as
// heatmaps on a grid (each titled, on the diverging scale the page uses, with
// entries that never get gradient greyed), and a caption per frame (step,
// loss, the experiment's link). Pure text, no DOM: the runner writes frames
// as files, the page rasterizes them for the GIF and the video. White
// background and the light theme's colours, like the other exports.
import { scaleLinear } from 'd3-scale';
import type { NamedMatrix } from '../models/types.ts';
import { titleParts } from '../models/matrixTitle.ts';

/** The page's diverging scale (light theme): blue < 0 < red, stops on [0, 1]. */
export const DIVERGING_STOPS: [number, string][] = [
  [0, '#2166ac'],
  [0.2, '#67a9cf'],
  [0.4, '#d1e5f0'],
  [0.5, '#f7f7f7'],
  [0.6, '#fddbc7'],
  [0.8, '#ef8a62'],
  [1, '#b2182b'],
];

const FONT = 'DejaVu Sans, Inter, Arial, Helvetica, sans-serif';
const TEXT = '#1e293b';
const MUTED = '#64748b';
const FROZEN = '#e2e8f0';

/** A matrix on the frame, with the half-width of its colour range (fixed across frames). */
export interface FramePanel {
  title: string;
  matrix: NamedMatrix;
  range: number;
  rowLabels: string[];
  colLabels: string[];
}

export interface FrameLayout {
  width: number;
  height: number;
  /** Side of one heatmap cell, in pixels. */
  cell: number;
  columns: number;
}

const MARGIN = 16;
const GAP = 18;
const TITLE = 22;
const LABEL = 26;
const CAPTION = 34;
const PANEL = 168;

/** The frame's size: panels of at most PANEL pixels a side, up to four a row; even sizes, as video encoders need. */
export function frameLayout(panels: Pick<FramePanel, 'matrix'>[], maxColumns = 4): FrameLayout {
  if (panels.length === 0) throw new Error('no matrix to draw');
  const columns = Math.min(maxColumns, panels.length);
  const rows = Math.ceil(panels.length / columns);
  const maxDim = Math.max(...panels.map((p) => Math.max(p.matrix.rows, p.matrix.cols)));
  const cell = Math.max(4, Math.floor(PANEL / maxDim));
  const cellW = LABEL + cell * Math.max(...panels.map((p) => p.matrix.cols));
  const cellH = TITLE + LABEL + cell * Math.max(...panels.map((p) => p.matrix.rows));
  const even = (v: number) => Math.ceil(v / 2) * 2;
  return {
    width: even(Math.max(2 * MARGIN + columns * cellW + (columns - 1) * GAP, 360)),
    height: even(2 * MARGIN + rows * cellH + (rows - 1) * GAP + CAPTION),
    cell,
    columns,
  };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A matrix name as SVG text runs: `_x` subscript, `^x` superscript (as the page's titles). */
function titleSpans(name: string): string {
  return titleParts(name)
    .map((p) => (p.kind === 'plain' ? escapeXml(p.text) : `<tspan font-size="9" baseline-shift="${p.kind === 'sub' ? 'sub' : 'super'}">${escapeXml(p.text)}</tspan>`))
    .join('');
}

/** The colour map of a scale of half-width `range` (clamped beyond it; black for a non-finite value). */
export function divergingScale(range: number): (v: number) => string {
  const scale = scaleLinear<string>()
    .domain(DIVERGING_STOPS.map(([t]) => (2 * t - 1) * range))
    .range(DIVERGING_STOPS.map(([, c]) => c))
    .clamp(true);
  return (v) => (Number.isFinite(v) ? scale(v) : '#000000');
}

/**
 * The frame: every panel's matrix cell by cell, its title above, row and
 * column labels, and `caption` lines at the bottom (cut to fit).
 */
export function frameSvg(panels: FramePanel[], caption: string[], layout = frameLayout(panels)): string {
  const { width, height, cell, columns } = layout;
  const maxCols = Math.max(...panels.map((p) => p.matrix.cols));
  const maxRows = Math.max(...panels.map((p) => p.matrix.rows));
  const cellW = LABEL + cell * maxCols;
  const cellH = TITLE + LABEL + cell * maxRows;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  const labelSize = Math.max(7, Math.min(11, Math.floor(cell * 0.55)));
  panels.forEach((p, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x0 = MARGIN + col * (cellW + GAP);
    const y0 = MARGIN + row * (cellH + GAP);
    const m = p.matrix;
    const gx = x0 + LABEL;
    const gy = y0 + TITLE + LABEL;
    const colour = divergingScale(p.range);
    parts.push(`<text x="${gx + (cell * m.cols) / 2}" y="${y0 + 15}" text-anchor="middle" font-family="${FONT}" font-size="13" font-weight="600" fill="${TEXT}">${titleSpans(p.title)}</text>`);
    for (let r = 0; r < m.rows; r++)
      for (let c = 0; c < m.cols; c++) {
        const k = r * m.cols + c;
        const fill = m.noGradient[k] ? FROZEN : colour(m.data[k]);
        parts.push(`<rect x="${gx + c * cell}" y="${gy + r * cell}" width="${cell}" height="${cell}" fill="${fill}"/>`);
      }
    parts.push(`<rect x="${gx}" y="${gy}" width="${cell * m.cols}" height="${cell * m.rows}" fill="none" stroke="${MUTED}" stroke-width="0.5"/>`);
    if (cell >= 10) {
      p.colLabels.forEach((l, c) =>
        parts.push(`<text x="${gx + c * cell + cell / 2}" y="${gy - 5}" text-anchor="middle" font-family="${FONT}" font-size="${labelSize}" fill="${MUTED}">${escapeXml(l)}</text>`),
      );
      p.rowLabels.forEach((l, r) =>
        parts.push(`<text x="${gx - 4}" y="${gy + r * cell + cell / 2 + labelSize / 3}" text-anchor="end" font-family="${FONT}" font-size="${labelSize}" fill="${MUTED}">${escapeXml(l)}</text>`),
      );
    }
  });
  // Caption lines, cut to the frame's width (about 6.6 px a character at 11 px).
  const room = Math.floor((width - 2 * MARGIN) / 6.6);
  caption.slice(0, 2).forEach((line, i) => {
    const text = line.length > room ? `${line.slice(0, room - 1)}…` : line;
    parts.push(`<text x="${MARGIN}" y="${height - CAPTION + 12 + i * 14}" font-family="${FONT}" font-size="11" fill="${i === 0 ? TEXT : MUTED}">${escapeXml(text)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
