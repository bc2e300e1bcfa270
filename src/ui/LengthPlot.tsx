// Test MSE against the number of context pairs, measured once after training
// on fresh prompts (the same tasks and queries at every length): the trained
// model next to one-step GD (with the best η for each length), debiased GD
// (best scale for each length), ridge (Bayes-optimal for the linear response)
// and least squares (from n = d). A dashed vertical line marks the n the model
// was trained at. With k outputs there is one curve set per task; the plot
// shows the task picked in the card's header (the first by default).
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import type { Estimate } from '../engine/stats.ts';
import { useLab } from '../store/labStore.ts';
import { LOG_TICKS } from './LossPlot.tsx';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme } from './plotTheme.ts';
import { useViewTask } from './TaskPicker.tsx';

/** One curve of test MSE against context length, with ± one standard error. */
export function lengthTrace(name: string, x: number[], est: Estimate[], color: string, dash: 'solid' | 'dash' | 'dot'): Data {
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x,
    y: est.map((e) => e.mean),
    error_y: { type: 'data', array: est.map((e) => e.stderr), visible: true, thickness: 1, width: 2, color },
    line: { color, width: 1.6, dash },
    marker: { color, size: 4 },
    hovertemplate: `${name}<br>n = %{x}<br>MSE %{y:.4g}<extra></extra>`,
  };
}

/** Log-log axes of test MSE against context length, with the training n marked. */
export function lengthAxes(n: number, theme: PlotTheme): Partial<Layout> {
  return {
    xaxis: { title: { text: 'context pairs n' }, type: 'log', ...LOG_TICKS, gridcolor: theme.grid, zeroline: false, fixedrange: true },
    yaxis: { title: { text: 'test MSE' }, type: 'log', ...LOG_TICKS, gridcolor: theme.grid, fixedrange: true },
    shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: n, x1: n, y0: 0, y1: 1, line: { color: theme.muted, width: 1.2, dash: 'dash' } }],
    annotations: [
      { xref: 'x', yref: 'paper', x: Math.log10(n), y: 1, text: `training n = ${n}`, showarrow: false, xanchor: 'right', xshift: -3, yanchor: 'top', font: { size: 10, color: theme.muted } },
    ],
  };
}

export function LengthPlot() {
  const shown = useViewTask();
  const curve = useLab((s) => s.lengthCurves?.[Math.min(shown, s.lengthCurves.length - 1)] ?? null);
  const pending = useLab((s) => s.lengthPending);
  const n = useLab((s) => s.spec.task.n);
  const theme = usePlotTheme();

  const figure = useMemo(() => {
    if (!curve) return null;
    const { series } = theme;
    const data: Data[] = [lengthTrace('model', curve.nCtx, curve.model, series.blue, 'solid')];
    data.push(lengthTrace('one-step GD, best η(n)', curve.nCtx, curve.oneStepGd, series.amber, 'dash'));
    data.push(lengthTrace('debiased GD', curve.nCtx, curve.debiasedGd, series.purple, 'dash'));
    data.push(lengthTrace('ridge', curve.nCtx, curve.ridge, series.green, 'dot'));
    const olsAt = curve.nCtx.flatMap((n, i) => (curve.ols[i] ? [{ n, e: curve.ols[i]! }] : []));
    if (olsAt.length > 0) {
      const ols = lengthTrace('least squares', olsAt.map((p) => p.n), olsAt.map((p) => p.e), theme.muted, 'dot');
      // Least squares blows up near n = d; off by default, one legend click away.
      data.push({ ...ols, visible: 'legendonly' });
    }
    const layout: Partial<Layout> = {
      ...plotBaseLayout(theme),
      margin: { l: 56, r: 16, t: 10, b: 40 },
      showlegend: true,
      // Inside, bottom left: the curves fall from the top left, so that corner stays clear.
      legend: { x: 0, xanchor: 'left', y: 0, yanchor: 'bottom', bgcolor: theme.legendBg, font: { size: 10 } },
      ...lengthAxes(n, theme),
      // Constant, so legend clicks survive a change of task (the axes are fixed-range autoscaled anyway).
      uirevision: 'length',
    };
    return { data, layout };
  }, [curve, n, shown, theme]);

  if (!figure)
    return (
      <div className="plot length-plot placeholder" data-testid="length-plot-pending">
        {pending ? 'computing…' : 'measured once after training'}
      </div>
    );
  return <PlotlyGraph data={figure.data} layout={figure.layout} className="plot length-plot" attrs={{ 'data-testid': 'length-plot' }} />;
}
