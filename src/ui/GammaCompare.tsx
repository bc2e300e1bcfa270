// The learned preconditioner next to the theory's, for linear self-attention
// with the identity response: Γ_eff = (W_PV)_{d+t,d+t} · (W_KQ)_{1:d,1:d} — the
// scale-invariant product that fixes output t's predictions — beside Γ*
// (η*·I when Σ is isotropic), on one colour scale so equal entries get equal
// colours; then both spectra (eigenvalues of Γ_eff's symmetric part and of Γ*,
// sorted) and ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F. All of it follows the latest weights
// while training. With k outputs the card shows the task picked in its header.
import { useMemo } from 'react';
import type { Data, Layout } from 'plotly.js';
import { symmetricEigen } from '../linalg/dense.ts';
import type { NamedMatrix } from '../models/types.ts';
import { useLab } from '../store/labStore.ts';
import { buildHeatmapFigure, colourRange, xLabels } from './Heatmap.tsx';
import { LOG_TICKS } from './LossPlot.tsx';
import { ExportMenu } from './ExportMenu.tsx';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { plotBaseLayout, usePlotTheme, type PlotTheme } from './plotTheme.ts';
import { fmt } from './format.ts';
import { Tex, TexText } from './Tex.tsx';
import { texNumber } from './Explainer.tsx';
import { TaskPicker, useViewTask } from './TaskPicker.tsx';
import { componentBasisFor, componentsOf, learnedCount } from '../analysis/components.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';

/** Colour-bar width, kept as right margin on the plot without one so both matrices come out the same size. */
const SCALE_ROOM = 58;

function square(name: string, data: number[], d: number): NamedMatrix {
  return { name, rows: d, cols: d, data, noGradient: data.map(() => false), caption: '' };
}

/** The c of Γ = c·I, or null when Γ is not a multiple of the identity. */
function identityMultiple(g: number[], d: number): number | null {
  const c = g[0];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) if (Math.abs(g[i * d + j] - (i === j ? c : 0)) > 1e-12 * Math.abs(c)) return null;
  return c;
}

/** Eigenvalues of (G + Gᵀ)/2, descending. */
export function symmetricSpectrum(g: ArrayLike<number>, d: number): number[] {
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = 0.5 * (g[i * d + j] + g[j * d + i]);
  return Array.from(symmetricEigen(s, d).values);
}

function spectraFigure(eff: number[] | null, star: number[], theme: PlotTheme): { data: Data[]; layout: Partial<Layout> } {
  const d = star.length;
  const idx = Array.from({ length: d }, (_, i) => i + 1);
  const all = eff ? [...eff, ...star] : star;
  const log = all.every((v) => v > 0);
  const series = (name: string, y: number[], colour: string, symbol: string, size: number): Data => ({
    type: 'scatter',
    mode: 'markers',
    name,
    x: idx,
    y,
    marker: { color: colour, symbol, size, line: { color: colour, width: 1.5 } },
    hovertemplate: `${name}<br>λ<sub>%{x}</sub> = %{y:.4g}<extra></extra>`,
  });
  const data: Data[] = [];
  if (eff) data.push(series('Γ_eff (sym.)', eff, theme.series.blue, 'circle', 7));
  data.push(series('Γ*', star, theme.series.amber, 'diamond-open', 10));
  const layout: Partial<Layout> = {
    ...plotBaseLayout(theme),
    margin: { l: 46, r: 6, t: 6, b: 30 },
    showlegend: false,
    xaxis: {
      title: { text: 'i (sorted)', standoff: 2, font: { size: 10 } },
      tickvals: d <= 12 ? idx : undefined,
      range: [0.4, d + 0.6],
      gridcolor: theme.grid,
      zeroline: false,
      fixedrange: true,
      tickfont: { size: 10 },
    },
    yaxis: log
      ? { type: 'log', ...LOG_TICKS, title: { text: 'eigenvalue', standoff: 4, font: { size: 10 } }, gridcolor: theme.grid, fixedrange: true, tickfont: { size: 10 } }
      : {
          type: 'linear',
          title: { text: 'eigenvalue', standoff: 4, font: { size: 10 } },
          gridcolor: theme.grid,
          zeroline: true,
          zerolinecolor: theme.zeroline,
          fixedrange: true,
          tickfont: { size: 10 },
          nticks: 5,
        },
    uirevision: 'gamma-spectra',
  };
  return { data, layout };
}

