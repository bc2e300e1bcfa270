// Test MSE against the number of context pairs, measured once after training
// on fresh prompts (the same tasks and queries at every length): the trained
// model next to one-step GD (with the best η for each length), debiased GD
// (best scale for each length), ridge (Bayes-optimal for the linear response)
// and least squares (from n = d). A dashed vertical line marks the n the model
// was trained at. dMMSE (the Bayes predictor over a task pool) joins them for
// a pooled run, and a test distribution apart from the training one adds its
// curves long-dashed with open markers. With k outputs there is one curve set
// per task; the plot shows the task picked in the card's header (the first by default).
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import type { Estimate } from '../engine/stats.ts';
import type { ExperimentSpec } from '../spec/index.ts';
import { useLab } from '../store/labStore.ts';
import { LOG_TICKS } from './LossPlot.tsx';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme } from './plotTheme.ts';
import { useViewTask } from './TaskPicker.tsx';

/** One curve of test MSE against context length, with ± one standard error. */
export function lengthTrace(name: string, x: number[], est: Estimate[], color: string, dash: 'solid' | 'dash' | 'dot' | 'longdash' | 'dashdot', openMarkers = false): Data {
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x,
    y: est.map((e) => e.mean),
    error_y: { type: 'data', array: est.map((e) => e.stderr), visible: true, thickness: 1, width: 2, color },
    line: { color, width: 1.6, dash },
    marker: openMarkers ? { color, size: 5, symbol: 'circle-open' } : { color, size: 4 },
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

/** The test distribution's short name in the legend: "fresh tasks" where that is all a pooled run's shift changes. */
export function shiftLegendName(spec: ExperimentSpec): string {
  const t = spec.eval.test;
  const onlyTasks =
    t.covariance.kind === 'same' && t.prior.kind === 'same' && t.prior.tau2 === null && t.noiseVar === null && t.scale === 1 && (t.n === 0 || t.n === spec.task.n);
  return spec.task.pool > 0 && t.tasks === 'fresh' && onlyTasks ? 'fresh tasks' : 'test dist.';
}

export function LengthPlot() {
  const shown = useViewTask();
  const curve = useLab((s) => s.lengthCurves?.[Math.min(shown, s.lengthCurves.length - 1)] ?? null);
  const shiftCurve = useLab((s) => s.shiftLengthCurves?.[Math.min(shown, s.shiftLengthCurves.length - 1)] ?? null);
  const spec = useLab((s) => s.spec);
  const pending = useLab((s) => s.lengthPending);
  const n = spec.task.n;
  const shiftName = shiftLegendName(spec);
  const pooled = spec.task.pool > 0;
  const theme = usePlotTheme();

  const figure = useMemo(() => {
    if (!curve) return null;
    const { series } = theme;
    // One legend entry per predictor: it names (and toggles) both distributions' curves. With a
    // test distribution beside it, the hover says a pooled run's own curves are on the pool's tasks.
    const ownSuffix = pooled && shiftCurve ? ', pool tasks' : '';
    const grouped = (t: Data, group: string): Data =>
      ownSuffix ? { ...t, legendgroup: group, hovertemplate: `${(t as { name?: string }).name}${ownSuffix}<br>n = %{x}<br>MSE %{y:.4g}<extra></extra>` } : { ...t, legendgroup: group };
    const data: Data[] = [grouped(lengthTrace('model', curve.nCtx, curve.model, series.blue, 'solid'), 'model')];
    data.push(lengthTrace('one-step GD, best η(n)', curve.nCtx, curve.oneStepGd, series.amber, 'dash'));
    data.push(lengthTrace('debiased GD', curve.nCtx, curve.debiasedGd, series.purple, 'dash'));
    data.push(grouped(lengthTrace('ridge', curve.nCtx, curve.ridge, series.green, 'dot'), 'ridge'));
    if (curve.dmmse && curve.dmmse.length === curve.nCtx.length) data.push(grouped(lengthTrace('dMMSE', curve.nCtx, curve.dmmse, series.red, 'dot'), 'dmmse'));
    const olsAt = curve.nCtx.flatMap((n, i) => (curve.ols[i] ? [{ n, e: curve.ols[i]! }] : []));
    if (olsAt.length > 0) {
      const ols = lengthTrace('least squares', olsAt.map((p) => p.n), olsAt.map((p) => p.e), theme.muted, 'dot');
      // Least squares blows up near n = d; off by default, one legend click away.
      data.push({ ...ols, visible: 'legendonly' });
    }
    if (shiftCurve) {
      // The test distribution apart from the training one: long dashes, open markers, in the
      // legend entry of the same predictor (the card's caption says which line is which).
      const shifted = (name: string, group: string, est: Estimate[], colour: string): Data => ({
        ...lengthTrace(`${name}, ${shiftName}`, shiftCurve.nCtx, est, colour, 'longdash', true),
        legendgroup: group,
        showlegend: false,
      });
      const hasGroup = (g: string) => data.some((t) => (t as { legendgroup?: string }).legendgroup === g);
      data.push(shifted('model', 'model', shiftCurve.model, series.blue));
      data.push(shifted('ridge', 'ridge', shiftCurve.ridge, series.green));
      if (shiftCurve.dmmse && shiftCurve.dmmse.length === shiftCurve.nCtx.length) {
        const t = shifted('dMMSE', 'dmmse', shiftCurve.dmmse, series.red);
        data.push(hasGroup('dmmse') ? t : { ...t, showlegend: true });
      }
    }
    const layout: Partial<Layout> = {
      ...plotBaseLayout(theme),
      margin: { l: 56, r: 16, t: 10, b: 40 },
      showlegend: true,
      // Inside, bottom left: the curves fall from the top left, so that corner stays clear.
      legend: { x: 0, xanchor: 'left', y: 0, yanchor: 'bottom', bgcolor: theme.legendBg, font: { size: 10 }, tracegroupgap: 0 },
      ...lengthAxes(n, theme),
      // Constant, so legend clicks survive a change of task (the axes are fixed-range autoscaled anyway).
      uirevision: 'length',
    };
    return { data, layout };
  }, [curve, shiftCurve, shiftName, pooled, n, shown, theme]);

  if (!figure)
    return (
      <div className="plot length-plot placeholder" data-testid="length-plot-pending">
        {pending ? 'computing…' : 'measured once after training'}
      </div>
    );
  return <PlotlyGraph data={figure.data} layout={figure.layout} className="plot length-plot" attrs={{ 'data-testid': 'length-plot' }} />;
}
