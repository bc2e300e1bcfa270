// A precomputed run of the default experiment, shown below the "WebGPU is not
// available" card so that a visitor without WebGPU still sees what the lab
// does: the loss falling to L*, the learned W_KQ and W_PV, which algorithm the
// model matches and the test MSEs. Everything is drawn from a static file
// (example/exampleResult.json, made by `npm run example`), never from the live
// store; this module and the file load only on that path.
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import type { ExperimentSpec } from '../spec/types.ts';
import exampleJson from './example/exampleResult.json';
import type { ExampleMatrix, ExampleResultData } from './example/types.ts';
import { fmt, fmtInt } from './format.ts';
import { buildHeatmapFigure, MatrixTitle } from './Heatmap.tsx';
import { BestMatch, fmtR2 } from './Identification.tsx';
import { lengthAxes, lengthTrace } from './LengthPlot.tsx';
import { LOG_TICKS, lStarTraceName } from './LossPlot.tsx';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme } from './plotTheme.ts';

export const EXAMPLE: ExampleResultData = exampleJson as unknown as ExampleResultData;

function lineLayout(t: PlotTheme): Partial<Layout> {
  return {
    ...plotBaseLayout(t),
    margin: { l: 56, r: 16, t: 28, b: 40 },
    showlegend: true,
    legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', bgcolor: 'rgba(0,0,0,0)', font: { size: 11 } },
  };
}

/** The spec in one line: model, task, optimizer and run length. */
export function specSummary(spec: ExperimentSpec): string {
  const { task, model, optimizer: o, train } = spec;
  const cov = task.covariance.kind === 'isotropic' ? 'Σ = I' : `Σ ${task.covariance.kind}${task.covariance.rotate ? ', rotated' : ''}`;
  const prior = task.prior.kind === 'isotropic' ? `w ~ N(0, ${task.prior.tau2 === 1 ? '' : `${task.prior.tau2}·`}I)` : 'w ~ N(0, Σ⁻¹)';
  return [
    model.type === 'lsa' ? 'linear self-attention' : `softmax attention, ${model.heads} head${model.heads > 1 ? 's' : ''}`,
    `d = ${task.d}`,
    `n = ${task.n}`,
    cov,
    prior,
    `σ² = ${task.noiseVar}`,
    `${o.kind === 'adam' ? 'Adam' : 'SGD'}, lr ${o.lr}${o.schedule === 'cosine' ? ' (cosine)' : ''}`,
    `batch ${fmtInt(train.batch)}`,
    `${fmtInt(train.steps)} steps`,
  ].join(' · ');
}

function lossFigure(ex: ExampleResultData, t: PlotTheme): { data: Data[]; layout: Partial<Layout> } {
  const h = ex.lossHistory;
  const data: Data[] = [
    {
      type: 'scatter',
      mode: 'lines',
      name: h.bucket > 1 ? `batch loss (mean of ${h.bucket} steps)` : 'batch loss',
      x: h.step,
      y: h.loss,
      line: { color: t.series.blue, width: 1.6 },
      hovertemplate: 'step %{x}<br>loss %{y:.4g}<extra></extra>',
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: lStarTraceName(1),
      x: [0, ex.steps],
      y: [ex.lStar, ex.lStar],
      line: { color: t.series.amber, width: 1.6, dash: 'dash' },
      hovertemplate: `L* = ${fmt(ex.lStar)}<extra></extra>`,
    },
  ];
  const layout: Partial<Layout> = {
    ...lineLayout(t),
    xaxis: { title: { text: 'step' }, range: [0, ex.steps], gridcolor: t.grid, zeroline: false, fixedrange: true },
    yaxis: { title: { text: 'MSE' }, type: 'log', ...LOG_TICKS, gridcolor: t.grid, fixedrange: true },
  };
  return { data, layout };
}

function lengthFigure(ex: ExampleResultData, t: PlotTheme): { data: Data[]; layout: Partial<Layout> } | null {
  const c = ex.lengthCurve;
  if (!c) return null;
  const n = ex.spec.task.n;
  const data: Data[] = [
    lengthTrace('model', c.nCtx, c.model, t.series.blue, 'solid'),
    lengthTrace('one-step GD, best η(n)', c.nCtx, c.oneStepGd, t.series.amber, 'dash'),
    lengthTrace('debiased GD', c.nCtx, c.debiasedGd, t.series.purple, 'dash'),
    lengthTrace('ridge', c.nCtx, c.ridge, t.series.green, 'dot'),
  ];
  const layout: Partial<Layout> = {
    ...lineLayout(t),
    ...lengthAxes(n, t),
  };
  return { data, layout };
}

