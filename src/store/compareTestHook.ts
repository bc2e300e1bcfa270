// A small read-only view of "compare two runs" for browser tests and the
// devtools console (window.__iclCompare), beside the lab's window.__iclLab.
import { compareMatrices, compareRows, pinnedFromLab, specDifferences, type CompareRow, type SpecDifference } from './compareModel.ts';
import { useCompare } from './compareStore.ts';
import { useLab } from './labStore.ts';
import { encodeSpec } from '../spec/index.ts';

export interface CompareSnapshot {
  /** Whether a run (or a link's spec) is pinned. */
  pinned: boolean;
  /** The pinned spec's link query, encodeSpec(spec). */
  pinnedQuery: string | null;
  /** 'untrained': a link's spec not trained yet; 'training'; 'done' or 'paused': a pinned run. */
  pinnedStatus: 'none' | 'untrained' | 'training' | 'done' | 'paused';
  pinnedStep: number | null;
  pinnedSource: string | null;
  training: { phase: string; step: number; total: number } | null;
  error: string | null;
  /** The numbers in two columns (pinned, current) with current − pinned. */
  rows: CompareRow[];
  /** The spec fields that differ, pinned → current. */
  specDiff: SpecDifference[];
  /** Matrices compared (same name and shape): the largest |current − pinned| and each heatmap's drawn colour range (zmax; null until drawn). */
  matrices: { name: string; rows: number; cols: number; maxAbsDiff: number; zmax: { pinned: number | null; current: number | null; diff: number | null } }[];
  /** Traces on the overlaid loss plot (null until drawn). */
  lossTraces: string[] | null;
  /** The page's address. */
  link: string;
}

declare global {
  interface Window {
    __iclCompare?: { state: () => CompareSnapshot };
  }
}

type PlotEl = HTMLElement & { data?: { name?: string; zmax?: number }[] };

function drawnZmax(key: string): number | null {
  const el = document.querySelector<PlotEl>(`[data-compare-heatmap="${CSS.escape(key)}"]`);
  const z = el?.data?.[0]?.zmax;
  return typeof z === 'number' ? z : null;
}

export function installCompareHook(): void {
  window.__iclCompare = Object.freeze({
    state: (): CompareSnapshot => {
      const c = useCompare.getState();
      const current = pinnedFromLab(useLab.getState());
      const run = c.run;
      const lossEl = document.querySelector<PlotEl>('[data-testid="compare-loss-plot"]');
      return {
        pinned: c.spec !== null,
        pinnedQuery: c.spec ? encodeSpec(c.spec) : null,
        pinnedStatus: !c.spec ? 'none' : c.training ? 'training' : run ? run.status : 'untrained',
        pinnedStep: run?.step ?? null,
        pinnedSource: run?.source ?? null,
        training: c.training ? { ...c.training } : null,
        error: c.error,
        rows: c.spec ? compareRows(run, current) : [],
        specDiff: c.spec && current ? specDifferences(c.spec, current.spec) : [],
        matrices:
          run && current
            ? compareMatrices(run.matrices, current.matrices).map((m) => ({
                name: m.name,
                rows: m.current.rows,
                cols: m.current.cols,
                maxAbsDiff: m.maxAbsDiff,
                zmax: { pinned: drawnZmax(`pinned:${m.name}`), current: drawnZmax(`current:${m.name}`), diff: drawnZmax(`diff:${m.name}`) },
              }))
            : [],
        lossTraces: lossEl?.data ? lossEl.data.map((t) => t.name ?? '') : null,
        link: window.location.href,
      };
    },
  });
}
