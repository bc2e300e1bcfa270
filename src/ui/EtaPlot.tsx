// LSA: the learned step size η_eff = (W_PV)_{d+t,d+t} · mean diag (W_KQ)_{1:d,1:d}
// of each output against step, with the theory's η* dashed, and below it the
// distance of the learned preconditioner from the theory's,
// ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F, on a log axis. The x range is the whole run, as
// on the loss plot.
import { useMemo } from 'react';
import type { Data } from 'plotly.js';
import { useLab } from '../store/labStore.ts';
import { headColour } from './heads.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { stepPanelsLayout } from './OmegaMuPlot.tsx';
import { usePlotTheme, withStepMarker } from './plotTheme.ts';

export function EtaPlot() {
  const trace = useLab((s) => s.lsaTrace);
  const version = useLab((s) => s.historyVersion);
  const total = useLab((s) => s.spec.train.steps);
  const theories = useLab((s) => s.theoryByOutput);
  const k = useLab((s) => s.spec.task.tasks);
  const theme = usePlotTheme();

  const { data, hasGamma } = useMemo(() => {
    const pts = trace.points();
    const out: Data[] = [];
    const task = (t: number) => (k > 1 ? ` (task ${t + 1})` : '');
    pts.omega.forEach((eta, t) => {
      out.push({
        type: 'scatter',
        mode: 'lines',
        name: `η_eff${task(t)}`,
        x: pts.step,
        y: eta,
        yaxis: 'y',
        line: { color: headColour(t, theme), width: 1.6 },
        hovertemplate: `step %{x}<br>η_eff${task(t)} = %{y:.4g}<extra></extra>`,
      });
      const star = theories?.[t]?.etaStar;
      if (star !== undefined && Number.isFinite(star)) {
        out.push({
          type: 'scatter',
          mode: 'lines',
          name: `η*${task(t)}`,
          x: [0, total],
          y: [star, star],
          yaxis: 'y',
          line: { color: headColour(t, theme), width: 1.2, dash: 'dash' },
          hovertemplate: `η*${task(t)} = %{y:.4g}<extra></extra>`,
        });
      }
    });
    let gamma = false;
    pts.mu.forEach((err, t) => {
      if (!err.some((v) => Number.isFinite(v) && v > 0)) return;
      gamma = true;
      out.push({
        type: 'scatter',
        mode: 'lines',
        name: `Γ error${task(t)}`,
        x: pts.step,
        y: err,
        yaxis: 'y2',
        line: { color: headColour(t, theme), width: 1.6 },
        hovertemplate: `step %{x}<br>‖Γ_eff − Γ*‖/‖Γ*‖${task(t)} = %{y:.3g}<extra></extra>`,
      });
    });
    return { data: out, hasGamma: gamma };
    // `version` is a dependency because `trace` changes in place.
  }, [trace, version, total, theories, k, theme]);

  const layout = useMemo(
    () => stepPanelsLayout(theme, total, 'η<sub>eff</sub>', hasGamma ? { title: 'Γ rel. error', log: true } : null, 'eta'),
    [total, hasGamma, theme],
  );

  const viewStep = useLab((s) => s.viewStep);
  const marked = useMemo(() => withStepMarker(layout, viewStep, theme), [layout, viewStep, theme]);
  return <PlotlyGraph data={data} layout={marked} className="plot eta-plot" attrs={{ 'data-testid': 'eta-plot' }} />;
}
