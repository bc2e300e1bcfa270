// One learned matrix as a heatmap: diverging colours centred at 0 (blue < 0 <
// red) on a symmetric range set by the entries that train. Entries that can
// never affect the prediction (the model's noGradient flags) are drawn grey
// and hatched: they only ever hold their random initial values, and letting
// them set the colour range would wash out the entries that matter.
import { titleParts } from '../models/matrixTitle.ts';
import { useMemo } from 'react';
import type { Data, Layout, Shape } from 'plotly.js';
import type { NamedMatrix } from '../models/types.ts';
import { useLab } from '../store/labStore.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { currentPlotTheme, plotBaseLayout, usePlotTheme, type PlotTheme } from './plotTheme.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { flaggedRects, hatchPath } from './hatch.ts';
import { TexText } from './Tex.tsx';
import { colourRange, tokenLabels } from '../models/matrixView.ts';


export { colourRange, outputLabels, tokenLabels, xLabels } from '../models/matrixView.ts';

export interface HeatmapOptions {
  /** Half-width of the colour range; colourRange(m) by default. */
  range?: number;
  /**
   * Small multiples (softmax heads): no colour bar (the card states the
   * ranges), small tick labels, row labels only where asked, the matrix's
   * name in the hover text.
   */
  compact?: boolean;
  /** Compact only: label the rows (off for a matrix drawn right of one that does). */
  rowTicks?: boolean;
  /** Names of the rows and columns (a square matrix); token coordinates x₁ … x_{D−1}, y by default. */
  coordNames?: string[];
  /** Names of the rows, and of the columns, where they differ (they override coordNames). */
  rowNames?: string[];
  colNames?: string[];
  /** Draw the colour bar (default: unless compact). */
  showScale?: boolean;
  /** Colours (the current theme's by default). */
  theme?: PlotTheme;
}

/** The row and column names buildHeatmapFigure gives a matrix with these options. */
export function heatmapLabels(m: Pick<NamedMatrix, 'rows' | 'cols'>, options: HeatmapOptions = {}): { rowLabels: string[]; colLabels: string[] } {
  const rowLabels = options.rowNames ?? options.coordNames ?? tokenLabels(m.rows - 1);
  const colLabels = options.colNames ?? (m.cols === 1 ? [''] : (options.coordNames ?? tokenLabels(m.cols - 1)));
  return { rowLabels, colLabels };
}

export function buildHeatmapFigure(m: NamedMatrix, options: HeatmapOptions = {}): { data: Data[]; layout: Partial<Layout> } {
  const { rows, cols } = m;
  const compact = options.compact ?? false;
  const theme = options.theme ?? currentPlotTheme();
  const FROZEN_LINE = theme.hatchLine;
  const z: number[][] = [];
  const frozen: (number | null)[][] = [];
  const labels: string[][] = [];
  // A single column (OV^h with one output) is a vector: its rows are the coordinates.
  const { rowLabels: rowNames, colLabels: colNames } = heatmapLabels(m, options);
  const prefix = compact ? `${m.name}: ` : '';
  for (let r = 0; r < rows; r++) {
    const zr: number[] = [];
    const fr: (number | null)[] = [];
    const lr: string[] = [];
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const v = m.data[i];
      zr.push(v);
      fr.push(m.noGradient[i] ? v : null);
      lr.push(prefix + (cols === 1 && !colNames[0] ? `entry ${rowNames[r]}` : `row ${rowNames[r]}, column ${colNames[c]}`));
    }
    z.push(zr);
    frozen.push(fr);
    labels.push(lr);
  }
  const range = options.range !== undefined && options.range > 0 ? options.range : colourRange(m);
  // Named ticks up to 16 coordinates; beyond that Plotly's numbers (or, for small multiples, none).
  const showTicks = cols <= 16 && rows <= 16;
  const noTicks = { showticklabels: false, ticks: '' as const };
  const fallback = compact ? noTicks : {};
  const colTicks = !showTicks ? fallback : colNames.some((c) => c) ? { tickvals: colNames.map((_, i) => i), ticktext: colNames } : noTicks;
  const rowTicks = !showTicks ? fallback : !compact || options.rowTicks ? { tickvals: rowNames.map((_, i) => i), ticktext: rowNames } : noTicks;
  const small = compact ? { tickfont: { size: 10 }, ticklen: 3 } : {};
  const rects = flaggedRects(m.noGradient, rows, cols);
  const spacing = Math.max(0.25, Math.max(rows, cols) / 24);
  const shapes: Partial<Shape>[] = rects.flatMap((rc) => [
    { type: 'path', path: hatchPath(rc, spacing), line: { color: FROZEN_LINE, width: 1 }, layer: 'above' },
    {
      type: 'rect',
      x0: rc.col0 - 0.5,
      x1: rc.col1 - 0.5,
      y0: rc.row0 - 0.5,
      y1: rc.row1 - 0.5,
      line: { color: FROZEN_LINE, width: 1 },
      fillcolor: 'rgba(0,0,0,0)',
      layer: 'above',
    },
  ]);

  const data: Data[] = [
    {
      type: 'heatmap',
      name: m.name,
      z,
      // A symmetric range puts 0 at the white centre of the scale.
      zmin: -range,
      zmax: range,
      colorscale: theme.diverging,
      customdata: labels as unknown as number[][],
      hovertemplate: '%{customdata}<br>%{z:.4g}<extra></extra>',
      showscale: options.showScale ?? !compact,
      colorbar: { thickness: 10, len: 0.92, outlinewidth: 0, tickfont: { size: 10 }, xpad: 6 },
    },
    {
      type: 'heatmap',
      name: 'no gradient',
      z: frozen,
      zmin: 0,
      zmax: 1,
      colorscale: [
        [0, theme.hatchFill],
        [1, theme.hatchFill],
      ],
      showscale: false,
      hoverongaps: false,
      customdata: labels as unknown as number[][],
      hovertemplate: '%{customdata}<br>%{z:.4g} (no gradient: never changes)<extra></extra>',
    },
  ];
  const layout: Partial<Layout> = {
    font: plotBaseLayout(theme).font,
    margin: compact ? { l: options.rowTicks ? 22 : 2, r: 2, t: 18, b: 2 } : { l: 36, r: 8, t: 28, b: 8 },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    xaxis: {
      side: 'top',
      showgrid: false,
      zeroline: false,
      fixedrange: true,
      constrain: 'domain',
      ...small,
      ...colTicks,
    },
    yaxis: {
      autorange: 'reversed',
      scaleanchor: 'x',
      showgrid: false,
      zeroline: false,
      fixedrange: true,
      constrain: 'domain',
      ...small,
      // Small multiples line up at the top, whatever each one's width.
      ...(compact ? { constraintoward: 'top' as const } : {}),
      ...rowTicks,
    },
    shapes,
    uirevision: m.name,
  };
  return { data, layout };
}

