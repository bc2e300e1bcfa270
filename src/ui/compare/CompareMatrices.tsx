// For every matrix both runs have (same name and shape): pinned | current |
// current − pinned. Pinned and current share one symmetric colour scale (the
// larger of their own ranges), so equal colours mean equal values across the
// two; the difference has its own symmetric scale.
import { useMemo } from 'react';
import type { MatrixComparison } from '../../store/compareModel.ts';
import type { NamedMatrix } from '../../models/types.ts';
import { ExportMenu } from '../ExportMenu.tsx';
import { fmt } from '../format.ts';
import { buildHeatmapFigure, colourRange, heatmapLabels, outputLabels, tokenLabels, type HeatmapOptions } from '../Heatmap.tsx';
import { PlotlyGraph } from '../PlotlyGraph.tsx';
import { usePlotTheme } from '../plotTheme.ts';

/** Row and column names of a model matrix over token coordinates ((d+k)×(d+k), or OV^h's (d+k)×k). */
function namesFor(m: NamedMatrix, d: number, k: number): Pick<HeatmapOptions, 'rowNames' | 'colNames'> {
  const D = d + k;
  if (m.rows !== D) return {};
  if (m.cols === D) return { rowNames: tokenLabels(d, k), colNames: tokenLabels(d, k) };
  if (m.cols === k) return { rowNames: tokenLabels(d, k), colNames: k > 1 ? outputLabels(k) : [''] };
  return {};
}

/** W_KQ → W<sub>KQ</sub>; KQ^2 → KQ<sup>2</sup>. */
export function CompareMatrixName({ name }: { name: string }) {
  const sup = name.split('^');
  if (sup.length === 2) {
    return (
      <>
        {sup[0]}
        <sup>{sup[1]}</sup>
      </>
    );
  }
  const [base, subscript] = name.split('_');
  return (
    <>
      {base}
      {subscript ? <sub>{subscript}</sub> : null}
    </>
  );
}

/** The shared range of pinned and current, and the difference's own. */
export function compareRanges(m: MatrixComparison): { shared: number; diff: number } {
  return { shared: Math.max(colourRange(m.pinned), colourRange(m.current)), diff: colourRange(m.diff) };
}

const PANELS = [
  { key: 'pinned', title: 'pinned' },
  { key: 'current', title: 'current' },
  { key: 'diff', title: 'current − pinned' },
] as const;

function MatrixTrio({ m, d, k }: { m: MatrixComparison; d: number; k: number }) {
  const theme = usePlotTheme();
  const names = useMemo(() => namesFor(m.current, d, k), [m.current, d, k]);
  const ranges = compareRanges(m);
  // A column or a thin matrix (OV^h with one output): a narrow trio, its ranges stated above it instead of colour bars.
  const narrow = m.current.cols * 2 < m.current.rows;
  const figures = useMemo(
    () => ({
      // Every map keeps its colour bar (the same one for pinned and current), so the three are drawn at one size.
      pinned: buildHeatmapFigure(m.pinned, { ...names, theme, range: ranges.shared, showScale: !narrow }),
      current: buildHeatmapFigure(m.current, { ...names, theme, range: ranges.shared, showScale: !narrow }),
      diff: buildHeatmapFigure(m.diff, { ...names, theme, range: ranges.diff, showScale: !narrow }),
    }),
    [m, names, theme, ranges.shared, ranges.diff, narrow],
  );
  const labels = heatmapLabels(m.current, names);
  const slug = (key: string) => `${key}:${m.name}`;
  return (
    <div className={narrow ? 'compare-trio narrow' : 'compare-trio'} data-compare-matrix={m.name} role="group" aria-label={`${m.name}: pinned, current and their difference`}>
      <div className="compare-trio-header">
        <h3>
          <CompareMatrixName name={m.name} />
          <span className="dims">
            {m.current.rows}×{m.current.cols}
          </span>
        </h3>
        <ExportMenu
          title={`compare ${m.name}`}
          views={[
            { name: `pinned ${m.name}`, selector: `[data-compare-heatmap="${slug('pinned')}"]`, matrix: { m: m.pinned, ...labels } },
            { name: `current ${m.name}`, selector: `[data-compare-heatmap="${slug('current')}"]`, matrix: { m: m.current, ...labels } },
            { name: `${m.name} current minus pinned`, label: `${m.name} current − pinned`, selector: `[data-compare-heatmap="${slug('diff')}"]`, matrix: { m: m.diff, ...labels } },
          ]}
        />
      </div>
      <p className="compare-scales muted small" data-testid="compare-scales">
        pinned and current on one scale, ±{fmt(ranges.shared, 3)}; the difference on ±{fmt(ranges.diff, 3)}; max |Δ| = {fmt(m.maxAbsDiff, 3)}
      </p>
      <div className="compare-trio-maps">
        {PANELS.map((p) => (
          <figure key={p.key} className={`compare-map compare-map-${p.key}`}>
            <figcaption>{p.title}</figcaption>
            <PlotlyGraph
              data={figures[p.key].data}
              layout={figures[p.key].layout}
              className={narrow ? 'plot compare-heatmap narrow' : 'plot compare-heatmap'}
              attrs={{ 'data-compare-heatmap': slug(p.key) }}
            />
          </figure>
        ))}
      </div>
    </div>
  );
}

export function CompareMatrices({ matrices, d, k }: { matrices: MatrixComparison[]; d: number; k: number }) {
  if (matrices.length === 0) {
    return <p className="muted small compare-none">The two runs have no matrix of the same name and shape to compare.</p>;
  }
  return (
    <div className="compare-matrices" data-testid="compare-matrices">
      {matrices.map((m) => (
        <MatrixTrio key={m.name} m={m} d={d} k={k} />
      ))}
    </div>
  );
}
