// First: sets <html data-theme> from the saved or system theme before anything renders.
import './ui/theme.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { addNotice, useLab } from './store/labStore.ts';
import { setPageHidden, startLab } from './store/runController.ts';
import { installTestHook } from './store/testHook.ts';
import { specFromLocation, writeSpecToLocation } from './store/url.ts';
import { App } from './ui/App.tsx';
import './ui/styles.css';

const { spec, errors } = specFromLocation();
if (errors.length > 0) {
  addNotice({
    tone: 'warning',
    title: 'Some settings in this link could not be used; their defaults apply.',
    items: errors.map((e) => e.message),
  });
}
// Write the full, canonical query back at once, then keep it in step with every edit.
writeSpecToLocation(spec);
useLab.subscribe((s, prev) => {
  if (s.spec !== prev.spec) writeSpecToLocation(s.spec);
});
installTestHook();
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