/** A matrix name with its sub- and superscripts set: W_KᵀW_Q^2 → W<sub>K</sub>ᵀW<sub>Q</sub><sup>2</sup>. */
export function MatrixTitle({ name }: { name: string }) {
  return (
    <>
      {titleParts(name).map((p, i) => (p.kind === 'sub' ? <sub key={i}>{p.text}</sub> : p.kind === 'sup' ? <sup key={i}>{p.text}</sup> : <span key={i}>{p.text}</span>))}
    </>
  );
}

/**
 * Row and column names of a model matrix over token coordinates: (d+k)×(d+k)
 * both ways; r×(d+k) (separate keys and queries) numbers its r rows; the
 * generic ones if the sizes do not match.
 */
function namesFor(m: NamedMatrix, d: number, k: number): Pick<HeatmapOptions, 'rowNames' | 'colNames'> {
  const D = d + k;
  if (m.cols !== D) return {};
  return { rowNames: m.rows === D ? tokenLabels(d, k) : Array.from({ length: m.rows }, (_, i) => String(i + 1)), colNames: tokenLabels(d, k) };
}

export function Heatmap({ name }: { name: string }) {
  const matrix = useLab((s) => s.matrices?.find((m) => m.name === name) ?? null);
  const d = useLab((s) => s.spec.task.d);
  const k = useLab((s) => s.spec.task.tasks);
  const theme = usePlotTheme();
  const names = useMemo(() => (matrix ? namesFor(matrix, d, k) : null), [matrix, d, k]);
  const figure = useMemo(() => (matrix && names ? buildHeatmapFigure(matrix, { ...names, theme }) : null), [matrix, names, theme]);
  const frozenCount = matrix ? matrix.noGradient.filter(Boolean).length : 0;

  return (
    <section className="card heatmap-card" aria-label={name}>
      <header className="card-header">
        <h2>
          <MatrixTitle name={name} />
          {matrix ? (
            <span className="dims">
              {matrix.rows}×{matrix.cols}
            </span>
          ) : null}
        </h2>
        <span className="card-tools">
          {frozenCount > 0 ? (
            <span className="legend-frozen">
              <span className="hatch-swatch" aria-hidden="true" /> no gradient ({frozenCount})
            </span>
          ) : null}
          {matrix && names ? (
            <ExportMenu title={name} views={[{ name, selector: `[data-heatmap="${name}"]`, matrix: { m: matrix, ...heatmapLabels(matrix, names) } }]} />
          ) : null}
        </span>
      </header>
      {figure ? (
        <PlotlyGraph data={figure.data} layout={figure.layout} className="plot heatmap-plot" attrs={{ 'data-heatmap': name }} />
      ) : (
        <div className="plot heatmap-plot placeholder">waiting for the model…</div>
      )}
      {matrix ? (
        <p className="caption" data-caption={matrix.caption}>
          {matrix.captionTex ? <TexText text={matrix.captionTex} /> : matrix.caption}
          {frozenCount > 0 ? ' Hatched entries get no gradient and keep their initial values.' : null}
        </p>
      ) : null}
    </section>
  );
}
