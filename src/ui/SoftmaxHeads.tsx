// Multi-head softmax attention, one panel per head: KQ^h (D×D) and OV^h (D×1)
// as small heatmaps side by side on the diverging scale of the LSA heatmaps,
// then a table of the per-head scores and the zero-sum score. The panels wrap,
// so eight heads take two rows of a 1280-pixel-wide page. Colour ranges are
// shared across heads by default (one for all KQ, one for all OV), so heads
// compare at a glance and a dormant head looks faint; unchecked, each heatmap
// uses its own range, printed under the pair.
import { useEffect, useMemo, useRef, useState } from 'react';
import { DORMANT_THRESHOLD, type HeadReading, type SoftmaxReading } from '../analysis/softmax.ts';
import type { NamedMatrix } from '../models/types.ts';
import { setSharedHeadScale, useLab } from '../store/labStore.ts';
import { fmt } from './format.ts';
import { buildHeatmapFigure, colourRange } from './Heatmap.tsx';
import { headColour } from './heads.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';

const DORMANT_NOTE = `Dormant: ‖OV^h‖ is under ${DORMANT_THRESHOLD * 100}% of the largest head's, so this head barely reaches ŷ.`;

interface HeadMatrices {
  kq: NamedMatrix;
  ov: NamedMatrix;
}

/** softmaxMatrices lists KQ^h, OV^h for each head in turn. */
function pairUp(matrices: NamedMatrix[] | null, heads: number): HeadMatrices[] | null {
  if (!matrices || matrices.length !== 2 * heads) return null;
  return Array.from({ length: heads }, (_, h) => ({ kq: matrices[2 * h], ov: matrices[2 * h + 1] }));
}

function MatrixName({ base, h, heads }: { base: string; h: number; heads: number }) {
  return (
    <>
      {base}
      {heads > 1 ? <sup>{h + 1}</sup> : null}
    </>
  );
}

function HeadMap({ matrix, range, rowTicks, className }: { matrix: NamedMatrix; range: number | undefined; rowTicks: boolean; className: string }) {
  const figure = useMemo(() => buildHeatmapFigure(matrix, { compact: true, rowTicks, range }), [matrix, range, rowTicks]);
  return <PlotlyGraph data={figure.data} layout={figure.layout} className={`plot ${className}`} attrs={{ 'data-heatmap': matrix.name }} />;
}

interface PanelProps {
  h: number;
  heads: number;
  pair: HeadMatrices | null;
  reading: HeadReading | null;
  shared: { kq: number; ov: number } | null;
}

function HeadPanel({ h, heads, pair, reading, shared }: PanelProps) {
  const dormant = reading?.dormant ?? false;
  return (
    <div className={dormant ? 'head-panel dormant' : 'head-panel'} data-head={h + 1} data-dormant={String(dormant)} title={dormant ? DORMANT_NOTE : undefined}>
      <div className="head-title">
        <span className="head-swatch" style={{ background: headColour(h) }} aria-hidden="true" />
        <span>Head {h + 1}</span>
        {dormant ? <span className="badge-dormant">dormant</span> : null}
      </div>
      {pair ? (
        <div className="head-maps">
          <div className="head-map">
            <div className="head-map-label" title={pair.kq.caption}>
              <MatrixName base="KQ" h={h} heads={heads} />
            </div>
            <HeadMap matrix={pair.kq} range={shared?.kq} rowTicks className="kq-plot" />
          </div>
          <div className="head-map">
            <div className="head-map-label" title={pair.ov.caption}>
              <MatrixName base="OV" h={h} heads={heads} />
            </div>
            <HeadMap matrix={pair.ov} range={shared?.ov} rowTicks={false} className="ov-plot" />
          </div>
        </div>
      ) : (
        <div className="plot head-placeholder placeholder">waiting…</div>
      )}
      {pair && !shared ? (
        <div className="head-ranges" title="This head's colour ranges: each map is scaled to its own largest |entry|">
          KQ ±{fmt(colourRange(pair.kq), 2)} · OV ±{fmt(colourRange(pair.ov), 2)}
        </div>
      ) : null}
    </div>
  );
}

function share(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : fmt(x);
}

