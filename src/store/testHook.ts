// A small read-only view of the lab for browser tests (e2e/lab.spec.mjs) and for
// poking at a run from the devtools console. It exposes numbers, not the store.
import { decodeSpec, encodeSpec, type ExperimentSpec, type SpecIssue } from '../spec/index.ts';
import { keptSnapshotFor, recoveryStats } from './deviceRecovery.ts';
import { referenceLoss, useLab } from './labStore.ts';
import { gpuBufferUsage, loseDevice } from './runController.ts';
import { installCompareHook } from './compareTestHook.ts';

export interface LabSnapshot {
  /** The current spec (a copy) and its link query, encodeSpec(spec). */
  spec: ExperimentSpec;
  query: string;
  status: string;
  gpu: string;
  step: number;
  totalSteps: number;
  firstLoss: number | null;
  lastLoss: number | null;
  /** The loss plot's reference line: L*, or with k outputs the mean of each output's L*. */
  lStar: number | null;
  /** Outputs (tasks) per prompt. */
  tasks: number;
  stepsPerSecond: number | null;
  /** Heatmap plots currently holding a drawn heatmap trace. */
  heatmapsDrawn: number;
  notices: string[];
  evaluation: {
    model: number;
    oneStepGd: number | null;
    ridge: number;
    preconditionedGd: number | null;
    /** dMMSE over the task pool (pooled runs), else null. */
    dmmse: number | null;
    oneStepSource: string;
    prompts: number;
    nCtx: number;
  } | null;
  /** The first output's theory as the evaluation has it: where η*, Γ* come from, or why there are none. */
  theory: { available: boolean; source: string | null; reason: string | null; gdLoss: number | null; pgdLoss: number | null } | null;
  /**
   * The evaluation on the test distribution apart from the training one (first
   * output), after training: its test MSEs, the training optimum's closed-form
   * losses there (gdLoss, pgdLoss) beside its own optimum (testPgdLoss), and
   * the identification there. Null where there is none.
   */
  shift: {
    description: string;
    prompts: number;
    nCtx: number;
    model: number;
    oneStepGd: number;
    preconditionedGd: number | null;
    ridge: number;
    dmmse: number | null;
    theory: { available: boolean; source: string | null; reason: string | null; gdLoss: number | null; pgdLoss: number | null; testPgdLoss: number | null };
    best: string;
    label: string;
    r2: number;
  } | null;
  /** A fixed training set: its size, the model's MSE on its prompts and the generalization gap (fresh − training set), per output. */
  trainSet: { size: number; prompts: number; model: number[]; gap: number[]; gapStderr: number[] } | null;
  /** The length curve on the test distribution (first output): the lengths, and whether dMMSE was measured; null where there is none. */
  shiftLengthCurve: { nCtx: number[]; model: number[]; dmmse: boolean } | null;
  /** Whether the in-distribution length curve (first output) has dMMSE. */
  lengthCurveDmmse: boolean;
  /** The candidate that best explains the trained model, and every candidate's R². */
  identification: { best: string; label: string; matches: { predictor: string; label: string; r2: number }[] } | null;
  /** Every output's window, test MSE and identification (after training). */
  outputs: { window: [number, number]; model: number; best: string; label: string; matches: { predictor: string; label: string; r2: number }[] }[] | null;
  /** Test MSE against context length (first output): 'pending' while it is measured, then the lengths measured. */
  lengthCurve: 'pending' | { nCtx: number[]; seconds: number } | null;
  /** Length curves kept (one per output). */
  lengthCurves: number;
  /** Softmax attention: He et al.'s reduced predictor at the learned (ω, μ) ('pending' while computed). */
  reduced:
    | 'pending'
    | {
        available: boolean;
        reason?: string;
        learnedApproxLoss?: number;
        mcMean?: number;
        mcStderr?: number;
        infimum?: number;
        attained?: boolean;
        optimum?: { omega: number[]; mu: number[] };
        busyMs: number;
        slices: number;
        wallMs: number;
      }
    | null;
  /**
   * After the evaluation: the first step at which the batch loss averaged over
   * the trailing `window` steps was within 1% of `target` (null if never), the
   * final test MSE over the target, and whether the step is exact (see
   * convergenceReadout.ts); null where there is no target.
   */
  convergence: { stepsToTarget: number | null; window: number; target: number; targetLabel: string; finalRatio: number; exact: boolean } | null;
  /** Softmax attention: the latest per-head reading; null for LSA. */
  softmax: { omega: number[]; mu: number[]; zeroSum: number; dormant: number[] } | null;
  /** Points in the ω/μ history. */
  omegaMuPoints: number;
  /** The raw flat parameter vector the heatmaps show (float32 values as numbers), or null. */
  params: number[] | null;
  /** The Bayes ridge reference line on the loss plot (GPU Monte Carlo), or null until measured. */
  ridgeReference: { mean: number; se: number } | null;
  /** The step the weight views show (null: live), and the steps the timeline has kept. */
  viewStep: number | null;
  timelineSteps: number[];
  timelinePlaying: boolean;
  /** L ≥ 2 layers: the multi-step candidates' fitted losses on the loss plot, or null until fitted. */
  multiStepReference: { predictor: string; label: string; loss: number }[] | null;
  /** The run speed setting and whether the run is paused because the tab is hidden. */
  speed: string;
  autoPaused: boolean;
  /** LSA: the latest η_eff per output; points in its history. */
  etaEff: number[] | null;
  lsaTracePoints: number;
  /** GPU buffers the lab holds now (count, bytes) and has ever created on its device. */
  gpuBuffers: { count: number; bytes: number; created: number } | null;
  /** Points kept in the loss history (bounded however long the run). */
  lossHistoryPoints: number;
  /** The loss curve as plotted (bucket ends and means). */
  lossHistory: { step: number[]; loss: number[] };
  /**
   * GPU device losses seen, recoveries made (the last one's snapshot step and
   * time from the loss to the restored trainer), whether the lab gave up, and
   * the step of the snapshot a loss now would resume from.
   */
  device: {
    losses: number;
    recoveries: number;
    recoveredFromStep: number | null;
    recoveryMs: number | null;
    givenUp: boolean;
    snapshotStep: number | null;
    /** Steps whose losses have been read back: ahead of `step`, which the page publishes a few times a second. */
    readStep: number;
  };
}

