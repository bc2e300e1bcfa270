// The two runs' numbers in two columns, with current − pinned beside them.
import type { CompareRow } from '../../store/compareModel.ts';
import { fmt, fmtEstimate, fmtInt } from '../format.ts';

const GROUP_TITLES: Record<CompareRow['group'], string> = {
  run: 'Run',
  'test MSE': 'Test MSE (fresh prompts)',
  identification: 'Identification',
  LSA: 'Linear self-attention',
  softmax: 'Softmax heads',
};

function cell(v: CompareRow['pinned'], id: string): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  return id === 'step' ? fmtInt(v) : fmt(v);
}

function diffCell(r: CompareRow): string {
  if (typeof r.pinned === 'string' || typeof r.current === 'string') return r.pinned === null || r.current === null ? '' : r.pinned === r.current ? 'same' : 'differs';
  if (r.diff === null) return '';
  if (r.diff === 0) return '0';
  const text = r.id === 'step' ? fmtInt(Math.abs(r.diff)) : fmt(Math.abs(r.diff), 3);
  return (r.diff > 0 ? '+' : '−') + text;
}

function seTitle(v: CompareRow['pinned'], se: number | undefined): string | undefined {
  return typeof v === 'number' && se !== undefined && Number.isFinite(se) ? fmtEstimate(v, se) : undefined;
}

export function CompareTable({ rows, pinnedTrained }: { rows: CompareRow[]; pinnedTrained: boolean }) {
  const groups = Array.from(new Set(rows.map((r) => r.group)));
  return (
    <table className="compare-table" data-testid="compare-table">
      <caption className="compare-sr-only">The pinned and the current run's numbers side by side, and current − pinned</caption>
      <thead>
        <tr>
          <th scope="col">quantity</th>
          <th scope="col" className="compare-col-pinned" title={pinnedTrained ? undefined : 'not trained yet'}>
            pinned
          </th>
          <th scope="col" className="compare-col-current">
            current
          </th>
          <th scope="col" title="current − pinned">
            difference
          </th>
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g}>
          <tr className="compare-group">
            <th scope="colgroup" colSpan={4}>
              {GROUP_TITLES[g]}
            </th>
          </tr>
          {rows
            .filter((r) => r.group === g)
            .map((r) => (
              <tr key={r.id} data-row={r.id}>
                <th scope="row">{r.label}</th>
                <td data-col="pinned" title={seTitle(r.pinned, r.pinnedSe)}>
                  {cell(r.pinned, r.id)}
                </td>
                <td data-col="current" title={seTitle(r.current, r.currentSe)}>
                  {cell(r.current, r.id)}
                </td>
                <td data-col="diff" className={r.diff !== null && r.diff !== 0 ? (r.diff > 0 ? 'up' : 'down') : undefined}>
                  {diffCell(r)}
                </td>
              </tr>
            ))}
        </tbody>
      ))}
    </table>
  );
}
