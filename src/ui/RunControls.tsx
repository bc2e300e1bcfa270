// Train / Pause / Reset and the run's status.
import { useLab, type RunStatus } from '../store/labStore.ts';
import { pause, reset, train } from '../store/runController.ts';

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

export function RunControls() {
  const status = useLab((s) => s.status);
  const step = useLab((s) => s.step);
  const total = useLab((s) => s.spec.train.steps);
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
        <button type="button" className="btn" data-action="reset" disabled={!canReset} onClick={reset}>
          Reset
        </button>
      </div>
      <div className="status-line">
        <span className={`status-dot status-${status}`} aria-hidden="true" />
        <span data-testid="run-status" data-status={status}>
          {STATUS_TEXT[status]}
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
    </div>
  );
}
