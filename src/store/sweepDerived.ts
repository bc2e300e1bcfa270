// What the sweep views compute from the state, once per change: the sweep
// file (per-point aggregates) of the finished runs, the figure for the view
// options, the metrics a figure can show, and the sweep's planned runs.
// Cached on (link, records version, view) so the figure card, the table and
// the test hook share one computation.
import { sweepFigure, type Figure } from '../analysis/sweepFigure.ts';
import { metricLabel, METRIC_LABELS } from '../analysis/sweepPoints.ts';
import { buildSweepFile, type SweepFile } from '../orchestration/sweepFile.ts';
import { expandSweep, type SweepRunPlan } from '../spec/sweep.ts';
import type { SweepState, SweepView } from './sweepStore.ts';

let fileCache: { link: string; version: number; file: SweepFile } | null = null;

/** The sweep file of the finished runs (null outside a sweep). */
export function sweepFileOf(s: Pick<SweepState, 'sweep' | 'link' | 'records' | 'recordsVersion'>): SweepFile | null {
  if (!s.sweep) return null;
  if (fileCache && fileCache.link === s.link && fileCache.version === s.recordsVersion) return fileCache.file;
  const file = buildSweepFile(s.sweep, s.records);
  fileCache = { link: s.link, version: s.recordsVersion, file };
  return file;
}

/** Metric names present in the points for output `output` (k > 1: task t's own, without its prefix), readable ones first. */
export function metricsOf(file: SweepFile | null, output: number): string[] {
  if (!file) return [];
  const prefix = output === 0 ? '' : `task${output + 1}.`;
  const names = new Set<string>();
  for (const p of file.points)
    for (const k of Object.keys(p.metrics)) {
      if (output === 0 ? /^task\d+\./.test(k) : !k.startsWith(prefix)) continue;
      names.add(k.slice(prefix.length));
    }
  const known = Object.keys(METRIC_LABELS);
  return [...names].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
    return metricLabel(a).localeCompare(metricLabel(b));
  });
}

/** The view as drawn: the chosen metric where the points have it, else the model's test MSE (or the first there is). */
export function effectiveView(view: SweepView, file: SweepFile | null, tasks: number): SweepView {
  const output = Math.min(Math.max(0, view.output), Math.max(0, tasks - 1));
  const metrics = metricsOf(file, output);
  const metric = metrics.length === 0 || metrics.includes(view.metric) ? view.metric : metrics.includes('test.model') ? 'test.model' : metrics[0];
  return { kind: view.kind, metric, output };
}

let figureCache: { file: SweepFile; key: string; figure: Figure } | null = null;

/** The figure of the finished runs for the view options; null outside a sweep or before any run finished. */
export function sweepFigureOf(s: Pick<SweepState, 'sweep' | 'link' | 'records' | 'recordsVersion' | 'view'>): Figure | null {
  const file = sweepFileOf(s);
  if (!file || !s.sweep || file.runs.length === 0) return null;
  const view = effectiveView(s.view, file, s.sweep.base.task.tasks);
  const key = JSON.stringify(view);
  if (figureCache && figureCache.file === file && figureCache.key === key) return figureCache.figure;
  const figure = sweepFigure(file, view);
  figureCache = { file, key, figure };
  return figure;
}

let planCache: { link: string; plans: SweepRunPlan[] } | null = null;

/** Every run of the sweep, in index order (cached per link). */
export function plansOf(s: Pick<SweepState, 'sweep' | 'link'>): SweepRunPlan[] {
  if (!s.sweep) return [];
  if (planCache && planCache.link === s.link) return planCache.plans;
  const plans = expandSweep(s.sweep);
  planCache = { link: s.link, plans };
  return plans;
}
