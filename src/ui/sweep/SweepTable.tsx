// Every run of the sweep, finished or not: its index, swept values, replicate
// and seeds, status (diverged and failed marked, their message in the title),
// the identified algorithm and the main metrics. A row (or its run link, from
// the keyboard) opens the run in the single-run view. Exports as CSV and JSON.
import { memo, useMemo, useState } from 'react';
import { metricLabel } from '../../analysis/sweepPoints.ts';
import { buildSweepFile, runTable, runTableCsv, type RunTableRow } from '../../orchestration/sweepFile.ts';
import { exportFileName } from '../../export/matrix.ts';
import { encodeSpec } from '../../spec/codec.ts';
import { FIELD_BY_PATH } from '../../spec/fields.ts';
import type { SweepRunPlan } from '../../spec/sweep.ts';
import { openRun } from '../../store/sweepController.ts';
import { plansOf, sweepFileOf } from '../../store/sweepDerived.ts';
import { useSweep } from '../../store/sweepStore.ts';
import { downloadText } from '../download.ts';
import { fmt } from '../format.ts';

const SHORT: Record<string, string> = {
  'test.model': 'test MSE',
  'test.oneStepGd': '1-step GD',
  'test.preconditionedGd': 'precond. GD',
  'test.debiasedGd': 'debiased GD',
  'test.ridge': 'ridge',
  'theory.gdLoss': 'L*',
  'lsa.etaRatio': 'η_eff/η*',
  'lsa.gammaRelError': 'Γ error',
  'softmax.zeroSum': 'zero-sum',
  'identification.r2': 'R²',
  'train.finalLoss': 'final loss',
};

type RowStatus = RunTableRow['status'] | 'queued' | 'training';

interface RowProps {
  plan: SweepRunPlan;
  row: RunTableRow | undefined;
  status: RowStatus;
  message: string | undefined;
  metrics: readonly string[];
  axisKeys: string[];
  step: string | null;
  /** Compare: the link of the run pinned in this table, if any. */
  pinnedShare: string | null;
  onPin: (share: string | null) => void;
}

const Row = memo(function Row({ plan, row, status, message, metrics, axisKeys, step, pinnedShare, onPin }: RowProps) {
  const coords = plan.coords.map((v, i) => `${axisKeys[i]} = ${v}`).join(', ');
  const done = row?.status === 'done';
  const pinned = done && pinnedShare === row!.share;
  const open = () => void openRun(row?.share ?? encodeShare(plan));
  return (
    <tr className={`sweep-run-row run-${status}`} data-run={plan.index} data-status={status} onClick={open} title={`Open run ${plan.index} in the single-run view`}>
      <td>
        <a
          href={'?' + (row?.share ?? encodeShare(plan))}
          data-run-link={plan.index}
          aria-label={`Open run ${plan.index} (${coords}, replicate ${plan.replicate}) in the single-run view`}
          onClick={(e) => {
            e.stopPropagation();
            // A new tab or window leaves this page alone; here, ask first while the sweep runs.
            if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            void openRun(row?.share ?? encodeShare(plan));
          }}
        >
          {plan.index}
        </a>
      </td>
      {plan.coords.map((v, i) => (
        <td key={i}>{String(v)}</td>
      ))}
      <td>{plan.replicate}</td>
      <td className="seeds">
        {plan.spec.train.dataSeed} / {plan.spec.train.initSeed}
      </td>
      <td>
        <span className={`run-status-badge badge-${status}`} title={message} data-testid="run-status">
          {status === 'training' && step ? `training ${step}` : status}
        </span>
        {message ? <span className="visually-hidden">: {message}</span> : null}
      </td>
      <td className="identified">{row?.identified ?? ''}</td>
      {metrics.map((k) => (
        <td key={k} className="num">
          {row && row.metrics[k] !== undefined ? fmt(row.metrics[k], 4) : ''}
        </td>
      ))}
      <td className="compare-cell" onClick={(e) => e.stopPropagation()}>
        {done ? (
          <button
            type="button"
            className={pinned ? 'btn small active' : 'btn small'}
            data-action="sweep-pin"
            aria-pressed={pinned}
            title={pinned ? 'Unpin this run' : `Pin run ${plan.index} for comparison, then open another run beside it`}
            onClick={() => onPin(pinned ? null : row!.share)}
          >
            {pinned ? 'pinned' : 'pin'}
          </button>
        ) : null}
        {done && pinnedShare !== null && !pinned ? (
          <button
            type="button"
            className="btn small"
            data-action="sweep-compare"
            title={`Open run ${plan.index} in the single-run view beside the pinned run (its saved result is pinned there)`}
            onClick={() => openRun(`${row!.share}&vs=${encodeURIComponent(pinnedShare)}`)}
          >
            compare
          </button>
        ) : null}
      </td>
    </tr>
  );
});