function ExampleHeatmap({ m }: { m: ExampleMatrix }) {
  const theme = usePlotTheme();
  const figure = useMemo(() => buildHeatmapFigure(m, { rowNames: m.rowLabels, colNames: m.colLabels, theme }), [m, theme]);
  const frozen = m.noGradient.filter(Boolean).length;
  return (
    <section className="card heatmap-card" aria-label={`example ${m.name}`}>
      <header className="card-header">
        <h2>
          <MatrixTitle name={m.name} />
          <span className="dims">
            {m.rows}×{m.cols}
          </span>
        </h2>
        {frozen > 0 ? (
          <span className="legend-frozen">
            <span className="hatch-swatch" aria-hidden="true" /> no gradient ({frozen})
          </span>
        ) : null}
      </header>
      <PlotlyGraph data={figure.data} layout={figure.layout} className="plot heatmap-plot" attrs={{ 'data-example-heatmap': m.name }} />
      <p className="caption">
        {m.caption}
        {frozen > 0 ? ' Hatched entries get no gradient and keep their initial values.' : null}
      </p>
    </section>
  );
}

function TestTable({ ex }: { ex: ExampleResultData }) {
  const { test, theory } = ex;
  return (
    <section className="card example-test" aria-label="example test MSE">
      <header className="card-header">
        <h2>Test MSE</h2>
        <span className="muted small">
          {fmtInt(test.prompts)} fresh prompts, n = {test.nCtx}
        </span>
      </header>
      <table className="head-table" data-testid="example-test-mse">
        <thead>
          <tr>
            <th>predictor</th>
            <th>MSE</th>
            <th>± s.e.</th>
          </tr>
        </thead>
        <tbody>
          {test.rows.map((r) => (
            <tr key={r.id} data-predictor={r.id} className={r.id === 'model' ? 'example-model-row' : undefined}>
              <td>{r.label}</td>
              <td>{fmt(r.mean)}</td>
              <td>{fmt(r.stderr, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="caption">
        Closed forms: L* = {fmt(theory.gdLoss)} with η* = {fmt(theory.etaStar)} (the loss includes σ² = {ex.spec.task.noiseVar}).
        {ex.lsa?.etaRatio !== undefined ? ` The model's effective step is η_eff = ${fmt(ex.lsa.etaEff)}, ${fmt(ex.lsa.etaRatio, 3)} × η*.` : null}
      </p>
    </section>
  );
}

export function ExampleResult({ example = EXAMPLE }: { example?: ExampleResultData }) {
  const ex = example;
  const theme = usePlotTheme();
  const loss = useMemo(() => lossFigure(ex, theme), [ex, theme]);
  const length = useMemo(() => lengthFigure(ex, theme), [ex, theme]);
  const id = ex.identification;
  const others = id.matches.filter((m) => m.predictor !== id.best);
  const kq = ex.matrices.find((m) => m.name === 'W_KQ');
  const pv = ex.matrices.find((m) => m.name === 'W_PV');

  return (
    <section className="example" aria-label="example result" data-testid="example-result">
      <header className="card example-header">
        <h2>
          Example result <span className="example-badge">(precomputed with WebGPU, not live)</span>
        </h2>
        <p>
          What the lab shows after a run of the default experiment: a linear self-attention layer trained on in-context linear
          regression. It was computed once with the lab's own engine and saved with the page; nothing below runs in this browser.
        </p>
        <p className="example-spec small">
          <span data-testid="example-spec">{specSummary(ex.spec)}</span>{' '}
          <a href={`?${ex.query}`} data-testid="example-link" title="Load these settings into the lab (training needs WebGPU)">
            open this experiment
          </a>
        </p>
        <p className="muted small" data-testid="example-provenance">
          Trained on {ex.date} through WebGPU on “{ex.adapter}”: {fmtInt(ex.steps)} steps in {fmt(ex.wallSeconds, 3)} s.
        </p>
      </header>

      <div className="identification" aria-label="example algorithm identification" data-testid="example-identification">
        <span className="identification-label">This model behaves like:</span>
        <BestMatch id={id} />
        <span className="identification-others">{others.map((m) => `${m.label} R² ${fmtR2(m.r2)}`).join(' · ')}</span>
      </div>

      <div className="plot-row example-plots">
        <section className="card" aria-label="example training loss">
          <header className="card-header">
            <h2>Training loss</h2>
            <span className="muted small">batch MSE; dashed: L*, the best one-step GD</span>
          </header>
          <PlotlyGraph data={loss.data} layout={loss.layout} className="plot loss-plot" attrs={{ 'data-testid': 'example-loss-plot' }} />
        </section>
        {length ? (
          <section className="card" aria-label="example test MSE against context length">
            <header className="card-header">
              <h2>Test MSE vs context length</h2>
              <span className="muted small">
                {fmtInt(ex.lengthCurve!.prompts)} prompts each; dashed: training n
              </span>
            </header>
            <PlotlyGraph data={length.data} layout={length.layout} className="plot length-plot" attrs={{ 'data-testid': 'example-length-plot' }} />
          </section>
        ) : null}
      </div>

      <div className="heatmaps example-heatmaps">
        {kq ? <ExampleHeatmap m={kq} /> : null}
        {pv ? <ExampleHeatmap m={pv} /> : null}
        <TestTable ex={ex} />
      </div>
    </section>
  );
}

export default ExampleResult;
