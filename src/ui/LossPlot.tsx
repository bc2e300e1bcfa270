// Training loss against step (log or linear axis), with the theory's lines:
// the closed-form optimal one-step-GD loss L* (dashed), the best
// preconditioned one-step GD where it differs (dotted), and the Bayes-optimal
// ridge's test MSE (dash-dot; a Monte Carlo estimate on the GPU, as ridge has
// no closed form). With k outputs the training loss is the mean over outputs
// of (ŷ_t − y_q,t)², so each line is the mean over outputs too. The x range
// is the whole run from the start, so the curve grows across a fixed frame.
// Separate-K/Q linear attention also gets PCR's loss with k = 0 … d − 1
// components (thin, labelled at the right): the plateaus of its staircase.
// L ≥ 2 layers get the multi-step candidates' losses at their fitted
// constants (L-step GD, preconditioned GD, GD++; labelled at the right).
import { useMemo } from 'react';
import type { Annotations, Data, Layout } from 'plotly.js';
import type { TheoryNumbers } from '../analysis/evaluation.ts';
import { referenceLoss, useLab } from '../store/labStore.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme, withStepMarker } from './plotTheme.ts';
import { fmt } from './format.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { pcrLevelsFor, type MultiStepLevel } from '../analysis/linearAttention.ts';

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
export const PGD_TRACE_NAME = 'best preconditioned GD';
export const RIDGE_TRACE_NAME = 'Bayes ridge (test)';

/** The reference line's name: L*, or with k outputs the mean of the outputs' L*. */
export function lStarTraceName(k: number): string {
  return k > 1 ? `L*, mean of ${k} tasks` : LSTAR_TRACE_NAME;
}

/** Mean over outputs of a per-output closed form; undefined where any output lacks it. */
function meanOf(theories: TheoryNumbers[] | null, pick: (t: TheoryNumbers) => number | undefined): number | undefined {
  if (!theories || theories.length === 0) return undefined;
  const v = theories.map(pick);
  return v.every((x) => x !== undefined && Number.isFinite(x)) ? (v as number[]).reduce((a, b) => a + b, 0) / v.length : undefined;
}

/** A horizontal theory or reference line across the run's steps (also the compare view's L* lines). */
export function referenceLine(name: string, value: number, total: number, color: string, dash: 'dash' | 'dot' | 'dashdot', hover: string): Data {
  return {
    type: 'scatter',
    mode: 'lines',
    name,
    x: [0, total],
    y: [value, value],
    line: { color, width: 1.5, dash },
    hovertemplate: `${hover} = ${fmt(value)}<extra></extra>`,
  };
}

/**
 * A reference line's short name at its left end (no legend to cover the
 * curve): the loss starts above the theory's lines, so that corner stays
 * clear, while the curve ends on top of them on the right. L* is labelled
 * above its line, the lower lines below theirs, so close lines keep apart.
 */
function lineLabel(text: string, value: number, color: string, log: boolean, bgcolor: string, side: 'above' | 'below' = 'above'): Partial<Annotations> {
  return {
    x: 0,
    // Annotations on a log axis are placed in log10 units.
    y: log ? Math.log10(value) : value,
    xanchor: 'left',
    yanchor: side === 'above' ? 'bottom' : 'top',
    text,
    showarrow: false,
    font: { size: 10, color },
    bgcolor,
  };
}

/** A multi-step line's short label (at its right end on the loss plot), for L steps. */
export function multiStepShort(p: MultiStepLevel['predictor'], L: number): string {
  return p === 'stepsGd' ? `${L}-step GD` : p === 'stepsPgd' ? `${L}-step PGD` : p === 'stepsAhn' ? `${L} steps, a_ℓ Σ⁻¹` : 'GD++';
}

function multiStepColor(p: MultiStepLevel['predictor'], series: PlotTheme['series']): string {
  return p === 'stepsGd' ? series.amber : p === 'gdpp' ? series.red : p === 'stepsPgd' ? series.green : series.purple;
}

