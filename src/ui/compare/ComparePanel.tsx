// The Compare card, shown while a run is pinned: which spec fields differ,
// the loss curves overlaid, the numbers in two columns, and for every matrix
// both runs have, pinned | current | current − pinned. A pinned spec opened
// from a link (vs=) is "not trained yet" until Train pinned run trains it.
import { useMemo } from 'react';
import { compareMatrices, compareRows, pinnedFromLab, specDifferences } from '../../store/compareModel.ts';
import { cancelPinnedTraining, setCompareLogScale, trainPinned, unpin, useCompare } from '../../store/compareStore.ts';
import { useLab } from '../../store/labStore.ts';
import { ExportMenu } from '../ExportMenu.tsx';
import { fmtInt } from '../format.ts';
import { CompareLossPlot } from './CompareLossPlot.tsx';
import { CompareMatrices } from './CompareMatrices.tsx';
import { CompareTable } from './CompareTable.tsx';
import './compare.css';

const PHASE_TEXT = {
  queued: 'Queued behind the single run’s work in flight…',
  training: 'Training the pinned run',
  evaluating: 'Measuring the pinned run’s test MSE…',
} as const;

function PinnedTrainer() {
  const training = useCompare((s) => s.training);
  const error = useCompare((s) => s.error);
  const gpuReady = useLab((s) => s.gpu.kind === 'ready');
  const total = useCompare((s) => s.spec?.train.steps ?? 0);
  const fraction = training && training.total > 0 ? Math.min(1, training.step / training.total) : 0;
  return (
    <div className="compare-untrained" data-testid="compare-untrained">
      <p>
        The pinned run from the link is <strong>not trained yet</strong>. Train it here ({fmtInt(total)} steps, on this page&apos;s GPU; the single run is paused while it trains) to compare it with the current run.
      </p>
      <div className="compare-train-row">
        {training ? (
          <button type="button" className="btn small" data-action="cancel-pinned" onClick={() => cancelPinnedTraining()}>
            Cancel
          </button>
        ) : (
          <button type="button" className="btn primary small" data-action="train-pinned" disabled={!gpuReady} onClick={() => void trainPinned()}>
            Train pinned run
          </button>
        )}
        {training ? (
          <div className="compare-progress-wrap" aria-live="polite">
            <div
              className="compare-progress"
              role="progressbar"
              aria-label="pinned run training progress"
              aria-valuemin={0}
              aria-valuemax={training.total}
              aria-valuenow={training.step}
              data-testid="pinned-progress"
            >
              <div className="compare-progress-fill" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
            </div>
            <span className="muted small">
              {PHASE_TEXT[training.phase]}
              {training.phase === 'training' ? `: step ${fmtInt(training.step)} / ${fmtInt(training.total)}` : ''}
            </span>
          </div>
        ) : null}
      </div>
      {error ? (
        <p className="compare-error" role="alert">
          Training the pinned run failed: {error}
        </p>
      ) : null}
    </div>
  );
}

function LogToggle() {
  const log = useCompare((s) => s.logScale);
  return (
    <label className="toggle">
      <input type="checkbox" data-testid="compare-loss-log" checked={log} onChange={(e) => setCompareLogScale(e.target.checked)} />
      log
    </label>
  );
}

export function ComparePanel() {
  const spec = useCompare((s) => s.spec);
  const run = useCompare((s) => s.run);
  const logScale = useCompare((s) => s.logScale);
  // The current run as it stands, refreshed with every publish of the lab.
  const status = useLab((s) => s.status);
  const version = useLab((s) => s.historyVersion);
  const matrices = useLab((s) => s.matrices);
  const outputs = useLab((s) => s.outputs);
  const evaluation = useLab((s) => s.evaluation);
  const labSpec = useLab((s) => s.spec);
  const lsa = useLab((s) => s.lsa);
  const softmax = useLab((s) => s.softmax);
  const theories = useLab((s) => s.theoryByOutput);
  const current = useMemo(
    () => pinnedFromLab(useLab.getState()),
    // The fields pinnedFromLab reads (the history changes in place, with historyVersion).
    [status, version, matrices, outputs, evaluation, labSpec, lsa, softmax, theories],
  );
  const rows = useMemo(() => (spec ? compareRows(run, current) : []), [spec, run, current]);
  const diffs = useMemo(() => (spec ? specDifferences(spec, labSpec) : []), [spec, labSpec]);
  const pairs = useMemo(() => (run && current ? compareMatrices(run.matrices, current.matrices) : []), [run, current]);
  if (!spec) return null;
  const d = labSpec.task.d;
  const k = labSpec.task.tasks;
  const pinnedWhat = run ? (run.status === 'done' ? `finished at step ${fmtInt(run.step)}` : `paused at step ${fmtInt(run.step)}`) : 'not trained yet';
  return (
    <section className="card compare-card" id="compare" aria-labelledby="compare-title" data-testid="compare-panel">
      <header className="card-header">
        <h2 id="compare-title">Compare: pinned vs current run</h2>
        <span className="card-tools">
          <span className="muted small">
            <span className="compare-swatch compare-swatch-pinned" aria-hidden="true" /> pinned ({pinnedWhat}){' '}
            <span className="compare-swatch compare-swatch-current" aria-hidden="true" /> current
          </span>
          <button type="button" className="btn small" data-action="unpin" onClick={() => unpin()}>
            Unpin
          </button>
        </span>
      </header>
      <div className="compare-spec" data-testid="compare-spec-diff">
        {diffs.length === 0 ? (
          <span className="muted small">Same spec as the current run.</span>
        ) : (
          <>
            <span className="muted small">Differs (pinned → current):</span>
            <ul>
              {diffs.map((x) => (
                <li key={x.path} data-field={x.path}>
                  <span className="compare-spec-label">{x.label}</span>: {x.pinned} → {x.current}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      {!run ? <PinnedTrainer /> : null}
      <div className="compare-top">
        <div className="compare-loss">
          <div className="compare-subheader">
            <h3>Training loss</h3>
            <span className="card-tools">
              <span className="muted small">batch MSE; dashed: L*</span>
              <LogToggle />
              <ExportMenu title="compare loss" views={[{ name: 'compare loss', selector: '[data-testid="compare-loss-plot"]' }]} />
            </span>
          </div>
          <CompareLossPlot pinned={run} current={current} logScale={logScale} />
        </div>
        <div className="compare-numbers" tabIndex={0} role="region" aria-label="numbers of the two runs">
          <CompareTable rows={rows} pinnedTrained={run !== null} />
          <p className="caption">difference: current − pinned. Hover a test MSE for its ± standard error.</p>
        </div>
      </div>
      {run ? <CompareMatrices matrices={pairs} d={d} k={k} /> : null}
    </section>
  );
}
