// The loss plot's multi-step reference lines for L ≥ 2 layers of linear
// attention (L-step GD, preconditioned GD, GD++ at their fitted constants),
// fitted in a worker so the page stays responsive; one fit at a time, a newer
// spec's replacing an older one's.
import { hasMultiStepLevels, multiStepLevels, type MultiStepLevel } from '../analysis/linearAttention.ts';
import type { ExperimentSpec } from '../spec/types.ts';

let running: { worker: Worker; done: (levels: MultiStepLevel[] | null) => void } | null = null;

/**
 * The spec's multi-step levels, or null where none apply, the fit failed (only
 * a reference line is then missing) or a newer spec's fit replaced this one.
 */
export function fitMultiStepLevels(spec: ExperimentSpec): Promise<MultiStepLevel[] | null> {
  running?.done(null);
  if (!hasMultiStepLevels(spec)) return Promise.resolve(null);
  if (typeof Worker === 'undefined') {
    try {
      return Promise.resolve(multiStepLevels(spec));
    } catch {
      return Promise.resolve(null);
    }
  }
  const worker = new Worker(new URL('./multiStepLevels.worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve) => {
    const done = (levels: MultiStepLevel[] | null) => {
      worker.terminate();
      if (running?.worker === worker) running = null;
      resolve(levels);
    };
    running = { worker, done };
    worker.onmessage = (e: MessageEvent<{ levels?: MultiStepLevel[] | null }>) => done(e.data.levels ?? null);
    worker.onerror = () => done(null);
    worker.postMessage(structuredClone(spec));
  });
}