export function GammaCompare() {
  const d = useLab((s) => s.spec.task.d);
  const k = useLab((s) => s.spec.task.tasks);
  const t = useViewTask();
  const theory = useLab((s) => s.theoryByOutput?.[t] ?? s.theory);
  const gammaEff = useLab((s) => s.lsa?.[t]?.gammaEff ?? null);
  // ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F, computed with the readout (lsaSummary) against the same output's Γ*.
  const relError = useLab((s) => s.lsa?.[t]?.gammaRelError ?? null);
  const gammaStar = theory?.available ? theory.gammaStar : undefined;
  const isotropic = gammaStar ? identityMultiple(gammaStar, d) : null;
  // Prompts drawing from a task pool: the optimum is for the pool's own second moment.
  const pool = theory?.source === 'pool';
  const theme = usePlotTheme();
  const taskSpec = useLab((s) => s.spec.task);
  const modelSpec = useLab((s) => s.spec.model);
  const general = isGeneralLinearAttention(modelSpec);
  // Which of Σ's principal components Γ_eff holds (one output: the basis is the task's).
  const basis = useMemo(() => (k === 1 ? componentBasisFor({ task: taskSpec, model: modelSpec }) : null), [taskSpec, modelSpec, k]);
  const components = basis && gammaEff && gammaEff.length === d * d ? componentsOf(basis, gammaEff) : null;

  const figures = useMemo(() => {
    if (!gammaStar || gammaStar.length !== d * d) return null;
    const star = square('Γ*', gammaStar, d);
    const eff = gammaEff && gammaEff.length === d * d ? square('Γ_eff', gammaEff, d) : null;
    const range = Math.max(colourRange(star), eff ? colourRange(eff) : 0);
    const names = xLabels(d);
    const left = eff ? buildHeatmapFigure(eff, { range, coordNames: names, showScale: false, theme }) : null;
    if (left) left.layout.margin = { ...left.layout.margin, r: SCALE_ROOM };
    const right = buildHeatmapFigure(star, { range, coordNames: names, theme });
    // Both matrices hang from the top, under their captions.
    for (const f of [left, right]) if (f) f.layout.yaxis = { ...f.layout.yaxis, constraintoward: 'top' };
    const effSpectrum = eff ? symmetricSpectrum(eff.data, d) : null;
    const spectra = spectraFigure(effSpectrum, symmetricSpectrum(gammaStar, d), theme);
    return { left, right, spectra, eff, star, names };
  }, [gammaEff, gammaStar, d, theme]);

  if (!figures) return null;
  const tt = k > 1 ? t + 1 : null;
  return (
    <section className="card heatmap-card gamma-card" aria-label="learned Γ_eff vs theory Γ*">
      <header className="card-header">
        <h2>
          Learned Γ<sub>eff</sub> vs theory Γ*{pool ? <>(Ω<sub>pool</sub>)</> : null}
          <span className="dims">{d}×{d}</span>
        </h2>
        <span className="card-tools">
          <TaskPicker label="task shown in the Γ card" />
          <ExportMenu
            title="Γ_eff, Γ* and spectra"
            views={[
              ...(figures.eff ? [{ name: 'Γ_eff', selector: '[data-heatmap="Γ_eff"]', matrix: { m: figures.eff, rowLabels: figures.names, colLabels: figures.names } }] : []),
              { name: 'Γ*', selector: '[data-heatmap="Γ*"]', matrix: { m: figures.star, rowLabels: figures.names, colLabels: figures.names } },
              { name: 'Γ spectra', selector: '[data-testid="gamma-spectra"]' },
            ]}
          />
        </span>
      </header>
      <div className="gamma-trio">
        <figure>
          <figcaption>
            learned Γ<sub>eff</sub>
          </figcaption>
          {figures.left ? (
            <PlotlyGraph data={figures.left.data} layout={figures.left.layout} className="plot gamma-plot" attrs={{ 'data-heatmap': 'Γ_eff' }} />
          ) : (
            <div className="plot gamma-plot placeholder">waiting…</div>
          )}
        </figure>
        <figure>
          <figcaption title={pool ? "Γ* for the pool's own second moment Ω_pool = (1/M) Σ_m w_m w_mᵀ, not the prior's" : undefined}>
            {pool ? (
              <>
                theory Γ*(Ω<sub>pool</sub>)
              </>
            ) : isotropic !== null ? (
              <>theory Γ* = η*·I</>
            ) : (
              <>theory Γ*</>
            )}
          </figcaption>
          <PlotlyGraph data={figures.right.data} layout={figures.right.layout} className="plot gamma-plot" attrs={{ 'data-heatmap': 'Γ*' }} />
        </figure>
        <figure className="spectra-figure">
          <figcaption
            className="spectra-caption"
            title="Eigenvalues sorted in decreasing order: of the symmetric part (Γ_eff + Γ_effᵀ)/2 (filled circles) and of Γ* (open diamonds). Log axis when all are positive."
          >
            eigenvalues, sorted: <span style={{ color: theme.series.blue }}>●</span> Γ<sub>eff</sub> (symmetric part){' '}
            <span style={{ color: theme.series.amber }}>◇</span> Γ*
          </figcaption>
          <PlotlyGraph data={figures.spectra.data} layout={figures.spectra.layout} className="plot spectra-plot" attrs={{ 'data-testid': 'gamma-spectra' }} />
        </figure>
      </div>
      {components ? (
        <p className="caption components-line" data-testid="components" data-learned={learnedCount(components)} title="v_iᵀ Γ_eff v_i / v_iᵀ Γ* v_i along Σ's eigenvectors v_i (eigenvalues λ_i, descending): about 0 before component i is learned, 1 after. Separate K, Q learn one per loss drop; PCR with k components holds the first k.">
          components of Σ learned: <strong>{learnedCount(components)}</strong> of {components.length} —{' '}
          {components.map((c, i) => (
            <span key={i} className="component">
              λ<sub>{i + 1}</sub> = {fmt(c.eigenvalue, 3)}: {fmt(c.fraction, 2)}
              {i < components.length - 1 ? '; ' : ''}
            </span>
          ))}
        </p>
      ) : null}
      <p className="caption">
        {general ? (
          <TexText text={String.raw`\(\Gamma_{\mathrm{eff}} = \sum_h (W_{PV}^h)_{y,y}\,(W_{KQ}^h)_{x,x} + (W_{PV}^h)_{y,x}^\top (W_{KQ}^h)_{y,x}\); one colour scale. `} />
        ) : (
          <TexText
            text={String.raw`\(\Gamma_{\mathrm{eff}} = (W_{PV})_{${tt === null ? 'd+1,d+1' : `d+${tt},d+${tt}`}}\,(W_{KQ})_{1:d,1:d}\); one colour scale${isotropic !== null ? String.raw`, \(\eta^* = ${texNumber(isotropic)}\)` : ''}. `}
          />
        )}
        <span className="gamma-error" data-testid="gamma-rel-error" title="Relative Frobenius error of the learned preconditioner, from the latest weights">
          <Tex tex={String.raw`\lVert \Gamma_{\mathrm{eff}} - \Gamma^* \rVert_F \,/\, \lVert \Gamma^* \rVert_F =`} /> <strong>{relError !== null ? fmt(relError, 3) : '—'}</strong>
        </span>
      </p>
    </section>
  );
}
