// "Pin for comparison" in the run card: keeps the page's run (finished, or
// paused at its step) as the pinned run of the Compare card.
import { canPinLab, pinCurrentRun, useCompare } from '../../store/compareStore.ts';
import { useLab } from '../../store/labStore.ts';
import { fmtInt } from '../format.ts';
import './compare.css';

export function PinButton() {
  const status = useLab((s) => s.status);
  const step = useLab((s) => s.step);
  const hasMatrices = useLab((s) => s.matrices !== null);
  const pinnedSpec = useCompare((s) => s.spec);
  const pinnedRun = useCompare((s) => s.run);
  const can = canPinLab({ status, step, matrices: hasMatrices ? [] : null });
  const label = status === 'paused' && step > 0 ? `Pin step ${fmtInt(step)} for comparison` : 'Pin for comparison';
  return (
    <div className="pin-row">
      <button
        type="button"
        className="btn pin-button"
        data-action="pin"
        disabled={!can}
        onClick={() => pinCurrentRun()}
        title={can ? 'Keep this run to compare the next one with it: loss curves, matrices and numbers side by side' : 'A finished run (or a paused one) can be pinned'}
      >
        {label}
      </button>
      {pinnedSpec ? (
        <a className="pin-status small" href="#compare" data-testid="pin-status">
          {pinnedRun ? `pinned: step ${fmtInt(pinnedRun.step)}` : 'pinned: not trained yet'} · compare ↓
        </a>
      ) : (
        <span className="muted small">{can ? 'then change the spec and train another run' : 'finish or pause a run to pin it'}</span>
      )}
    </div>
  );
}
