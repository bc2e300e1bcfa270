// The sweep's figure: a metric against the swept field (one line per value of
// the second, mean ± SE bands, the theory's closed forms where they exist) or
// test MSE against context length; red × where a run diverged or failed.
// Clicking a model point opens that grid point's first run. Exports as PNG and SVG.
import { useMemo } from 'react';
import type { PlotMouseEvent } from 'plotly.js';
import { metricLabel } from '../../analysis/sweepPoints.ts';
import { FIELD_BY_PATH } from '../../spec/fields.ts';
import { openRun } from '../../store/sweepController.ts';
import { effectiveView, metricsOf, sweepFigureOf, sweepFileOf } from '../../store/sweepDerived.ts';
import { setSweepView, useSweep } from '../../store/sweepStore.ts';
import { ExportMenu } from '../ExportMenu.tsx';
import { PlotlyGraph } from '../PlotlyGraph.tsx';
import { usePlotTheme } from '../plotTheme.ts';
import { emptyPlotData, sweepPlotData } from './sweepPlot.ts';

export function SweepFigure() {
  const sweep = useSweep((s) => s.sweep);
  const link = useSweep((s) => s.link);
  const records = useSweep((s) => s.records);
  const recordsVersion = useSweep((s) => s.recordsVersion);
  const view = useSweep((s) => s.view);
  const theme = usePlotTheme();
  const state = { sweep, link, records, recordsVersion, view };
  const file = sweepFileOf(state);
  const figure = sweepFigureOf(state);
  const tasks = sweep?.base.task.tasks ?? 1;
  const shown = effectiveView(view, file, tasks);
  const metrics = useMemo(() => metricsOf(file, shown.output), [file, shown.output]);
  const f0 = sweep ? FIELD_BY_PATH.get(sweep.axes[0].field) : undefined;
  const emptyX = shown.kind === 'length' ? 'context length n (test)' : f0 ? `${f0.label} (${f0.key})` : '';
  const emptyY = shown.kind === 'length' ? 'test MSE' : metricLabel(shown.metric);
  const plot = useMemo(() => (figure ? sweepPlotData(figure, theme) : emptyPlotData(emptyX, emptyY, theme)), [figure, theme, emptyX, emptyY]);
  if (!sweep) return null;
  const firstKey = f0?.key ?? sweep.axes[0].field;

  const onClick = (e: PlotMouseEvent) => {
    const pt = e.points?.[0] as (PlotMouseEvent['points'][number] & { customdata?: unknown }) | undefined;
    if (!pt || typeof pt.customdata !== 'number' || !file) return;
    const point = file.points.find((p) => p.point === pt.customdata);
    const run = point ? file.runs.find((r) => r.index === point.runs[0]) : undefined;
    if (run) openRun(run.share);
  };

  return (
    <section className="card sweep-figure-card" aria-label="sweep figure">
      <header className="card-header sweep-figure-header">
        <h2 data-testid="sweep-figure-title">{figure?.title ?? 'Sweep figure'}</h2>
        <span className="card-tools sweep-figure-tools">
          <label className="small muted">
            Plot{' '}
            <select className="select compact" data-testid="sweep-kind" value={shown.kind} onChange={(e) => setSweepView({ kind: e.target.value as 'field' | 'length' })}>
              <option value="field">a metric against {firstKey}</option>
              <option value="length">test MSE against context length</option>
            </select>
          </label>
          {shown.kind === 'field' ? (
            <label className="small muted">
              Metric{' '}
              <select className="select compact" data-testid="sweep-metric" value={shown.metric} disabled={metrics.length === 0} onChange={(e) => setSweepView({ metric: e.target.value })}>
                {(metrics.length > 0 ? metrics : [shown.metric]).map((m) => (
                  <option key={m} value={m}>
                    {metricLabel(m)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {tasks > 1 ? (
            <span className="task-picker" role="group" aria-label="task shown in the sweep figure" data-testid="sweep-task-picker">
              {Array.from({ length: tasks }, (_, t) => (
                <button key={t} type="button" className={t === shown.output ? 'task-btn active' : 'task-btn'} aria-pressed={t === shown.output} data-task={t + 1} onClick={() => setSweepView({ output: t })}>
                  task {t + 1}
                </button>
              ))}
            </span>
          ) : null}
          <ExportMenu title="sweep figure" views={[{ name: 'sweep figure', selector: '[data-testid="sweep-plot"]' }]} />
        </span>
      </header>
      <PlotlyGraph data={plot.data} layout={plot.layout} className="plot sweep-plot" attrs={{ 'data-testid': figure ? 'sweep-plot' : 'sweep-plot-pending' }} onClick={onClick} />
      <p className="caption" data-testid="sweep-figure-note">
        {figure ? `${figure.note}. ` : ''}Click a point to open its run in the single-run view
        {figure?.traces.some((t) => t.diverged.length > 0) ? '; × marks a run that diverged or failed there' : ''}.
      </p>
    </section>
  );
}
