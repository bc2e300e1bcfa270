// The sweep mode's sidebar card: the paper figures (one click each), the
// swept fields and their values (a list, lin(a,b,k) or log(a,b,k): the link's
// and the runner's syntax), seeds and context lengths; Run / Resume, Pause and
// Cancel with the progress (runs done of total, time left); and where the
// finished runs are kept, with "discard saved runs".
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { FIELDS, FIELD_BY_PATH, getPath, type FieldDef, type FieldGroup } from '../../spec/fields.ts';
import { SWEEP_PRESETS } from '../../spec/presets.ts';
import { decodeSweep, encodeSweep, gridSize, MAX_SEEDS, parseAxis, parseLengths, SWEEP_VERSION, type SweepAxis, type SweepSpec } from '../../spec/sweep.ts';
import {
  canStartSweep,
  cancelSweep,
  discardSavedRuns,
  loadSweepPreset,
  pauseSweep,
  proposeSweep,
  startSweep,
} from '../../store/sweepController.ts';
import { plansOf } from '../../store/sweepDerived.ts';
import { sweepActive, sweepStatus, useSweep, type SweepStatus } from '../../store/sweepStore.ts';
import { fmt } from '../format.ts';
import { formatDuration } from '../RunControls.tsx';
import './sweep.css';

interface Draft {
  axes: { path: string; text: string }[];
  seeds: string;
  lengths: string;
}

type DraftErrors = Partial<Record<'axis0' | 'axis1' | 'seeds' | 'lengths', string>>;

function draftOf(sweep: SweepSpec): Draft {
  return { axes: sweep.axes.map((a) => ({ path: a.field, text: a.text })), seeds: String(sweep.seeds), lengths: sweep.lengths.join(',') };
}

/** Values to start from when a field is picked: its options, or a few values around the base's. */
export function suggestValues(f: FieldDef, base: SweepSpec['base']): string {
  if (f.kind === 'enum') return f.options.join(',');
  if (f.kind === 'bool') return '0,1';
  if (f.kind === 'list') return '';
  const v = (getPath(base, f.path) as number | null) ?? f.default ?? f.min;
  const clamp = (x: number) => Math.min(f.max, Math.max(f.min, x));
  const raw = f.kind === 'int' ? [Math.round(v / 2), v, v * 2].map((x) => clamp(Math.round(x))) : f.scale === 'log' ? [v / 10, v, v * 10].map((x) => clamp(Number(x.toPrecision(6)))) : [v];
  return [...new Set(raw)].join(',');
}

function parseDraft(d: Draft, base: SweepSpec['base']): { sweep: SweepSpec | null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const axes: SweepAxis[] = [];
  d.axes.forEach((a, i) => {
    const key = i === 0 ? 'axis0' : 'axis1';
    if (!a.path) {
      if (i === 0) errors.axis0 = 'choose a field to sweep';
      return;
    }
    const f = FIELD_BY_PATH.get(a.path)!;
    const r = parseAxis(`${f.key}=${a.text}`, 'sweep');
    if (!r.ok) errors[key] = r.message;
    else if (axes.some((x) => x.field === r.axis.field)) errors[key] = `${f.label} is already the first swept field`;
    else axes.push(r.axis);
  });
  const seeds = /^\s*\d+\s*$/.test(d.seeds) ? Number(d.seeds) : NaN;
  if (!(Number.isInteger(seeds) && seeds >= 1 && seeds <= MAX_SEEDS)) errors.seeds = `seeds must be an integer from 1 to ${MAX_SEEDS}`;
  let lengths: number[] = [];
  if (d.lengths.trim() !== '') {
    const r = parseLengths(d.lengths);
    if (r.ok) lengths = r.lengths;
    else errors.lengths = r.message;
  }
  if (Object.keys(errors).length > 0 || axes.length === 0) return { sweep: null, errors };
  return { sweep: { version: SWEEP_VERSION, base, axes, seeds, lengths }, errors };
}

const GROUPS: FieldGroup[] = ['Task', 'Model', 'Optimizer', 'Run', 'Eval'];

