// The learned preconditioner next to the theory's, for linear self-attention
// with the identity response: Γ_eff = (W_PV)_{D,D} · (W_KQ)_{1:d,1:d} — the
// scale-invariant product that fixes the predictions — beside Γ* (η*·I when
// Σ is isotropic), on one colour scale so equal entries get equal colours.
import { useMemo } from 'react';
import type { NamedMatrix } from '../models/types.ts';
import { useLab } from '../store/labStore.ts';
import { buildHeatmapFigure, colourRange, xLabels } from './Heatmap.tsx';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { fmt } from './format.ts';

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

export function GammaCompare() {
  const d = useLab((s) => s.spec.task.d);
  const theory = useLab((s) => s.theory);
  const gammaEff = useLab((s) => s.lsa?.gammaEff ?? null);
  const gammaStar = theory?.available ? theory.gammaStar : undefined;
  const isotropic = gammaStar ? identityMultiple(gammaStar, d) : null;

  const figures = useMemo(() => {
    if (!gammaStar || gammaStar.length !== d * d) return null;
    const star = square('Γ*', gammaStar, d);
    const eff = gammaEff && gammaEff.length === d * d ? square('Γ_eff', gammaEff, d) : null;
    const range = Math.max(colourRange(star), eff ? colourRange(eff) : 0);
    const names = xLabels(d);
    const left = eff ? buildHeatmapFigure(eff, { range, coordNames: names, showScale: false }) : null;
    if (left) left.layout.margin = { ...left.layout.margin, r: SCALE_ROOM };
    const right = buildHeatmapFigure(star, { range, coordNames: names });
    // Both matrices hang from the top, under their captions.
    for (const f of [left, right]) if (f) f.layout.yaxis = { ...f.layout.yaxis, constraintoward: 'top' };
    return { left, right };
  }, [gammaEff, gammaStar, d]);

  if (!figures) return null;
  return (
    <section className="card heatmap-card gamma-card" aria-label="learned Γ_eff vs theory Γ*">
      <header className="card-header">
        <h2>
          Learned Γ<sub>eff</sub> vs theory Γ*<span className="dims">{d}×{d}</span>
        </h2>
      </header>
      <div className="gamma-pair">
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
          <figcaption>{isotropic !== null ? <>theory Γ* = η*·I</> : <>theory Γ*</>}</figcaption>
          <PlotlyGraph data={figures.right.data} layout={figures.right.layout} className="plot gamma-plot" attrs={{ 'data-heatmap': 'Γ*' }} />
        </figure>
      </div>
      <p className="caption">
        Γ<sub>eff</sub> = (W<sub>PV</sub>)<sub>d+1,d+1</sub>·(W<sub>KQ</sub>)<sub>1:d,1:d</sub>; one colour scale
        {isotropic !== null ? <>, η* = {fmt(isotropic, 3)}</> : null}.
      </p>
    </section>
  );
}
