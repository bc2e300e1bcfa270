// Multi-head softmax attention, one panel per head: KQ^h (D×D) and OV^h (D×k,
// a column per output; D = d + k) as small heatmaps side by side on the diverging scale of the LSA heatmaps,
// then a table of the per-head scores and the zero-sum score. The panels wrap,
// so eight heads take two rows of a 1280-pixel-wide page. Colour ranges are
// shared across heads by default (one for all KQ, one for all OV), so heads
// compare at a glance and a dormant head looks faint; unchecked, each heatmap
// uses its own range, printed under the pair. On demand (a header checkbox)
// each head also shows He et al.'s pattern built with its own ω_h and μ_h
// (patternMatrices: ω_h·I on the x-block, μ_h on the own-label entries, 0
// elsewhere) under its learned pair, on the learned maps' colour scales.
import { useEffect, useMemo, useRef, useState } from 'react';
import { DORMANT_THRESHOLD, patternMatrices, type HeadReading, type SoftmaxReading } from '../analysis/softmax.ts';
import type { NamedMatrix } from '../models/types.ts';
import { setSharedHeadScale, setShowHePattern, useLab } from '../store/labStore.ts';
import { fmt } from './format.ts';
import { ExportMenu, type ExportView } from './ExportMenu.tsx';
import { buildHeatmapFigure, colourRange, heatmapLabels, outputLabels, tokenLabels } from './Heatmap.tsx';
import { headColour, sub } from './heads.ts';
import { usePlotTheme } from './plotTheme.ts';
import { PlotlyGraph } from './PlotlyGraph.tsx';
import { TexText } from './Tex.tsx';

const DORMANT_NOTE = `Dormant: ‖OV^h‖ is under ${DORMANT_THRESHOLD * 100}% of the largest head's, so this head barely reaches ŷ.`;

interface HeadMatrices {
  kq: NamedMatrix;
  ov: NamedMatrix;
}

/** softmaxMatrices (and patternMatrices) list KQ^h, OV^h for each head in turn. */
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

/** ω_h or μ_h, with the head's number as subscript when there are several heads. */
function HeadSymbol({ base, h, heads }: { base: string; h: number; heads: number }) {
  return (
    <>
      {base}
      {heads > 1 ? <sub>{h + 1}</sub> : null}
    </>
  );
}

/** Plot height of the small heatmaps, and the vertical room Plotly keeps around the matrix (compact margins t 18, b 2). */
const MAP_HEIGHT = 140;
const MAP_V_MARGINS = 20;

interface HeadMapProps {
  matrix: NamedMatrix;
  range: number | undefined;
  rowTicks: boolean;
  className: string;
  d: number;
  k: number;
}

/** Rows: token coordinates x₁ … x_d, y (y₁ … y_k); OV's columns: the outputs. */
function headNames(matrix: NamedMatrix, d: number, k: number): { rowNames?: string[]; colNames?: string[] } {
  return matrix.rows === d + k ? { rowNames: tokenLabels(d, k), colNames: matrix.cols === k && k > 1 ? outputLabels(k) : matrix.cols === k ? [''] : tokenLabels(d, k) } : {};
}

/** A head's maps (learned, and the pattern where shown) as export-menu views. */
function headViews(maps: NamedMatrix[], d: number, k: number): ExportView[] {
  return maps.map((m) => ({ name: m.name, selector: `[data-heatmap="${m.name}"]`, matrix: { m, ...heatmapLabels(m, headNames(m, d, k)) } }));
}

function HeadMap({ matrix, range, rowTicks, className, d, k }: HeadMapProps) {
  const theme = usePlotTheme();
  const figure = useMemo(() => {
    const names = headNames(matrix, d, k);
    return buildHeatmapFigure(matrix, { compact: true, rowTicks, range, ...names, theme });
  }, [matrix, range, rowTicks, d, k, theme]);
  // OV^h is D×k with square cells: as wide as k cells of KQ's height (at least the old one-column width).
  const style = matrix.cols < matrix.rows ? { width: `${Math.max(26, Math.ceil(4 + (matrix.cols * (MAP_HEIGHT - MAP_V_MARGINS)) / matrix.rows) + 2)}px` } : undefined;
  return (
    <div style={style}>
      <PlotlyGraph data={figure.data} layout={figure.layout} className={`plot ${className}`} attrs={{ 'data-heatmap': matrix.name }} />
    </div>
  );
}

interface PanelProps {
  h: number;
  heads: number;
  d: number;
  k: number;
  pair: HeadMatrices | null;
  /** He et al.'s pattern with this head's ω_h, μ_h; null when not shown. */
  pattern: HeadMatrices | null;
  reading: HeadReading | null;
  shared: { kq: number; ov: number } | null;
}

