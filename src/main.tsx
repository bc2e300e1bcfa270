// First: sets <html data-theme> from the saved or system theme before anything renders.
import './ui/theme.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { addNotice, useLab } from './store/labStore.ts';
import { setPageHidden, startLab } from './store/runController.ts';
import { installTestHook } from './store/testHook.ts';
import { installAnimationHook } from './ui/animationHook.ts';
import { installShortcuts } from './ui/shortcuts.ts';
import { openSweepFromLocation } from './store/sweepController.ts';
import { useSweep } from './store/sweepStore.ts';
import { installSweepTestHook } from './store/sweepTestHook.ts';
import { initCompareFromLocation } from './store/compareStore.ts';
import { specFromLocation, writeSpecToLocation } from './store/url.ts';
import { App } from './ui/App.tsx';
import './ui/styles.css';

// A link with `sweep=` opens the sweep mode (its notice names the link's bad parts); its base is the lab's spec.
const sweepBase = openSweepFromLocation();
const { spec, errors } = sweepBase ? { spec: sweepBase, errors: [] } : specFromLocation();
if (errors.length > 0) {
  addNotice({
    tone: 'warning',
    title: 'Some settings in this link could not be used; their defaults apply.',
    items: errors.map((e) => e.message),
  });
}
// A pinned run's spec in the link (vs=) is read before the address bar is rewritten.
initCompareFromLocation();
// Write the full, canonical query back at once, then keep it in step with every edit.
// (In sweep mode the address bar holds the sweep instead: sweepController.ts writes it.)
if (!sweepBase) writeSpecToLocation(spec);
useLab.subscribe((s, prev) => {
  if (s.spec !== prev.spec && useSweep.getState().mode === 'single') writeSpecToLocation(s.spec);
});
installTestHook();
installAnimationHook();
installSweepTestHook();
// Space trains or pauses, → steps (src/ui/shortcuts.ts; listed under the top bar's "?").
installShortcuts(() => useSweep.getState().mode === 'sweep');
// A hidden tab pauses training and a shown one resumes it (runController.setPageHidden).
document.addEventListener('visibilitychange', () => setPageHidden(document.hidden));
void startLab(spec);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
