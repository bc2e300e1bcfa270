// Plotly is the largest dependency by far; loading it on first use lets the
// page (and the "WebGPU unavailable" message) appear without waiting for it.
import type * as PlotlyTypes from 'plotly.js';

export type PlotlyModule = typeof PlotlyTypes;

let loading: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= import('plotly.js-cartesian-dist-min').then((m) => m.default);
  return loading;
}

export const PLOT_CONFIG: Partial<PlotlyTypes.Config> = {
  displayModeBar: false,
  responsive: true,
  displaylogo: false,
};

// Plotly redraws are synchronous and take 10-30 ms each on a slow CPU. Drawing
// the loss curve and both heatmaps in one go would make one long task that
// blocks input; this queue runs one draw per task instead, yielding to the
// browser in between.
const drawQueue: (() => Promise<void>)[] = [];
let draining = false;

export function queueDraw(job: () => Promise<void>): void {
  drawQueue.push(job);
  if (draining) return;
  draining = true;
  void (async () => {
    // Not inside the task that queued it (often a React commit): the draw gets a task of its own.
    await new Promise((resolve) => setTimeout(resolve, 0));
    while (drawQueue.length > 0) {
      const next = drawQueue.shift()!;
      try {
        await next();
      } catch (e) {
        console.error('plot update failed:', e);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    draining = false;
  })();
}
