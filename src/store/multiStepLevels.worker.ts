// Fits the multi-step candidates' loss levels for an L-layer linear attention
// off the page's thread: a second or so of least squares on the CPU, which
// would otherwise freeze the page while the run is built.
import { multiStepLevels } from '../analysis/linearAttention.ts';
import type { ExperimentSpec } from '../spec/types.ts';

const scope = self as unknown as { onmessage: ((e: MessageEvent<ExperimentSpec>) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (e) => {
  try {
    scope.postMessage({ levels: multiStepLevels(e.data) });
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