function HeadPanel({ h, heads, d, k, pair, pattern, reading, shared }: PanelProps) {
  const theme = usePlotTheme();
  const dormant = reading?.dormant ?? false;
  return (
    <div className={dormant ? 'head-panel dormant' : 'head-panel'} data-head={h + 1} data-dormant={String(dormant)} title={dormant ? DORMANT_NOTE : undefined}>
      <div className="head-title">
        <span className="head-swatch" style={{ background: headColour(h, theme) }} aria-hidden="true" />
        <span>Head {h + 1}</span>
        {dormant ? <span className="badge-dormant">dormant</span> : null}
        {pair ? <ExportMenu title={`head ${h + 1}`} views={headViews(pattern ? [pair.kq, pair.ov, pattern.kq, pattern.ov] : [pair.kq, pair.ov], d, k)} /> : null}
      </div>
      {pair ? (
        <div className="head-maps">
          <div className="head-map">
            <div className="head-map-label" title={pair.kq.caption}>
              <MatrixName base="KQ" h={h} heads={heads} />
            </div>
            <HeadMap matrix={pair.kq} range={shared?.kq} rowTicks className="kq-plot" d={d} k={k} />
          </div>
          <div className="head-map">
            <div className="head-map-label" title={pair.ov.caption}>
              <MatrixName base="OV" h={h} heads={heads} />
            </div>
            <HeadMap matrix={pair.ov} range={shared?.ov} rowTicks={false} className="ov-plot" d={d} k={k} />
          </div>
        </div>
      ) : (
        <div className="plot head-placeholder placeholder">waiting…</div>
      )}
      {pair && pattern && reading ? (
        // The learned maps' colour ranges (shared, or each learned map's own), so equal values get equal colours.
        <div className="head-maps pattern-maps" data-testid="pattern-maps">
          <div className="head-map">
            <div className="head-map-label pattern-label" title={`${pattern.kq.caption} ω${heads > 1 ? sub(h + 1) : ''} = ${fmt(reading.omega, 4)}`}>
              pattern <HeadSymbol base="ω" h={h} heads={heads} />
              ·I
            </div>
            <HeadMap matrix={pattern.kq} range={shared?.kq ?? colourRange(pair.kq)} rowTicks className="kq-plot" d={d} k={k} />
          </div>
          <div className="head-map">
            <div className="head-map-label pattern-label" title={`${pattern.ov.caption} μ${heads > 1 ? sub(h + 1) : ''} = ${reading.muByOutput.map((m) => fmt(m, 4)).join(', ')}`}>
              <HeadSymbol base="μ" h={h} heads={heads} />
            </div>
            <HeadMap matrix={pattern.ov} range={shared?.ov ?? colourRange(pair.ov)} rowTicks={false} className="ov-plot" d={d} k={k} />
          </div>
        </div>
      ) : null}
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

/** |Σ_h μ_h| / Σ_h |μ_h| of one output's μ (0 when they cancel). */
function zeroSumOf(mu: number[]): number {
  const abs = mu.reduce((a, v) => a + Math.abs(v), 0);
  return abs > 0 ? Math.abs(mu.reduce((a, v) => a + v, 0)) / abs : 0;
}

function HeadTable({ reading }: { reading: SoftmaxReading }) {
  const theme = usePlotTheme();
  const H = reading.heads.length;
  const k = reading.muByOutput.length;
  return (
    <div className="head-summary">
      <table className="head-table" data-testid="head-table">
        <thead>
          <tr>
            <th>head</th>
            <th title="ω_h: mean of the diagonal of KQ^h's x-block (He et al.: KQ^h ≈ ω_h·I)">
              ω<sub>h</sub>
            </th>
            {k === 1 ? (
              <th title="μ_h: the last entry of OV^h (He et al.: OV^h ≈ μ_h·e_{d+1})">
                μ<sub>h</sub>
              </th>
            ) : (
              reading.muByOutput.map((_, t) => (
                <th key={t} title={`μ_h for task ${t + 1}: OV^h's entry at row y${sub(t + 1)}, column ŷ${sub(t + 1)} (the head's weight on task ${t + 1}'s own label)`}>
                  μ<sub>h</sub>
                  <br />
                  task {t + 1}
                </th>
              ))
            )}
            <th title="Diagonal homogeneity: share of the x-block's squared norm on its best multiple of I (1: exactly ω·I)">
              diag.
              <br />
              homog.
            </th>
            <th
              title={
                k === 1
                  ? "Last entry only: share of OV^h's squared norm on its last entry (1: exactly μ·e_{d+1})"
                  : "Own-label only: share of OV^h's squared norm on the entries (y_t, ŷ_t) (1: each output reads only its own label)"
              }
            >
              {k === 1 ? 'last entry' : 'own label'}
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
                <span className="head-swatch" style={{ background: headColour(h, theme) }} aria-hidden="true" />
                {h + 1}
                {hd.dormant ? <span className="badge-dormant">dormant</span> : null}
              </td>
              <td>{fmt(hd.omega, 3)}</td>
              {hd.muByOutput.map((m, t) => (
                <td key={t}>{fmt(m, 3)}</td>
              ))}
              <td>{share(hd.diagonalHomogeneity)}</td>
              <td>{share(hd.lastEntryOnly)}</td>
              <td>{share(hd.relativeOutput)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="zero-sum" data-testid="zero-sum" title="|Σ_h μ_h| / Σ_h |μ_h|: 0 when the heads' μ cancel exactly (He et al.'s opposite-sign pairs), 1 when they all share a sign">
        zero-sum |Σμ<sub>h</sub>| / Σ|μ<sub>h</sub>|:{' '}
        {H > 1 ? (
          k === 1 ? (
            <strong>{fmt(reading.zeroSum, 3)}</strong>
          ) : (
            reading.muByOutput.map((mu, t) => (
              <span key={t}>
                {t > 0 ? ' · ' : null}task {t + 1} <strong>{fmt(zeroSumOf(mu), 3)}</strong>
              </span>
            ))
          )
        ) : (
          <strong>—</strong>
        )}
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
  const k = useLab((s) => s.spec.task.tasks);
  const latestMatrices = useLab((s) => s.matrices);
  const latestReading = useLab((s) => s.softmax);
  const latest = useMemo(() => ({ matrices: latestMatrices, reading: latestReading }), [latestMatrices, latestReading]);
  const showPattern = useLab((s) => s.showHePattern);
  // The pattern doubles the heatmaps to redraw: throttle as for twice the heads.
  const { matrices, reading } = useThrottled(latest, headsRedrawInterval(showPattern ? 2 * heads : heads));
  const sharedScale = useLab((s) => s.sharedHeadScale);
  const pairs = pairUp(matrices, heads);
  // Built from the same (throttled) reading as the learned maps; none while the reading is of another shape (the spec just changed).
  const patterns = useMemo(
    () => (showPattern && reading && reading.heads[0]?.kq.length === (d + k) ** 2 ? pairUp(patternMatrices(reading, d), heads) : null),
    [showPattern, reading, d, k, heads],
  );
  const shared =
    sharedScale && pairs
      ? { kq: Math.max(...pairs.map((p) => colourRange(p.kq))), ov: Math.max(...pairs.map((p) => colourRange(p.ov))) }
      : null;
  const D = d + k;

  return (
    <section className="card heads-card" aria-label="attention heads">
      <header className="card-header">
        <h2>
          {heads > 1 ? `${heads} heads` : 'One head'}
          <span className="dims">
            KQ{heads > 1 ? <sup>h</sup> : null} {D}×{D} · OV{heads > 1 ? <sup>h</sup> : null} {D}×{k}
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
          <label className="check" title="Under each head's learned KQ and OV, the nearest matrices of He et al.'s form: ω_h·I on the x-block and μ_h on each output's own label entry, 0 elsewhere">
            <input type="checkbox" data-testid="show-pattern" checked={showPattern} onChange={(e) => setShowHePattern(e.target.checked)} />
            show He et al.'s pattern
          </label>
        </div>
      </header>
      {showPattern ? (
        <p
          className="caption pattern-caption"
          data-testid="pattern-caption"
          title={`He et al.'s pattern: ω_h·I on KQ's x-block, μ_h on ${k === 1 ? "OV's label entry" : "each output's own label entry of OV"}, 0 elsewhere; drawn on the learned maps' colour scale.`}
        >
          <TexText text={String.raw`Lower maps: the pattern with this head's \(\omega_h\), \(\mu_h\), what the learned maps are read against; the table's per-head scores measure the distance.`} />
        </p>
      ) : null}
      <div className="heads-body">
        {Array.from({ length: heads }, (_, h) => (
          <HeadPanel key={h} h={h} heads={heads} d={d} k={k} pair={pairs?.[h] ?? null} pattern={patterns?.[h] ?? null} reading={reading?.heads[h] ?? null} shared={shared} />
        ))}
        {reading ? <HeadTable reading={reading} /> : null}
      </div>
      {k === 1 ? (
        <p className="caption">
          <TexText
            text={String.raw`\(KQ^h = Q^{h\top} K^h/\sqrt{D}\) (rows: query coordinates, columns: key coordinates); its hatched last row multiplies \(z_q\)'s zero entry and cannot affect \(\hat y\). \(OV^h = (O^h V^h)^\top\) is what head \(h\) adds to \(\hat y\) per unit of attention on a token. He et al.'s pattern: \(KQ^h \approx \omega_h I\) on the x-block, \(OV^h \approx \mu_h e_{d+1}\), and with two or more heads, \(\mu_h\) of opposite signs summing to zero.`}
          />
        </p>
      ) : (
        <p className="caption">
          <TexText
            text={String.raw`${k} tasks: tokens are \(z = (x, y_1, \dots, y_{${k}})\), \(D = d + k = ${D}\). \(KQ^h = Q^{h\top} K^h/\sqrt{D}\) (rows: query coordinates, columns: key coordinates); its hatched label rows multiply \(z_q\)'s zero entries and cannot affect \(\hat y\). \(OV^h = (O^h V^h)^\top\) has a column per output \(\hat y_t\): what head \(h\) adds to it per unit of attention on a token. \(\omega_h\) is \(KQ^h\)'s mean x-diagonal (over all \(d\) coordinates, though each task reads only its window); \(\mu_h\) of task \(t\) is the entry \((y_t, \hat y_t)\).`}
          />
        </p>
      )}
    </section>
  );
}
