// In sweep mode the sidebar's experiment controls edit the sweep's base
// experiment: a caption says so, and while the sweep runs they are disabled
// (a <fieldset disabled>), so the sweep cannot change under the engine.
import type { ReactNode } from 'react';
import { sweepActive, useSweep } from '../../store/sweepStore.ts';

export function SweepBaseLock({ children }: { children: ReactNode }) {
  const mode = useSweep((s) => s.mode);
  const locked = useSweep((s) => sweepActive(s.activity));
  if (mode !== 'sweep') return <>{children}</>;
  return (
    <fieldset className="sweep-base" disabled={locked} data-testid="sweep-base" aria-describedby="sweep-base-note">
      <legend className="sweep-base-legend">Base experiment</legend>
      <p id="sweep-base-note" className="muted small sweep-base-note">
        {locked ? 'Locked while the sweep runs: pause or cancel it to edit.' : 'Every run of the sweep uses these settings; the swept fields override theirs.'}
      </p>
      {children}
    </fieldset>
  );
}
