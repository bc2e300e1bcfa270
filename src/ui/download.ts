// Browser side of the exports: a file download through an <a download> on an
// object URL, and a Plotly graph rendered to PNG (2× its CSS size) or SVG.
import type { Data, Layout } from 'plotly.js';
import { loadPlotly } from './plotly.ts';
import { forExport, LIGHT_PLOT } from './plotTheme.ts';

/** Downloads `blob` as `fileName` (object URL on an <a download>, revoked a little later). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

/** Scale of PNG exports: twice the graph's CSS pixels. */
export const PNG_SCALE = 2;

type GraphDiv = HTMLElement & { data?: unknown[]; layout?: Record<string, unknown> };

/**
 * The Plotly graph in `el` as an image file: PNG at PNG_SCALE× its CSS size,
 * or SVG at its CSS size, on a white background (the page draws on transparent)
 * in the light theme's colours whatever the page's theme: dark text, light grid.
 */
export async function plotImageBlob(el: HTMLElement, format: 'png' | 'svg'): Promise<Blob> {
  const gd = el as GraphDiv;
  if (!gd.data || !gd.layout) throw new Error('the plot is not drawn yet');
  const Plotly = await loadPlotly();
  const width = Math.max(1, el.clientWidth);
  const height = Math.max(1, el.clientHeight);
  const figure = {
    data: forExport(gd.data) as Data[],
    layout: { ...forExport(gd.layout), width, height, autosize: false, paper_bgcolor: LIGHT_PLOT.plotBg, plot_bgcolor: LIGHT_PLOT.plotBg } as Partial<Layout>,
    config: { displayModeBar: false, staticPlot: true },
  };
  const url = await Plotly.toImage(figure, { format, width, height, scale: format === 'png' ? PNG_SCALE : 1 });
  const res = await fetch(url);
  const blob = await res.blob();
  return format === 'svg' ? new Blob([blob], { type: 'image/svg+xml' }) : blob;
}
