// Train / Pause / Step / Reset, the speed, and the run's status and progress.
import { TimelineScrubber } from './TimelineScrubber.tsx';
import { useId } from 'react';
import { SPEEDS, useLab, type RunStatus, type Speed } from '../store/labStore.ts';
import { pause, reset, setSpeed, step as stepOnce, train } from '../store/runController.ts';
import { fmt } from './format.ts';

const STATUS_TEXT: Record<RunStatus, string> = {
  starting: 'Starting WebGPU…',
  unavailable: 'WebGPU unavailable',
  building: 'Preparing the GPU kernels…',
  ready: 'Ready',
  running: 'Training',
  pausing: 'Pausing…',
  paused: 'Paused',
  evaluating: 'Measuring test MSE…',
  done: 'Finished',
  diverged: 'Diverged: lower the learning rate',
  error: 'Stopped by an error',
};

const SPEED_LABELS: Record<string, string> = { '1': '1 step / frame', '10': '10 steps / frame', '100': '100 steps / frame', max: 'as fast as the GPU goes' };

/** "1:05" or "12 s": a short duration. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const sec = Math.round(seconds - 60 * m);
  return m < 60 ? `${m}:${String(sec).padStart(2, '0')}` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function SpeedControl() {
  const id = useId();
  const speed = useLab((s) => s.speed);
  return (
    <div className="speed-control">
      <label htmlFor={id} className="muted small">
        Speed
      </label>
      <select id={id} className="select" data-testid="speed" value={String(speed)} onChange={(e) => setSpeed((e.target.value === 'max' ? 'max' : Number(e.target.value)) as Speed)}>
        {SPEEDS.map((v) => (
          <option key={String(v)} value={String(v)}>
            {SPEED_LABELS[String(v)]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function RunControls() {
  const status = useLab((s) => s.status);
  const step = useLab((s) => s.step);
  const total = useLab((s) => s.spec.train.steps);
  const rate = useLab((s) => s.stepsPerSecond);
  const autoPaused = useLab((s) => s.autoPaused);
  const canTrain = status === 'ready' || status === 'paused';
  const canReset = (step > 0 || status === 'diverged') && status !== 'building' && status !== 'unavailable';
  const progress = total > 0 ? Math.min(1, step / total) : 0;

  return (
    <div className="run-controls">
      <div className="buttons">
        <button type="button" className="btn primary" data-action="train" disabled={!canTrain} onClick={train}>
          {status === 'paused' ? 'Resume' : 'Train'}
        </button>
        <button type="button" className="btn" data-action="pause" disabled={status !== 'running'} onClick={pause}>
          Pause
        </button>
        <button type="button" className="btn" data-action="step" disabled={!canTrain} onClick={stepOnce} title="One optimizer step">
          Step
        </button>
        <button type="button" className="btn" data-action="reset" disabled={!canReset} onClick={reset} title="Back to step 0 with the same initialization">
          Reset
        </button>
      </div>
      <SpeedControl />
      <div className="status-line">
        <span className={`status-dot status-${status}`} aria-hidden="true" />
        <span data-testid="run-status" data-status={status}>
          {autoPaused && (status === 'paused' || status === 'pausing') ? 'Paused while the tab is hidden' : STATUS_TEXT[status]}
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="training progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={step}
      >
        <div className="progress-fill" style={{ width: `${(progress * 100).toFixed(2)}%` }} />
      </div>
      <div className="progress-text small muted" data-testid="progress-text">
        <span>
          step {step.toLocaleString('en-US')} / {total.toLocaleString('en-US')}
        </span>
        {status === 'running' && rate !== null && rate > 0 ? (
          <span>
            {fmt(rate, 3)} steps/s · {formatDuration((total - step) / rate)} left
          </span>
        ) : null}
      </div>
      <TimelineScrubber />
    </div>
  );
}
