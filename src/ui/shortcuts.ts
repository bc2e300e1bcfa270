// Keyboard shortcuts of the single-run view: Space trains or pauses, → takes
// one optimizer step. They stay out of the way of typing and of focused
// controls (a focused button's own Space, a slider's arrows, a select's
// keys), of modifier chords, and of the sweep view.
import { useLab } from '../store/labStore.ts';
import { pause, step, train } from '../store/runController.ts';

export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: 'Space', does: 'Train, or Pause while training' },
  { keys: '→', does: 'one optimizer step (Step)' },
];

/** Whether the key event belongs to what has focus rather than to the page. */
function ownedByFocus(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target.closest('input, select, textarea, button, a[href], [role="dialog"], [role="slider"], [role="menu"]') !== null;
}

/** What a key does now, or null when it does nothing (pure, for the tests). */
export function shortcutAction(key: string, status: string): 'train' | 'pause' | 'step' | null {
  if (key === ' ') return status === 'running' ? 'pause' : status === 'ready' || status === 'paused' ? 'train' : null;
  if (key === 'ArrowRight') return status === 'ready' || status === 'paused' ? 'step' : null;
  return null;
}

export function installShortcuts(isSweep: () => boolean): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.repeat) return;
    if (ownedByFocus(e.target) || isSweep()) return;
    const action = shortcutAction(e.key, useLab.getState().status);
    if (!action) return;
    e.preventDefault();
    if (action === 'train') train();
    else if (action === 'pause') pause();
    else step();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
