// What Space and → do in each run status (src/ui/shortcuts.ts).
import { describe, expect, it } from 'vitest';
import { shortcutAction } from '../src/ui/shortcuts.ts';

describe('keyboard shortcuts', () => {
  it('Space trains when ready or paused and pauses while running; → steps only when ready or paused', () => {
    expect(shortcutAction(' ', 'ready')).toBe('train');
    expect(shortcutAction(' ', 'paused')).toBe('train');
    expect(shortcutAction(' ', 'running')).toBe('pause');
    expect(shortcutAction('ArrowRight', 'paused')).toBe('step');
    expect(shortcutAction('ArrowRight', 'ready')).toBe('step');
    for (const status of ['building', 'evaluating', 'done', 'diverged', 'error', 'starting'])
      for (const key of [' ', 'ArrowRight']) expect(shortcutAction(key, status)).toBeNull();
    expect(shortcutAction('x', 'ready')).toBeNull();
  });
});