const shareCache = new WeakMap<SweepRunPlan, string>();

function encodeShare(plan: SweepRunPlan): string {
  let s = shareCache.get(plan);
  if (!s) shareCache.set(plan, (s = encodeSpec(plan.spec)));
  return s;
}

export function SweepTable() {
  const sweep = useSweep((s) => s.sweep);
  const link = useSweep((s) => s.link);
  const records = useSweep((s) => s.records);
  const recordsVersion = useSweep((s) => s.recordsVersion);
  const current = useSweep((s) => (s.activity === 'running' || s.activity === 'pausing' || s.activity === 'stopping' ? (s.progress?.current ?? null) : null));
  const file = sweepFileOf({ sweep, link, records, recordsVersion });
  const plans = plansOf({ sweep, link });
  const table = useMemo(() => (file ? runTable(file) : null), [file]);
  const byIndex = useMemo(() => new Map((table?.rows ?? []).map((r) => [r.index, r])), [table]);
  const messages = useMemo(() => new Map(records.map((r) => [r.index, r.message])), [records]);
  const metrics = useMemo(() => (table ? table.metrics.filter((k) => table.rows.some((r) => r.metrics[k] !== undefined)) : []), [table]);
  const [pinnedShare, setPinnedShare] = useState<string | null>(null);
  if (!sweep || !file) return null;
  const axisKeys = sweep.axes.map((a) => FIELD_BY_PATH.get(a.field)?.key ?? a.field);
  const done = records.filter((r) => r.status === 'done').length;
  const bad = records.length - done;

  const csv = () => downloadText(runTableCsv(file), exportFileName('sweep runs', 'csv'), 'text/csv');
  const json = () => {
    const out = buildSweepFile(sweep, records, { timing: { exportedAt: new Date().toISOString(), adapter: useSweep.getState().device.description } });
    downloadText(JSON.stringify(out), exportFileName('sweep', 'json'), 'application/json');
  };

  return (
    <section className="card sweep-table-card" aria-label="runs of the sweep">
      <header className="card-header">
        <h2>
          Runs <span className="dims">{records.length} of {plans.length} finished{bad > 0 ? ` · ${bad} diverged or failed` : ''}</span>
        </h2>
        <span className="card-tools">
          <span className="muted small">click a row to open its run</span>
          <button type="button" className="btn small" data-action="sweep-csv" disabled={records.length === 0} onClick={csv} title="The run table as CSV: one row per finished run">
            CSV
          </button>
          <button type="button" className="btn small" data-action="sweep-json" disabled={records.length === 0} onClick={json} title="The sweep file: the sweep, every run's record and the per-point aggregates (the runner's format)">
            JSON
          </button>
        </span>
      </header>
      <div className="sweep-table-wrap">
        <table className="sweep-table" data-testid="sweep-table">
          <thead>
            <tr>
              <th scope="col">run</th>
              {axisKeys.map((k, i) => (
                <th scope="col" key={i} title={FIELD_BY_PATH.get(sweep.axes[i].field)?.label}>
                  {k}
                </th>
              ))}
              <th scope="col" title="replicate (0 keeps the base seeds)">rep.</th>
              <th scope="col" title="data seed / init seed">seeds</th>
              <th scope="col">status</th>
              <th scope="col">identified as</th>
              {metrics.map((k) => (
                <th scope="col" key={k} className="num" title={metricLabel(k)}>
                  {SHORT[k] ?? metricLabel(k)}
                </th>
              ))}
              <th scope="col" title="pin a run, then open another beside it in the single-run view">compare</th>
            </tr>
          </thead>
          <tbody>
            {plans.map((p) => {
              const row = byIndex.get(p.index);
              const status: RowStatus = row ? row.status : current?.index === p.index ? 'training' : 'queued';
              const step = status === 'training' && current ? `${current.step}/${current.steps}` : null;
              return <Row key={p.index} plan={p} row={row} status={status} message={messages.get(p.index)} metrics={metrics} axisKeys={axisKeys} step={step} pinnedShare={pinnedShare} onPin={setPinnedShare} />;
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
