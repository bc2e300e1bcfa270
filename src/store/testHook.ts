// A small read-only view of the lab for browser tests (e2e/run.mjs) and for
// poking at a run from the devtools console. It exposes numbers, not the store.
import { useLab } from './labStore.ts';

export interface LabSnapshot {
  status: string;
  gpu: string;
  step: number;
  totalSteps: number;
  firstLoss: number | null;
  lastLoss: number | null;
  lStar: number | null;
  stepsPerSecond: number | null;
  /** Heatmap plots currently holding a drawn heatmap trace. */
  heatmapsDrawn: number;
  notices: string[];
  evaluation: { model: number; oneStepGd: number | null; ridge: number } | null;
  /** The candidate that best explains the trained model, and every candidate's R². */
  identification: { best: string; label: string; matches: { predictor: string; label: string; r2: number }[] } | null;
  /** Test MSE against context length: 'pending' while it is measured, then the lengths measured. */
  lengthCurve: 'pending' | { nCtx: number[]; seconds: number } | null;
  /** Softmax attention: the latest per-head reading; null for LSA. */
  softmax: { omega: number[]; mu: number[]; zeroSum: number; dormant: number[] } | null;
  /** Points in the ω/μ history. */
  omegaMuPoints: number;
}

declare global {
  interface Window {
    __iclLab?: { state: () => LabSnapshot };
  }
}

export function installTestHook(): void {
  window.__iclLab = Object.freeze({
    state: (): LabSnapshot => {
      const s = useLab.getState();
      const plots = Array.from(document.querySelectorAll<HTMLElement & { data?: { type?: string }[] }>('[data-heatmap]'));
      return {
        status: s.status,
        gpu: s.gpu.kind,
        step: s.step,
        totalSteps: s.spec.train.steps,
        firstLoss: s.firstLoss,
        lastLoss: s.lastLoss,
        lStar: s.theory?.gdLoss ?? null,
        stepsPerSecond: s.stepsPerSecond,
        heatmapsDrawn: plots.filter((p) => p.data?.[0]?.type === 'heatmap').length,
        notices: s.notices.map((n) => [n.title, ...n.items].join(': ')),
        evaluation: s.evaluation
          ? { model: s.evaluation.model.mean, oneStepGd: s.evaluation.oneStepGd?.mean ?? null, ridge: s.evaluation.ridge.mean }
          : null,
        identification: s.identification
          ? {
              best: s.identification.best,
              label: s.identification.label,
              matches: s.identification.matches.map((m) => ({ predictor: m.predictor, label: m.label, r2: m.r2 })),
            }
          : null,
        lengthCurve: s.lengthCurve ? { nCtx: [...s.lengthCurve.nCtx], seconds: s.lengthCurve.seconds } : s.lengthPending ? 'pending' : null,
        softmax: s.softmax
          ? { omega: [...s.softmax.omega], mu: [...s.softmax.mu], zeroSum: s.softmax.zeroSum, dormant: [...s.softmax.dormant] }
          : null,
        omegaMuPoints: s.omegaMu.points().step.length,
      };
    },
  });
}
