// The header's mode switch: Single run | Sweep. The sweep mode's link carries
// `sweep=`; switching keeps the lab's spec (it is the sweep's base experiment).
import type { KeyboardEvent } from 'react';
import { enterSweepMode, leaveSweepMode } from '../../store/sweepController.ts';
import { useSweep, type SweepMode } from '../../store/sweepStore.ts';
import './sweep.css';

const MODES: { mode: SweepMode; label: string; title: string }[] = [
  { mode: 'single', label: 'Single run', title: 'Train one experiment and watch its weights' },
  { mode: 'sweep', label: 'Sweep', title: 'Vary one or two fields over many runs and seeds, and plot a metric against them' },
];

function choose(mode: SweepMode): void {
  if (mode === 'sweep') enterSweepMode();
  else leaveSweepMode();
}

export function ModeSwitch() {
  const current = useSweep((s) => s.mode);
  const onKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = current === 'single' ? 'sweep' : 'single';
    choose(next);
    (e.currentTarget.parentElement?.querySelector(`[data-mode="${next}"]`) as HTMLElement | null)?.focus();
  };
  return (
    <div className="mode-switch" role="group" aria-label="Mode" data-testid="mode-switch">
      {MODES.map((m) => (
        <button
          key={m.mode}
          type="button"
          className={m.mode === current ? 'mode-btn active' : 'mode-btn'}
          aria-pressed={m.mode === current}
          data-mode={m.mode}
          title={m.title}
          onClick={() => choose(m.mode)}
          onKeyDown={onKey}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}