export function LossPlot() {
  const history = useLab((s) => s.history);
  const version = useLab((s) => s.historyVersion);
  const total = useLab((s) => s.spec.train.steps);
  const lStar = useLab((s) => referenceLoss(s.theoryByOutput));
  const k = useLab((s) => s.spec.task.tasks);
  const theories = useLab((s) => s.theoryByOutput);
  const ridge = useLab((s) => s.ridgeReference);
  const logScale = useLab((s) => s.lossLogScale);
  const pgd = meanOf(theories, (t) => t.pgdLoss);
  const taskSpec = useLab((s) => s.spec.task);
  const modelSpec = useLab((s) => s.spec.model);
  const pcr = useMemo(() => pcrLevelsFor({ task: taskSpec, model: modelSpec } as ExperimentSpec), [taskSpec, modelSpec]);
  const multiStep = useLab((s) => s.multiStepReference);
  const theme = usePlotTheme();
  const { series } = theme;

  const data = useMemo<Data[]>(() => {
    const pts = history.points();
    const traces: Data[] = [
      {
        type: 'scatter',
        mode: 'lines',
        name: history.bucketWidth > 1 ? `batch loss (mean of ${history.bucketWidth} steps)` : 'batch loss',
        x: pts.x,
        y: pts.y,
        line: { color: series.blue, width: 1.6 },
        hovertemplate: 'step %{x}<br>loss %{y:.4g}<extra></extra>',
      },
    ];
    if (lStar !== undefined && Number.isFinite(lStar)) {
      traces.push(referenceLine(lStarTraceName(k), lStar, total, series.amber, 'dash', k > 1 ? `mean of the ${k} tasks' L*` : 'L*'));
    }
    // Preconditioned GD is drawn only where it beats plain one-step GD (Σ not a multiple of I).
    if (pgd !== undefined && lStar !== undefined && lStar - pgd > 1e-6 * lStar) {
      traces.push(referenceLine(PGD_TRACE_NAME, pgd, total, series.green, 'dot', 'best preconditioned GD'));
    }
    if (ridge) traces.push(referenceLine(RIDGE_TRACE_NAME, ridge.mean, total, series.violet, 'dashdot', `Bayes ridge (± ${fmt(ridge.se)})`));
    pcr?.forEach((v, c) => traces.push({ ...referenceLine(`PCR, k = ${c}`, v, total, theme.grid, 'dot', `PCR with ${c} component${c === 1 ? '' : 's'}`), line: { color: series.green, width: 1, dash: 'dot' } }));
    multiStep?.forEach((m) => {
      const color = multiStepColor(m.predictor, series);
      traces.push({ ...referenceLine(m.label, m.loss, total, color, 'dot', `${m.label}, fitted`), line: { color, width: 1.2, dash: m.predictor === 'gdpp' ? 'dashdot' : 'dot' } });
    });
    return traces;
    // `version` is a dependency because `history` changes in place.
  }, [history, version, total, lStar, k, pgd, ridge, series, pcr, theme, multiStep]);

  const annotations = useMemo(() => {
    const a: Partial<Annotations>[] = [];
    if (lStar !== undefined && Number.isFinite(lStar) && lStar > 0) a.push(lineLabel(k > 1 ? 'mean L*' : 'L*', lStar, series.amberText, logScale, theme.annotationBg));
    if (pgd !== undefined && lStar !== undefined && lStar - pgd > 1e-6 * lStar && pgd > 0) a.push(lineLabel('preconditioned GD', pgd, series.greenText, logScale, theme.annotationBg, 'below'));
    if (ridge && ridge.mean > 0) a.push(lineLabel('Bayes ridge', ridge.mean, series.violetText, logScale, theme.annotationBg, 'below'));
    pcr?.forEach((v, c) => {
      if (v > 0) a.push({ ...lineLabel(`PCR k=${c}`, v, series.greenText, logScale, theme.annotationBg), x: total, xanchor: 'right' });
    });
    multiStep?.forEach((m) => {
      if (m.loss > 0) a.push({ ...lineLabel(multiStepShort(m.predictor, modelSpec.layers), m.loss, multiStepColor(m.predictor, series), logScale, theme.annotationBg, m.predictor === 'stepsGd' ? 'above' : 'below'), x: total, xanchor: 'right' });
    });
    return a;
  }, [lStar, pgd, ridge, total, k, logScale, theme, pcr, multiStep, series, modelSpec.layers]);

  const layout = useMemo<Partial<Layout>>(
    () => ({
      ...plotBaseLayout(theme),
      margin: { l: 56, r: 16, t: 10, b: 40 },
      showlegend: false,
      annotations,
      xaxis: { title: { text: 'step' }, range: [0, total], gridcolor: theme.grid, zeroline: false, fixedrange: true },
      yaxis: logScale
        ? { title: { text: 'MSE' }, type: 'log', ...LOG_TICKS, gridcolor: theme.grid, fixedrange: true }
        : { title: { text: 'MSE' }, type: 'linear', rangemode: 'tozero', gridcolor: theme.grid, fixedrange: true },
      uirevision: `loss-${logScale}`,
    }),
    [total, logScale, annotations, theme],
  );

  const viewStep = useLab((s) => s.viewStep);
  const marked = useMemo(() => withStepMarker(layout, viewStep, theme), [layout, viewStep, theme]);

  return <PlotlyGraph data={data} layout={marked} className="plot loss-plot" attrs={{ 'data-testid': 'loss-plot' }} />;
}
