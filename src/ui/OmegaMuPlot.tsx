// ω_h (mean of KQ^h's x-block diagonal) and μ_h (OV^h's last entry) of each
// softmax head against step: ω on top, μ below, sharing the step axis, one
// colour per head. The x range is the whole run, as on the loss plot.
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import { useLab } from '../store/labStore.ts';
import { headColour, sub } from './heads.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme, withStepMarker } from './plotTheme.ts';

/**
 * Quantities against step, the x range the whole run: one panel, or two
 * stacked on a shared step axis (the lower one optionally on a log axis).
 */
export function stepPanelsLayout(theme: PlotTheme, total: number, top: string, bottom: { title: string; log?: boolean } | null, uirevision: string): Partial<Layout> {
  const yaxis = { gridcolor: theme.grid, zeroline: true, zerolinecolor: theme.zeroline, fixedrange: true, nticks: 4 };
  return {
    ...plotBaseLayout(theme),
    margin: { l: 56, r: 16, t: 8, b: 40 },
    showlegend: false,
    xaxis: { title: { text: 'step' }, range: [0, total], anchor: bottom ? 'y2' : 'y', gridcolor: theme.grid, zeroline: false, fixedrange: true },
    yaxis: { ...yaxis, domain: bottom ? [0.55, 1] : [0, 1], title: { text: top } },
    ...(bottom
      ? { yaxis2: { ...yaxis, ...(bottom.log ? { type: 'log' as const, zeroline: false } : {}), domain: [0, 0.45], title: { text: bottom.title } } }
      : {}),
    uirevision,
  };
}

export function OmegaMuPlot() {
  const history = useLab((s) => s.omegaMu);
  const version = useLab((s) => s.historyVersion);
  const total = useLab((s) => s.spec.train.steps);
  const theme = usePlotTheme();

  const data = useMemo<Data[]>(() => {
    const pts = history.points();
    const traces: Data[] = [];
    pts.omega.forEach((omega, h) => {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: `ω${sub(h + 1)}`,
        x: pts.step,
        y: omega,
        xaxis: 'x',
        yaxis: 'y',
        line: { color: headColour(h, theme), width: 1.6 },
        hovertemplate: `head ${h + 1}, step %{x}<br>ω = %{y:.4g}<extra></extra>`,
      });
    });
    pts.mu.forEach((mu, h) => {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: `μ${sub(h + 1)}`,
        x: pts.step,
        y: mu,
        xaxis: 'x',
        yaxis: 'y2',
        line: { color: headColour(h, theme), width: 1.6 },
        hovertemplate: `head ${h + 1}, step %{x}<br>μ = %{y:.4g}<extra></extra>`,
      });
    });
    return traces;
    // `version` is a dependency because `history` changes in place.
  }, [history, version, theme]);

  const layout = useMemo(() => stepPanelsLayout(theme, total, 'ω<sub>h</sub>', { title: 'μ<sub>h</sub>' }, 'omega-mu'), [total, theme]);

  const viewStep = useLab((s) => s.viewStep);
  const marked = useMemo(() => withStepMarker(layout, viewStep, theme), [layout, viewStep, theme]);
  return <PlotlyGraph data={data} layout={marked} className="plot omega-mu-plot" attrs={{ 'data-testid': 'omega-mu-plot' }} />;
}
