// A sweep figure (analysis/sweepFigure.ts) as Plotly traces: each trace's
// mean ± SE band as a filled polygon under its line, the model's lines with
// markers (their points carry the grid point, so a click opens that point's
// run), the predictors' and theory's lines dashed, and a red × at the foot of
// the plot wherever a run diverged or failed. Colours come from the page's
// plot theme (exports map them to the light theme's); pure, for tests.
import type { Data, Layout } from 'plotly.js';
import type { Figure, FigureTrace } from '../../analysis/sweepFigure.ts';
import { fmt } from '../format.ts';
import { LOG_TICKS } from '../LossPlot.tsx';
import { plotBaseLayout, type PlotTheme } from '../plotTheme.ts';

export const DIVERGED_TRACE = 'diverged or failed';
export const BAND_SUFFIX = ' ± SE';

/** A trace's colour: the theme's line colours for grid lines, its muted and text hues for the references. */
export function sweepTraceColor(t: Pick<FigureTrace, 'color'>, theme: PlotTheme): string {
  if (t.color >= 0) return theme.heads[t.color % theme.heads.length];
  const refs = [theme.muted, theme.series.amberText, theme.series.greenText, theme.series.violetText];
  return refs[(-t.color - 1) % refs.length];
}

/** '#rrggbb' at opacity a, as rgba(); other colour strings as they are. */
export function withAlpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const v = parseInt(m[1], 16);
  return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${a})`;
}

const DASH: Record<FigureTrace['dash'], string> = { solid: 'solid', dash: 'dash', dot: 'dot', dashdot: 'dashdot' };

/** The band's polygon: along the upper edge, back along the lower (clamped above 0 on a log axis). */
export function bandPolygon(t: Pick<FigureTrace, 'x' | 'y' | 'se'>, logY: boolean): { x: number[]; y: number[] } | null {
  const idx = t.x.map((_, i) => i).filter((i) => Number.isFinite(t.x[i]) && Number.isFinite(t.y[i]) && t.se[i] !== null && Number.isFinite(t.se[i]!) && t.se[i]! > 0);
  if (idx.length === 0) return null;
  const floor = logY ? Math.min(...idx.map((i) => t.y[i])) / 1e3 : -Infinity;
  const hi = idx.map((i) => t.y[i] + t.se[i]!);
  const lo = idx.map((i) => Math.max(t.y[i] - t.se[i]!, logY ? Math.max(floor, t.y[i] / 1e3) : -Infinity));
  const xs = idx.map((i) => t.x[i]);
  return { x: [...xs, ...xs.slice().reverse()], y: [...hi, ...lo.slice().reverse()] };
}

/** The plot before any run finished: empty axes with a note (drawn early, so Plotly's costly first draw is not mid-sweep). */
export function emptyPlotData(xLabel: string, yLabel: string, theme: PlotTheme): { data: Data[]; layout: Partial<Layout> } {
  return {
    data: [],
    layout: {
      ...plotBaseLayout(theme),
      margin: { l: 64, r: 12, t: 8, b: 46 },
      xaxis: { title: { text: xLabel }, gridcolor: theme.grid, zeroline: false, fixedrange: true, showticklabels: false },
      yaxis: { title: { text: yLabel }, gridcolor: theme.grid, zeroline: false, fixedrange: true, showticklabels: false },
      annotations: [{ xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, text: 'The figure fills in as runs finish.', showarrow: false, font: { size: 13, color: theme.muted } }],
    },
  };
}


export function sweepPlotData(fig: Figure, theme: PlotTheme): { data: Data[]; layout: Partial<Layout> } {
  const data: Data[] = [];
  const bands: Data[] = [];
  for (const t of fig.traces) {
    const color = sweepTraceColor(t, theme);
    const band = bandPolygon(t, fig.logY);
    if (band)
      bands.push({
        type: 'scatter',
        mode: 'lines',
        name: t.name + BAND_SUFFIX,
        x: band.x,
        y: band.y,
        fill: 'toself',
        fillcolor: withAlpha(color, t.role === 'model' ? 0.2 : 0.12),
        line: { width: 0, color },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: t.name,
      });
    const model = t.role === 'model';
    const hasSe = t.se.some((v) => v !== null);
    const xText = fig.xTicks ? '%{text}' : '%{x}';
    data.push({
      type: 'scatter',
      mode: model ? 'lines+markers' : 'lines',
      name: t.name,
      x: t.x,
      y: t.y,
      legendgroup: t.name,
      line: { color, width: model ? 2.2 : 1.5, dash: DASH[t.dash] as 'solid' },
      ...(model ? { marker: { color, size: 7 } } : {}),
      // The grid point of each x: a click on a model point opens that point's first run.
      ...(model && t.points ? { customdata: t.points } : {}),
      ...(fig.xTicks ? { text: t.x.map((x) => fig.xTicks![x] ?? String(x)) } : {}),
      ...(hasSe ? { hovertext: t.se.map((v) => (v === null ? '' : ` ± ${fmt(v, 2)}`)) } : {}),
      hovertemplate: `${escapeHover(t.name)}<br>${escapeHover(fig.xLabel)} = ${xText}<br>%{y:.4g}${hasSe ? '%{hovertext}' : ''}${model ? '<br><i>click to open this point’s run</i>' : ''}<extra></extra>`,
    });
  }
  const diverged = [...new Set(fig.traces.filter((t) => t.role === 'model').flatMap((t) => t.diverged))].sort((a, b) => a - b);
  if (diverged.length > 0)
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: `× ${DIVERGED_TRACE}`,
      x: diverged,
      y: diverged.map(() => 0.05),
      yaxis: 'y2',
      marker: { symbol: 'x', size: 12, color: theme.heads[1], line: { width: 1.5, color: theme.heads[1] } },
      hovertemplate: `a run diverged or failed at ${escapeHover(fig.xLabel)} = ${fig.xTicks ? '%{text}' : '%{x}'}<extra></extra>`,
      text: fig.xTicks ? diverged.map((x) => fig.xTicks![x] ?? String(x)) : undefined,
    });
  const layout: Partial<Layout> = {
    ...plotBaseLayout(theme),
    margin: { l: 64, r: 12, t: 8, b: 46 },
    showlegend: true,
    legend: { x: 1.01, xanchor: 'left', y: 1, yanchor: 'top', bgcolor: theme.legendBg, font: { size: 11 } },
    xaxis: {
      title: { text: fig.xLabel },
      type: fig.logX ? 'log' : 'linear',
      ...(fig.logX ? LOG_TICKS : {}),
      gridcolor: theme.grid,
      zeroline: false,
      fixedrange: true,
      ...(fig.xTicks ? { tickvals: fig.xTicks.map((_, i) => i), ticktext: fig.xTicks, range: [-0.5, fig.xTicks.length - 0.5] } : {}),
    },
    yaxis: { title: { text: fig.yLabel }, type: fig.logY ? 'log' : 'linear', ...(fig.logY ? LOG_TICKS : {}), gridcolor: theme.grid, zeroline: false, fixedrange: true, exponentformat: 'power' },
    yaxis2: { overlaying: 'y', range: [0, 1], visible: false, fixedrange: true },
    hovermode: 'closest',
    uirevision: `${fig.kind}-${fig.title}`,
  };
  // The legend lists the model's lines first, then the references, then the × marks.
  const rank = (d: Data) => ((d as { yaxis?: string }).yaxis === 'y2' ? 2 : (d as { mode?: string }).mode === 'lines+markers' ? 0 : 1);
  const lines = data.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d);
  return { data: [...bands, ...lines], layout };
}

/** Plotly's hover templates read HTML and %{…}: names go in as text. */
function escapeHover(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[{}]/g, '');
}
