// The two runs' loss curves on one pair of axes: the current run (the page's
// blue) and the pinned run, each with its L* dashed in its own colour where
// the two differ (one amber line where they agree). Log or linear y axis.
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import type { PinnedRun } from '../../store/compareModel.ts';
import { LOG_TICKS, referenceLine } from '../LossPlot.tsx';
import { PlotlyGraph } from '../PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme } from '../plotTheme.ts';

/** The pinned run's colour on every compare plot (the current run keeps the page's blue). */
export function pinnedColour(theme: PlotTheme): string {
  return theme.heads[1];
}

export const PINNED_LOSS_NAME = 'pinned run';
export const CURRENT_LOSS_NAME = 'current run';

const lStarLine = (name: string, value: number, total: number, color: string): Data => referenceLine(name, value, total, color, 'dash', name);

export function CompareLossPlot({ pinned, current, logScale }: { pinned: PinnedRun | null; current: PinnedRun | null; logScale: boolean }) {
  const theme = usePlotTheme();
  const total = Math.max(pinned?.spec.train.steps ?? 0, current?.spec.train.steps ?? 0, 1);
  const data = useMemo<Data[]>(() => {
    const traces: Data[] = [];
    if (pinned) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: PINNED_LOSS_NAME,
        x: pinned.loss.step,
        y: pinned.loss.loss,
        line: { color: pinnedColour(theme), width: 1.6 },
        hovertemplate: 'pinned · step %{x}<br>loss %{y:.4g}<extra></extra>',
      });
    }
    if (current) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: CURRENT_LOSS_NAME,
        x: current.loss.step,
        y: current.loss.loss,
        line: { color: theme.series.blue, width: 1.6 },
        hovertemplate: 'current · step %{x}<br>loss %{y:.4g}<extra></extra>',
      });
    }
    const a = pinned?.lStar ?? null;
    const b = current?.lStar ?? null;
    const same = a !== null && b !== null && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    if (same) traces.push(lStarLine('L* (both runs)', b, total, theme.series.amber));
    else {
      if (a !== null && Number.isFinite(a)) traces.push(lStarLine('L*, pinned', a, total, pinnedColour(theme)));
      if (b !== null && Number.isFinite(b)) traces.push(lStarLine('L*, current', b, total, theme.series.blue));
    }
    return traces;
  }, [pinned, current, total, theme]);

  const layout = useMemo<Partial<Layout>>(
    () => ({
      ...plotBaseLayout(theme),
      margin: { l: 56, r: 16, t: 28, b: 40 },
      showlegend: true,
      legend: { orientation: 'h', x: 0, y: 1.02, xanchor: 'left', yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)', font: { size: 11 } },
      xaxis: { title: { text: 'step' }, range: [0, total], gridcolor: theme.grid, zeroline: false, fixedrange: true },
      yaxis: logScale
        ? { title: { text: 'MSE' }, type: 'log', ...LOG_TICKS, gridcolor: theme.grid, fixedrange: true }
        : { title: { text: 'MSE' }, type: 'linear', rangemode: 'tozero', gridcolor: theme.grid, fixedrange: true },
      uirevision: `compare-loss-${logScale}`,
    }),
    [total, logScale, theme],
  );

  return <PlotlyGraph data={data} layout={layout} className="plot compare-loss-plot" attrs={{ 'data-testid': 'compare-loss-plot' }} />;
}