function HeadTable({ reading }: { reading: SoftmaxReading }) {
  const H = reading.heads.length;
  return (
    <div className="head-summary">
      <table className="head-table" data-testid="head-table">
        <thead>
          <tr>
            <th>head</th>
            <th title="ω_h: mean of the diagonal of KQ^h's x-block (He et al.: KQ^h ≈ ω_h·I)">
              ω<sub>h</sub>
            </th>
            <th title="μ_h: the last entry of OV^h (He et al.: OV^h ≈ μ_h·e_{d+1})">
              μ<sub>h</sub>
            </th>
            <th title="Diagonal homogeneity: share of the x-block's squared norm on its best multiple of I (1: exactly ω·I)">
              diag.
              <br />
              homog.
            </th>
            <th title="Last entry only: share of OV^h's squared norm on its last entry (1: exactly μ·e_{d+1})">
              last entry
              <br />
              only
            </th>
            <th title="‖OV^h‖ relative to the largest head's; under 0.1: dormant">
              ‖OV‖
              <br />
              rel.
            </th>
          </tr>
        </thead>
        <tbody>
          {reading.heads.map((hd, h) => (
            <tr key={h} className={hd.dormant ? 'dormant' : undefined} data-head={h + 1} title={hd.dormant ? DORMANT_NOTE : undefined}>
              <td>
                <span className="head-swatch" style={{ background: headColour(h) }} aria-hidden="true" />
                {h + 1}
                {hd.dormant ? <span className="badge-dormant">dormant</span> : null}
              </td>
              <td>{fmt(hd.omega, 3)}</td>
              <td>{fmt(hd.mu, 3)}</td>
              <td>{share(hd.diagonalHomogeneity)}</td>
              <td>{share(hd.lastEntryOnly)}</td>
              <td>{share(hd.relativeOutput)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="zero-sum" data-testid="zero-sum" title="|Σ_h μ_h| / Σ_h |μ_h|: 0 when the heads' μ cancel exactly (He et al.'s opposite-sign pairs), 1 when they all share a sign">
        zero-sum |Σμ<sub>h</sub>| / Σ|μ<sub>h</sub>|: <strong>{H > 1 ? fmt(reading.zeroSum, 3) : '—'}</strong>
        <span className="muted">{H > 1 ? ' (0: the μ cancel)' : ' (needs two or more heads)'}</span>
      </p>
    </div>
  );
}

/**
 * Redraws of 2H small heatmaps add up: each is one Plotly draw (5–30 ms on a
 * slow CPU), and drawing all of them at the store's 10 Hz would keep the main
 * thread busy and slow training. The panels follow the store at most every
 * 100 ms per two heads instead; the last value always arrives.
 */
export function headsRedrawInterval(heads: number): number {
  return 100 * Math.max(1, Math.ceil(heads / 2));
}

function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + intervalMs - performance.now();
    const show = () => {
      last.current = performance.now();
      setShown(value);
    };
    if (wait <= 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, intervalMs]);
  return shown;
}

export function SoftmaxHeads() {
  const heads = useLab((s) => s.spec.model.heads);
  const d = useLab((s) => s.spec.task.d);
  const latestMatrices = useLab((s) => s.matrices);
  const latestReading = useLab((s) => s.softmax);
  const latest = useMemo(() => ({ matrices: latestMatrices, reading: latestReading }), [latestMatrices, latestReading]);
  const { matrices, reading } = useThrottled(latest, headsRedrawInterval(heads));
  const sharedScale = useLab((s) => s.sharedHeadScale);
  const pairs = pairUp(matrices, heads);
  const shared =
    sharedScale && pairs
      ? { kq: Math.max(...pairs.map((p) => colourRange(p.kq))), ov: Math.max(...pairs.map((p) => colourRange(p.ov))) }
      : null;
  const D = d + 1;

  return (
    <section className="card heads-card" aria-label="attention heads">
      <header className="card-header">
        <h2>
          {heads > 1 ? `${heads} heads` : 'One head'}
          <span className="dims">
            KQ{heads > 1 ? <sup>h</sup> : null} {D}×{D} · OV{heads > 1 ? <sup>h</sup> : null} {D}×1
          </span>
        </h2>
        <div className="heads-tools">
          <span className="scale-legend" title="Diverging colour scale centred at 0: blue < 0 < red">
            <span className="scale-bar" aria-hidden="true" />
            {shared ? (
              <span data-testid="shared-ranges">
                KQ ±{fmt(shared.kq, 2)} · OV ±{fmt(shared.ov, 2)}
              </span>
            ) : (
              <span>± each map's largest |entry|</span>
            )}
          </span>
          {heads > 1 ? (
            <label className="check">
              <input type="checkbox" data-testid="shared-scale" checked={sharedScale} onChange={(e) => setSharedHeadScale(e.target.checked)} />
              one scale for all heads
            </label>
          ) : null}
        </div>
      </header>
      <div className="heads-body">
        {Array.from({ length: heads }, (_, h) => (
          <HeadPanel key={h} h={h} heads={heads} pair={pairs?.[h] ?? null} reading={reading?.heads[h] ?? null} shared={shared} />
        ))}
        {reading ? <HeadTable reading={reading} /> : null}
      </div>
      <p className="caption">
        KQ<sup>h</sup> = Q<sup>h</sup>ᵀK<sup>h</sup>/√D (rows: query coordinates, columns: key coordinates); its hatched last
        row multiplies z_q's zero entry and cannot affect ŷ. OV<sup>h</sup> = (O<sup>h</sup>V<sup>h</sup>)ᵀ is what head h adds
        to ŷ per unit of attention on a token. He et al.'s pattern: KQ<sup>h</sup> ≈ ω<sub>h</sub>·I on the x-block,
        OV<sup>h</sup> ≈ μ<sub>h</sub>·e<sub>d+1</sub>, and with two or more heads, μ<sub>h</sub> of opposite signs summing to
        zero.
      </p>
    </section>
  );
}
