// Training loss against step, on a log axis, with the closed-form optimal
// one-step-GD loss L* as a dashed reference line. With k outputs the training
// loss is the mean over outputs of (ŷ_t − y_q,t)², so the line is the mean
// over outputs of each output's own L*. The x range is the whole run from the
// start, so the curve grows across a fixed frame.
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import { referenceLoss, useLab } from '../store/labStore.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { PLOT_BASE_LAYOUT } from './plotly.ts';
import { fmt } from './format.ts';

/**
 * Log-axis ticks at 1, 2 and 5 × 10^k: Plotly's own labels crowd a short log
 * range (a loss falling from 3 to 1) and mix label sizes.
 */
export const LOG_TICKS = (() => {
  const tickvals: number[] = [];
  const ticktext: string[] = [];
  for (let e = -6; e <= 6; e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      tickvals.push(v);
      ticktext.push(e >= -3 && e <= 3 ? String(Number(v.toPrecision(1))) : `${m}e${e}`);
    }
  return { tickmode: 'array' as const, tickvals, ticktext };
})();

export const LSTAR_TRACE_NAME = 'L* (optimal one-step GD)';

/** The reference line's name: L*, or with k outputs the mean of the outputs' L*. */
export function lStarTraceName(k: number): string {
  return k > 1 ? `L*, mean of ${k} tasks` : LSTAR_TRACE_NAME;
}

export function LossPlot() {
  const history = useLab((s) => s.history);
  const version = useLab((s) => s.historyVersion);
  const total = useLab((s) => s.spec.train.steps);
  const lStar = useLab((s) => referenceLoss(s.theoryByOutput));
  const k = useLab((s) => s.spec.task.tasks);

  const data = useMemo<Data[]>(() => {
    const pts = history.points();
    const traces: Data[] = [
      {
        type: 'scatter',
        mode: 'lines',
        name: history.bucketWidth > 1 ? `batch loss (mean of ${history.bucketWidth} steps)` : 'batch loss',
        x: pts.x,
        y: pts.y,
        line: { color: '#2563eb', width: 1.6 },
        hovertemplate: 'step %{x}<br>loss %{y:.4g}<extra></extra>',
      },
    ];
    if (lStar !== undefined && Number.isFinite(lStar)) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: lStarTraceName(k),
        x: [0, total],
        y: [lStar, lStar],
        line: { color: '#d97706', width: 1.6, dash: 'dash' },
        hovertemplate: `${k > 1 ? `mean of the ${k} tasks' L*` : 'L*'} = ${fmt(lStar)}<extra></extra>`,
      });
    }
    return traces;
    // `version` is a dependency because `history` changes in place.
  }, [history, version, total, lStar, k]);

  const layout = useMemo<Partial<Layout>>(
    () => ({
      ...PLOT_BASE_LAYOUT,
      margin: { l: 56, r: 16, t: 28, b: 40 },
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)' },
      xaxis: { title: { text: 'step' }, range: [0, total], gridcolor: '#eef1f5', zeroline: false, fixedrange: true },
      yaxis: { title: { text: 'MSE' }, type: 'log', ...LOG_TICKS, gridcolor: '#eef1f5', fixedrange: true },
      uirevision: 'loss',
    }),
    [total],
  );

  return <PlotlyGraph data={data} layout={layout} className="plot loss-plot" attrs={{ 'data-testid': 'loss-plot' }} />;
}
