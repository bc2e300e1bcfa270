// A sweep figure (analysis/sweepFigure.ts) as a standalone SVG document, for
// the runner (no DOM, no Plotly): d3's scales place the ticks, d3's line and
// area generators draw the curves and their ± SE bands; on white with dark
// text like the page's exports, the sweep's link in the caption.
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { area, line } from 'd3-shape';
import type { Figure, FigureTrace } from '../analysis/sweepFigure.ts';

/** The page's trace colours (Plotly's default cycle), and greys for the predictors and theory lines. */
const FIGURE_PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const REFERENCE_COLORS = ['#444444', '#8a5a00', '#2b7a78', '#6b6b6b'];

function traceColor(t: Pick<FigureTrace, 'color'>): string {
  return t.color >= 0 ? FIGURE_PALETTE[t.color % FIGURE_PALETTE.length] : REFERENCE_COLORS[(-t.color - 1) % REFERENCE_COLORS.length];
}

const DASH: Record<FigureTrace['dash'], string> = { solid: '', dash: '6 4', dot: '2 3', dashdot: '7 3 2 3' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

export function figureSvg(fig: Figure, size: { width?: number; height?: number } = {}): string {
  const W = size.width ?? 790;
  const plotH = size.height ?? 420;
  const legendW = 280;
  const m = { top: 40, right: legendW + 20, bottom: 56, left: 70 };
  const linkLines = wrap('?' + fig.link, 124);
  const H = plotH + 18 + 11 * linkLines.length + 10;
  const xs = fig.traces.flatMap((t) => t.x).filter(Number.isFinite);
  const lo = (t: FigureTrace, i: number) => t.y[i] - (t.se[i] ?? 0);
  const hi = (t: FigureTrace, i: number) => t.y[i] + (t.se[i] ?? 0);
  const ys = fig.traces.flatMap((t) => t.y.flatMap((_, i) => [lo(t, i), hi(t, i)])).filter((v) => Number.isFinite(v) && (!fig.logY || v > 0));
  const xDom = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (xDom[0] === xDom[1]) xDom[1] = xDom[0] + 1;
  const yDom = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (yDom[0] === yDom[1]) yDom[1] = yDom[0] + 1;
  const x: ScaleContinuousNumeric<number, number> = (fig.logX ? scaleLog() : scaleLinear()).domain(xDom).range([m.left, W - m.right]);
  const pad = (yDom[1] - yDom[0]) * 0.05;
  // Non-negative quantities (losses, ratios, errors) keep a floor at 0.
  const yLow = yDom[0] >= 0 ? Math.max(0, yDom[0] - pad) : yDom[0] - pad;
  const y: ScaleContinuousNumeric<number, number> = (fig.logY ? scaleLog().domain(yDom) : scaleLinear().domain([yLow, yDom[1] + pad])).range([plotH - m.bottom, m.top]);
  if (!fig.xTicks) x.nice();
  y.nice();
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600">${esc(fig.title)}</text>`);
  // Axes and grid.
  const [x0, x1] = x.range();
  const [y0, y1] = y.range();
  const xt = fig.xTicks ? fig.xTicks.map((_, i) => i) : x.ticks(fig.logX ? 6 : 8);
  const yt = y.ticks(fig.logY ? 6 : 6);
  // A log axis labels its decades (and 2, 5 where there are few) and marks the rest without a label.
  const logLabel = (scale: ScaleContinuousNumeric<number, number>) => scale.tickFormat(6, '~g');
  const yLabel = fig.logY ? logLabel(y) : fmtTick;
  for (const v of yt) parts.push(`<line x1="${x0}" x2="${x1}" y1="${y(v)}" y2="${y(v)}" stroke="#e6e6e6"/><text x="${x0 - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${esc(yLabel(v))}</text>`);
  const xLabel = fig.logX ? logLabel(x) : fmtTick;
  for (const v of xt) {
    const label = fig.xTicks ? fig.xTicks[v] : xLabel(v);
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${y0}" y2="${y0 + 5}" stroke="#333"/><text x="${x(v)}" y="${y0 + 18}" font-size="11" text-anchor="middle">${esc(label)}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 38}" font-size="12" text-anchor="middle">${esc(fig.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(fig.yLabel)}</text>`);
  parts.push(`<clipPath id="plot"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath><g clip-path="url(#plot)">`);
  const ok = (t: FigureTrace, i: number) => Number.isFinite(t.x[i]) && Number.isFinite(t.y[i]) && (!fig.logY || t.y[i] > 0);
  // Measured predictors, then the model, then the closed forms on top (dashed, with open
  // markers), so a model that lands on its theory line still shows both.
  const drawOrder = (['predictor', 'model', 'theory'] as const).flatMap((role) => fig.traces.filter((t) => t.role === role));
  for (const t of drawOrder) {
    const idx = t.x.map((_, i) => i).filter((i) => ok(t, i));
    const color = traceColor(t);
    if (idx.some((i) => t.se[i] !== null && t.se[i]! > 0)) {
      const band = area<number>()
        .x((i) => x(t.x[i]))
        .y0((i) => y(Math.max(lo(t, i), fig.logY ? yDom[0] : -Infinity)))
        .y1((i) => y(hi(t, i)));
      parts.push(`<path d="${band(idx)}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    }
    const path = line<number>()
      .x((i) => x(t.x[i]))
      .y((i) => y(t.y[i]));
    const w = t.role === 'model' ? 2 : 1.4;
    parts.push(`<path d="${path(idx)}" fill="none" stroke="${color}" stroke-width="${w}"${DASH[t.dash] ? ` stroke-dasharray="${DASH[t.dash]}"` : ''}/>`);
    if (t.role === 'model') for (const i of idx) parts.push(`<circle cx="${x(t.x[i])}" cy="${y(t.y[i])}" r="2.6" fill="${color}"/>`);
    if (t.role === 'theory') for (const i of idx) parts.push(`<rect x="${x(t.x[i]) - 3.5}" y="${y(t.y[i]) - 3.5}" width="7" height="7" fill="none" stroke="${color}" stroke-width="1.2"/>`);
    for (const dx of t.diverged) parts.push(`<text x="${x(dx)}" y="${y0 - 8}" font-size="14" fill="#c00" text-anchor="middle">×</text>`);
  }
  parts.push('</g>');
  // Legend.
  let ly = m.top + 4;
  const lx = W - m.right + 16;
  for (const t of fig.traces) {
    const color = traceColor(t);
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="${t.role === 'model' ? 2 : 1.4}"${DASH[t.dash] ? ` stroke-dasharray="${DASH[t.dash]}"` : ''}/>`);
    if (t.role === 'theory') parts.push(`<rect x="${lx + 8.5}" y="${ly - 3.5}" width="7" height="7" fill="#fff" stroke="${color}" stroke-width="1.2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}" font-size="11">${esc(t.name.length > 44 ? t.name.slice(0, 43) + '…' : t.name)}</text>`);
    ly += 17;
  }
  if (fig.traces.some((t) => t.diverged.length > 0)) parts.push(`<text x="${lx}" y="${ly + 4}" font-size="11" fill="#c00">× a run diverged or failed here</text>`);
  parts.push(`<text x="${m.left}" y="${plotH + 4}" font-size="11" fill="#444">${esc(fig.note)}</text>`);
  linkLines.forEach((l, i) => parts.push(`<text x="${m.left}" y="${plotH + 20 + 11 * i}" font-size="8.5" fill="#555" font-family="monospace">${esc(l)}</text>`));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" fill="#111">\n${parts.join('\n')}\n</svg>\n`;
}