declare global {
  interface Window {
    __iclLab?: {
      state: () => LabSnapshot;
      decodeSpec: (query: string) => { spec: ExperimentSpec; errors: SpecIssue[] };
      /** Destroys the lab's GPU device as a real loss would (false without one); the lab recovers. */
      loseDevice: () => boolean;
    };
  }
}

export function installTestHook(): void {
  window.__iclLab = Object.freeze({
    state: (): LabSnapshot => {
      const s = useLab.getState();
      const plots = Array.from(document.querySelectorAll<HTMLElement & { data?: { type?: string }[] }>('[data-heatmap]'));
      return {
        spec: structuredClone(s.spec),
        query: encodeSpec(s.spec),
        status: s.status,
        gpu: s.gpu.kind,
        step: s.step,
        totalSteps: s.spec.train.steps,
        firstLoss: s.firstLoss,
        lastLoss: s.lastLoss,
        lStar: referenceLoss(s.theoryByOutput) ?? null,
        tasks: s.spec.task.tasks,
        stepsPerSecond: s.stepsPerSecond,
        heatmapsDrawn: plots.filter((p) => p.data?.[0]?.type === 'heatmap').length,
        notices: s.notices.map((n) => [n.title, ...n.items].join(': ')),
        evaluation: s.evaluation
          ? {
              model: s.evaluation.model.mean,
              oneStepGd: s.evaluation.oneStepGd?.mean ?? null,
              ridge: s.evaluation.ridge.mean,
              preconditionedGd: s.evaluation.preconditionedGd?.mean ?? null,
              dmmse: s.evaluation.dmmse?.mean ?? null,
              oneStepSource: s.evaluation.oneStepSource,
              prompts: s.evaluation.prompts,
              nCtx: s.evaluation.nCtx,
            }
          : null,
        theory: (() => {
          const t = s.outputs?.[0]?.theory ?? s.theory;
          return t ? { available: t.available, source: t.source ?? null, reason: t.reason ?? null, gdLoss: t.gdLoss ?? null, pgdLoss: t.pgdLoss ?? null } : null;
        })(),
        shift: (() => {
          const sh = s.shift;
          if (!sh) return null;
          const best = sh.identification.matches.find((m) => m.predictor === sh.identification.best);
          const t = sh.theory;
          return {
            description: sh.description,
            prompts: sh.test.prompts,
            nCtx: sh.test.nCtx,
            model: sh.test.model.mean,
            oneStepGd: sh.test.oneStepGd.mean,
            preconditionedGd: sh.test.preconditionedGd?.mean ?? null,
            ridge: sh.test.ridge.mean,
            dmmse: sh.test.dmmse?.mean ?? null,
            theory: {
              available: t.available,
              source: t.source ?? null,
              reason: t.reason ?? null,
              gdLoss: t.gdLoss ?? null,
              pgdLoss: t.pgdLoss ?? null,
              testPgdLoss: t.testPgdLoss ?? null,
            },
            best: sh.identification.best,
            label: sh.identification.label,
            r2: best?.r2 ?? NaN,
          };
        })(),
        trainSet: s.trainSet
          ? {
              size: s.trainSet.size,
              prompts: s.trainSet.prompts,
              model: s.trainSet.model.map((e) => e.mean),
              gap: s.trainSet.gap.map((e) => e.mean),
              gapStderr: s.trainSet.gap.map((e) => e.stderr),
            }
          : null,
        shiftLengthCurve: s.shiftLengthCurves
          ? { nCtx: [...s.shiftLengthCurves[0].nCtx], model: s.shiftLengthCurves[0].model.map((e) => e.mean), dmmse: (s.shiftLengthCurves[0].dmmse?.length ?? 0) > 0 }
          : null,
        lengthCurveDmmse: (s.lengthCurves?.[0]?.dmmse?.length ?? 0) > 0,
        identification: s.identification
          ? {
              best: s.identification.best,
              label: s.identification.label,
              matches: s.identification.matches.map((m) => ({ predictor: m.predictor, label: m.label, r2: m.r2 })),
            }
          : null,
        outputs: s.outputs
          ? s.outputs.map((o) => ({
              window: [o.window[0], o.window[1]] as [number, number],
              model: o.test.model.mean,
              best: o.identification.best,
              label: o.identification.label,
              matches: o.identification.matches.map((m) => ({ predictor: m.predictor, label: m.label, r2: m.r2 })),
            }))
          : null,
        lengthCurve: s.lengthCurves ? { nCtx: [...s.lengthCurves[0].nCtx], seconds: s.lengthCurves[0].seconds ?? 0 } : s.lengthPending ? 'pending' : null,
        lengthCurves: s.lengthCurves?.length ?? 0,
        reduced: s.reduced
          ? {
              available: s.reduced.available,
              reason: s.reduced.reason,
              learnedApproxLoss: s.reduced.learnedApproxLoss,
              mcMean: s.reduced.learnedMonteCarlo?.mean,
              mcStderr: s.reduced.learnedMonteCarlo?.stderr,
              infimum: s.reduced.infimum,
              attained: s.reduced.attained,
              optimum: s.reduced.optimum,
              busyMs: s.reduced.busyMs,
              slices: s.reduced.slices,
              wallMs: s.reduced.wallMs,
            }
          : s.reducedPending
            ? 'pending'
            : null,
        convergence: s.convergence
          ? {
              stepsToTarget: s.convergence.stepsToTarget,
              window: s.convergence.window,
              target: s.convergence.target,
              targetLabel: s.convergence.targetLabel,
              finalRatio: s.convergence.finalRatio,
              exact: s.convergence.exact,
            }
          : null,
        softmax: s.softmax
          ? { omega: [...s.softmax.omega], mu: [...s.softmax.mu], zeroSum: s.softmax.zeroSum, dormant: [...s.softmax.dormant] }
          : null,
        omegaMuPoints: s.omegaMu.points().step.length,
        params: s.params ? Array.from(s.params) : null,
        ridgeReference: s.ridgeReference,
        multiStepReference: s.multiStepReference,
        viewStep: s.viewStep,
        timelineSteps: s.timeline ? s.timeline.snapshots.map((k) => k.step) : [],
        timelinePlaying: s.timelinePlaying,
        gpuBuffers: gpuBufferUsage(),
        lossHistoryPoints: s.history.points().x.length,
        speed: String(s.speed),
        autoPaused: s.autoPaused,
        etaEff: s.lsa ? s.lsa.map((r) => r.etaEff) : null,
        lsaTracePoints: s.lsaTrace.points().step.length,
        lossHistory: (() => {
          const h = s.history.points();
          return { step: Array.from(h.x), loss: Array.from(h.y) };
        })(),
        device: { ...recoveryStats, snapshotStep: keptSnapshotFor(s.history)?.step ?? null, readStep: s.history.length },
      };
    },
    /** What a link's query opens: decodeSpec on the page's own codec. */
    decodeSpec: (query: string) => decodeSpec(query.replace(/^\?/, '')),
    loseDevice: () => loseDevice(),
  });
  installCompareHook();
}