function FieldSelect({ id, value, onChange, allowNone, disabled }: { id: string; value: string; onChange: (path: string) => void; allowNone: boolean; disabled: boolean }) {
  return (
    <select id={id} className="select" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {allowNone ? <option value="">— none —</option> : null}
      {GROUPS.map((g) => (
        <optgroup key={g} label={g}>
          {FIELDS.filter((f) => f.group === g).map((f) => (
            <option key={f.path} value={f.path}>
              {f.label} ({f.key})
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/** The paper figures' names as the sidebar has room for them (the full label is the button's tooltip with the description). */
const SHORT_LABELS: Record<string, string> = {
  'he-heads-length': 'He et al.: test MSE vs context length, H = 1, 2, 4, 8',
  'mahankali-eta-n': 'Mahankali et al.: η_eff vs n, beside η*(n)',
  'precond-kappa': 'Preconditioned GD vs condition number κ',
};

function SweepPresets({ disabled }: { disabled: boolean }) {
  const link = useSweep((s) => s.link);
  const links = useMemo(() => new Map(SWEEP_PRESETS.map((p) => [p.id, encodeSweep(decodeSweep(`v=1&${p.query}`).sweep!)])), []);
  const active = SWEEP_PRESETS.find((p) => links.get(p.id) === link);
  return (
    <div className="sweep-presets" role="group" aria-labelledby="sweep-presets-label">
      <div id="sweep-presets-label" className="field-label">
        Paper figures <span className="muted small">(one click each)</span>
      </div>
      {SWEEP_PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className={p === active ? 'btn sweep-preset active' : 'btn sweep-preset'}
          aria-pressed={p === active}
          data-sweep-preset={p.id}
          title={`${p.label}: ${p.description}`}
          disabled={disabled}
          onClick={() => loadSweepPreset(p.id)}
        >
          {SHORT_LABELS[p.id] ?? p.label}
        </button>
      ))}
      {active ? <p className="field-help sweep-preset-help">{active.description}</p> : null}
    </div>
  );
}

function SweepForm({ sweep, locked }: { sweep: SweepSpec; locked: boolean }) {
  const ids = { f0: useId(), v0: useId(), f1: useId(), v1: useId(), seeds: useId(), lengths: useId() };
  const link = useSweep((s) => s.link);
  const [draft, setDraft] = useState<Draft>(() => draftOf(sweep));
  const [errors, setErrors] = useState<DraftErrors>({});
  // The committed sweep changed (a preset, a link, a base edit): the form shows it.
  useEffect(() => {
    setDraft(draftOf(sweep));
    setErrors({});
  }, [link]); // (the sweep object changes with every base edit too; its link says when the form must follow)

  // The edit just declined: the blur that follows the confirmation must not ask again.
  const declined = useRef<string | null>(null);
  const commit = (d: Draft) => {
    const key = JSON.stringify(d);
    if (key === declined.current) return;
    setDraft(d);
    const { sweep: next, errors: errs } = parseDraft(d, sweep.base);
    setErrors(errs);
    if (!next) return;
    void proposeSweep(next).then((ok) => {
      if (ok) return;
      declined.current = key;
      setDraft(draftOf(sweep));
      setErrors({});
    });
  };
  const edit = (d: Draft) => {
    declined.current = null;
    setDraft(d);
  };
  const onEnter = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') commit(draft);
  };
  const setAxis = (i: number, patch: Partial<Draft['axes'][number]>) => {
    const axes = draft.axes.map((a, j) => (j === i ? { ...a, ...patch } : a));
    return { ...draft, axes };
  };
  const pickField = (i: number, path: string) => {
    if (i === 1 && path === '') return commit({ ...draft, axes: draft.axes.slice(0, 1) });
    const f = FIELD_BY_PATH.get(path)!;
    commit(setAxis(i, { path, text: suggestValues(f, sweep.base) }));
  };
  const axisRow = (i: number) => {
    const a = draft.axes[i];
    const fid = i === 0 ? ids.f0 : ids.f1;
    const vid = i === 0 ? ids.v0 : ids.v1;
    const err = errors[i === 0 ? 'axis0' : 'axis1'];
    return (
      <div className="sweep-axis" data-axis={i + 1} key={i}>
        <label htmlFor={fid} className="field-label">
          {i === 0 ? 'Swept field' : 'Second field (one line per value)'}
        </label>
        <FieldSelect id={fid} value={a?.path ?? ''} allowNone={i === 1} disabled={locked} onChange={(p) => pickField(i, p)} />
        {a?.path ? (
          <>
            <label htmlFor={vid} className="visually-hidden">
              Values of {FIELD_BY_PATH.get(a.path)?.label}
            </label>
            <input
              id={vid}
              className={err ? 'number-input sweep-values invalid' : 'number-input sweep-values'}
              data-testid={`sweep-values-${i + 1}`}
              value={a.text}
              disabled={locked}
              spellCheck={false}
              aria-invalid={err ? true : undefined}
              aria-describedby={err ? `${vid}-err` : `${vid}-help`}
              onChange={(e) => edit(setAxis(i, { text: e.target.value }))}
              onKeyDown={onEnter}
              onBlur={() => commit(draft)}
            />
            {err ? (
              <p id={`${vid}-err`} className="field-error" role="alert">
                {err}
              </p>
            ) : (
              <p id={`${vid}-help`} className="field-help sweep-syntax">
                a list 1,2,4,8 · lin(a,b,k) · log(a,b,k)
              </p>
            )}
          </>
        ) : null}
      </div>
    );
  };
  return (
    <div className="sweep-form" data-testid="sweep-form">
      {axisRow(0)}
      {draft.axes.length > 1 ? (
        axisRow(1)
      ) : (
        <button type="button" className="btn small sweep-add-axis" data-action="sweep-add-axis" disabled={locked} onClick={() => setDraft({ ...draft, axes: [...draft.axes, { path: '', text: '' }] })}>
          + second field
        </button>
      )}
      <div className="sweep-row">
        <div className="sweep-seeds">
          <label htmlFor={ids.seeds} className="field-label">
            Seeds
          </label>
          <input
            id={ids.seeds}
            className={errors.seeds ? 'number-input invalid' : 'number-input'}
            data-testid="sweep-seeds"
            inputMode="numeric"
            value={draft.seeds}
            disabled={locked}
            aria-invalid={errors.seeds ? true : undefined}
            aria-describedby={errors.seeds ? `${ids.seeds}-err` : undefined}
            title={`Replicates per grid point (1 to ${MAX_SEEDS}): replicate 0 keeps the base seeds, the others derive theirs`}
            onChange={(e) => edit({ ...draft, seeds: e.target.value })}
            onKeyDown={onEnter}
            onBlur={() => commit(draft)}
          />
        </div>
        <div className="sweep-lengths">
          <label htmlFor={ids.lengths} className="field-label">
            Context lengths
          </label>
          <input
            id={ids.lengths}
            className={errors.lengths ? 'number-input invalid' : 'number-input'}
            data-testid="sweep-lengths"
            value={draft.lengths}
            placeholder="1 … 4n"
            disabled={locked}
            spellCheck={false}
            aria-invalid={errors.lengths ? true : undefined}
            aria-describedby={errors.lengths ? `${ids.lengths}-err` : undefined}
            title="Test context lengths of each run's length curve (empty: 1 … 4n)"
            onChange={(e) => edit({ ...draft, lengths: e.target.value })}
            onKeyDown={onEnter}
            onBlur={() => commit(draft)}
          />
        </div>
      </div>
      {errors.seeds ? (
        <p id={`${ids.seeds}-err`} className="field-error" role="alert">
          {errors.seeds}
        </p>
      ) : null}
      {errors.lengths ? (
        <p id={`${ids.lengths}-err`} className="field-error" role="alert">
          {errors.lengths}
        </p>
      ) : null}
    </div>
  );
}

const STATUS_TEXT: Record<SweepStatus, string> = {
  loading: 'Reading the saved runs…',
  ready: 'Ready',
  running: 'Sweeping',
  pausing: 'Pausing after the run in flight…',
  stopping: 'Stopping…',
  recovering: 'GPU device lost: resuming…',
  paused: 'Paused',
  done: 'Finished',
  error: 'Stopped by an error',
};

function coordsText(sweep: SweepSpec, coords: (number | string | boolean | null)[]): string {
  return sweep.axes.map((a, i) => `${FIELD_BY_PATH.get(a.field)?.key} = ${coords[i]}`).join(', ');
}

function SweepRunControls({ sweep }: { sweep: SweepSpec }) {
  const s = useSweep();
  const status = sweepStatus(s);
  const canStart = canStartSweep(s);
  const running = s.activity === 'running';
  const done = s.records.length;
  const total = s.runsTotal;
  const p = s.progress;
  const plans = plansOf(s);
  const current = p?.current ? plans[p.current.index] : undefined;
  const failed = s.records.filter((r) => r.status !== 'done').length;
  const frac = p && p.stepsTotal > 0 ? Math.min(1, p.stepsDone / p.stepsTotal) : 0;
  const label = sweepActive(s.activity) ? 'Sweeping…' : done === 0 ? 'Run sweep' : done >= total ? 'All done' : `Resume (${done}/${total})`;
  let detail: string;
  if (status === 'error') detail = s.error ?? '';
  else if (current && p?.current && (status === 'running' || status === 'pausing' || status === 'stopping'))
    detail = `run ${p.current.index} (${coordsText(sweep, current.coords)}, replicate ${current.replicate}): step ${p.current.step.toLocaleString('en-US')} / ${p.current.steps.toLocaleString('en-US')}`;
  else if (status === 'done') detail = failed > 0 ? `${failed} of ${total} runs diverged or failed (marked × in the figure)` : '';
  else if (status === 'paused') detail = `${done} of ${total} runs done; Resume trains the rest`;
  else detail = '';
  return (
    <div className="sweep-run">
      <div className="buttons sweep-buttons">
        <button type="button" className="btn primary" data-action="sweep-run" disabled={!canStart} onClick={startSweep}>
          {label}
        </button>
        <button type="button" className="btn" data-action="sweep-pause" disabled={!running} onClick={pauseSweep} title="Stop after the run in flight; Resume goes on">
          Pause
        </button>
        <button
          type="button"
          className="btn"
          data-action="sweep-cancel"
          disabled={!(running || s.activity === 'pausing' || s.activity === 'recovering')}
          onClick={cancelSweep}
          title="Stop now: the run in flight is dropped, the finished runs are kept"
        >
          Cancel
        </button>
      </div>
      <div className="status-line">
        <span className={`status-dot status-${status === 'recovering' || status === 'stopping' ? 'pausing' : status === 'ready' ? 'ready' : status}`} aria-hidden="true" />
        <span data-testid="sweep-status" data-status={status} role="status">
          {STATUS_TEXT[status]}
        </span>
      </div>
      <div className="progress" role="progressbar" aria-label="sweep progress (training steps)" aria-valuemin={0} aria-valuemax={p?.stepsTotal ?? 0} aria-valuenow={p?.stepsDone ?? 0}>
        <div className="progress-fill" style={{ width: `${(frac * 100).toFixed(2)}%` }} />
      </div>
      <div className="progress-text small muted" data-testid="sweep-progress">
        <span>
          runs {done} / {total}
        </span>
        {s.secondsLeft !== null && (status === 'running' || status === 'pausing') ? (
          <span>
            {s.stepsPerSecond !== null ? `${fmt(s.stepsPerSecond, 3)} steps/s · ` : ''}
            {formatDuration(s.secondsLeft)} left
          </span>
        ) : null}
      </div>
      {detail ? (
        <p className="small sweep-detail" data-testid="sweep-detail">
          {detail}
        </p>
      ) : null}
    </div>
  );
}

function SweepStorageLine() {
  const storage = useSweep((s) => s.storage);
  const saved = useSweep((s) => s.saved);
  const done = useSweep((s) => s.records.length);
  const total = useSweep((s) => s.runsTotal);
  const active = useSweep((s) => sweepActive(s.activity));
  const memory = storage.kind === 'memory';
  return (
    <div className={memory ? 'sweep-storage memory' : 'sweep-storage'} data-testid="sweep-storage" data-storage={storage.kind}>
      <span className="small">
        {storage.kind === 'pending'
          ? 'Opening the browser’s storage…'
          : memory
            ? `Kept in memory only (${storage.reason}): a reload loses them.`
            : `${saved} of ${total} runs saved in this browser: a reload or a lost device resumes without redoing them.`}
      </span>
      <button type="button" className="btn small" data-action="sweep-discard" disabled={active || done === 0} onClick={() => void discardSavedRuns()} title="Delete this sweep's finished runs here and in the browser's storage">
        Discard saved runs
      </button>
    </div>
  );
}

export function SweepPanel() {
  const sweep = useSweep((s) => s.sweep);
  const issues = useSweep((s) => s.issues);
  const budget = useSweep((s) => s.budget);
  const locked = useSweep((s) => sweepActive(s.activity));
  if (!sweep) return null;
  const points = gridSize(sweep);
  return (
    <section className="card sweep-panel" aria-label="sweep" data-testid="sweep-panel">
      <h2 className="sweep-title">Sweep</h2>
      <SweepForm sweep={sweep} locked={locked} />
      <p className="small muted sweep-size" data-testid="sweep-size">
        {points} grid point{points === 1 ? '' : 's'} × {sweep.seeds} seed{sweep.seeds === 1 ? '' : 's'} = {points * sweep.seeds} runs
        {budget && Number.isFinite(budget.promptSteps) ? ` · ${budget.promptSteps < 1e9 ? budget.promptSteps.toLocaleString('en-US') : fmt(budget.promptSteps, 3)} prompt-steps` : ''}
      </p>
      {issues.length > 0 ? (
        <div className="sweep-refused" role="alert" data-testid="sweep-refused">
          <strong>This sweep cannot run:</strong>
          <ul>
            {issues.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <SweepRunControls sweep={sweep} />
      <SweepStorageLine />
      <SweepPresets disabled={locked} />
    </section>
  );
}
