// The lab's state: the experiment spec (the single source of truth the URL
// mirrors), the GPU and run state, and what the views draw. The trainer itself
// is not state: runController.ts owns it and publishes readbacks here at a
// throttled rate, so components re-render at most ~10 times per second.
import { create } from 'zustand';
import type { ReducedComparison } from '../analysis/reduced.ts';
import type { SoftmaxReading } from '../analysis/softmax.ts';
import type { AlgorithmIdentification, LengthCurve, OutputEvaluation, ShiftEvaluation, TestResult, TheoryNumbers, TrainSetResult } from '../analysis/evaluation.ts';
import type { MultiStepLevel } from '../analysis/linearAttention.ts';
import type { Timeline } from '../orchestration/timeline.ts';
import type { NamedMatrix } from '../models/types.ts';
import { defaultSpec, type ExperimentSpec } from '../spec/index.ts';
import type { ConvergenceReadout } from './convergenceReadout.ts';
import { LossHistory } from './lossHistory.ts';
import { OmegaMuHistory } from './omegaMuHistory.ts';

export type GpuState =
  | { kind: 'pending' }
  | { kind: 'ready'; description: string }
  | { kind: 'unavailable'; reason: 'no-api' | 'insecure-context' | 'no-adapter' | 'device-failed' | 'device-lost'; detail?: string };

export type RunStatus =
  | 'starting' // waiting for the GPU
  | 'unavailable' // no WebGPU: nothing can run
  | 'building' // compiling the trainer for the current spec
  | 'ready' // step 0
  | 'running'
  | 'pausing' // stop requested; in-flight steps are still coming back
  | 'paused'
  | 'evaluating' // training finished; measuring test MSE
  | 'done'
  | 'diverged' // a loss went NaN or infinite: the last finite parameters are shown
  | 'error';

/** Steps per animation frame, or 'max': stream chunks back to back. */
export type Speed = 1 | 10 | 100 | 'max';
export const SPEEDS: readonly Speed[] = [1, 10, 100, 'max'];

export interface Notice {
  id: number;
  tone: 'error' | 'warning' | 'info';
  title: string;
  items: string[];
}

/** The LSA layer read for one output t of the latest weights. */
export interface LsaReadout {
  etaEff: number;
  etaRatio?: number;
  /** Γ_eff = (W_PV)_{d+t,d+t} · (W_KQ)_{1:d,1:d} of the latest weights (d×d, row-major). */
  gammaEff: number[];
  /** ‖Γ_eff − Γ*‖_F / ‖Γ*‖_F against this output's Γ* (where it has one). */
  gammaRelError?: number;
}

/** He et al.'s reduced predictor at the learned (ω_h, μ_h), as the page computed it after training. */
export type PageReducedComparison = ReducedComparison & {
  /** Main-thread time the Monte Carlo loss took, in total, and in how many slices. */
  busyMs: number;
  slices: number;
  /** Wall time from start to finish (the slices with the yields between them). */
  wallMs: number;
};

export interface LabState {
  spec: ExperimentSpec;
  gpu: GpuState;
  status: RunStatus;
  /** Steps whose results have come back from the GPU. */
  step: number;
  stepsPerSecond: number | null;
  /** Mean batch loss of the first and of the latest readback (each one chunk of steps). */
  firstLoss: number | null;
  lastLoss: number | null;
  /** Steps averaged into lastLoss. */
  lastLossSteps: number;
  /** Mutable, bounded loss history; historyVersion changes whenever it does. */
  history: LossHistory;
  /** Softmax attention: ω_h and μ_h at each readback (mutable, bounded; also versioned by historyVersion). */
  omegaMu: OmegaMuHistory;
  /**
   * LSA: per output, η_eff (as ω) and ‖Γ_eff − Γ*‖_F/‖Γ*‖_F (as μ; NaN without
   * a Γ*) at each readback, in the same bounded history (versioned by historyVersion).
   */
  lsaTrace: OmegaMuHistory;
  historyVersion: number;
  /**
   * Latest parameters as named matrices (initial ones before training): W_KQ
   * and W_PV for LSA; KQ^h and OV^h per head for softmax attention.
   */
  matrices: NamedMatrix[] | null;
  /** The raw flat parameter vector `matrices` were read from (null with them). */
  params: Float32Array | null;
  /** Softmax attention: the per-head reading of the same parameters as `matrices`. */
  softmax: SoftmaxReading | null;
  /**
   * Test MSE of the Bayes-optimal ridge (mean over outputs), measured on the
   * GPU once per spec: the loss plot's lowest reference line. Null until measured.
   */
  ridgeReference: { mean: number; se: number } | null;
  /**
   * L ≥ 2 layers of linear attention: the multi-step candidates' losses at
   * their fitted constants (L-step GD, preconditioned GD, GD++), fitted once
   * per spec in a worker; null until fitted or where they do not apply.
   */
  multiStepReference: MultiStepLevel[] | null;
  /** Closed forms of the first output (as `theoryByOutput[0]`). */
  theory: TheoryNumbers | null;
  /** Closed forms of each output (k of them; one for a single-task prompt). */
  theoryByOutput: TheoryNumbers[] | null;
  /** LSA: the latest weights read for each output (index t = output t). */
  lsa: LsaReadout[] | null;
  /** The first output's test MSE (as `outputs[0].test`). */
  evaluation: TestResult | null;
  /** Which predictor explains the trained model best, first output (set with `evaluation`). */
  identification: AlgorithmIdentification | null;
  /** Every output's evaluation: its window, test MSEs, theory and identification. */
  outputs: OutputEvaluation[] | null;
  /**
   * The evaluation on the test distribution apart from the training one
   * (eval.test; for a pooled run, fresh tasks by default), laid out as the
   * in-distribution one; null where there is none (or before the evaluation).
   */
  shift: ShiftEvaluation | null;
  /** A fixed training set's own MSE and the generalization gap (train.set > 0, after the evaluation). */
  trainSet: TrainSetResult | null;
  /** Test MSE against context length, measured once after training: one curve per output. */
  lengthCurves: LengthCurve[] | null;
  /** The same on the test distribution apart from the training one (one per output), where there is one. */
  shiftLengthCurves: LengthCurve[] | null;
  /** True while the length curves are being measured. */
  lengthPending: boolean;
  /** Softmax attention: He et al.'s reduced predictor at the learned (ω, μ), computed after training. */
  reduced: PageReducedComparison | null;
  /** True while `reduced` is being computed. */
  reducedPending: boolean;
  /**
   * After the evaluation: the first step at which the batch loss, averaged over
   * a trailing window, came within 1% of the theory optimum (as the runner's
   * result has it); null where there is no target (or before the evaluation).
   */
  convergence: ConvergenceReadout | null;
  notices: Notice[];
  /** The preset loaded last through the picker (the spec may have been edited since). */
  loadedPreset: string | null;
  /** View option: one colour scale for all heads' KQ (and one for all OV) instead of one per heatmap. */
  sharedHeadScale: boolean;
  /** View option (softmax): draw He et al.'s pattern (ω_h·I, μ_h on the own-label entries) under each head's learned maps. */
  showHePattern: boolean;
  /** View option (k > 1): the output (task) the length plot and the Γ card show, 0-based. */
  viewTask: number;
  /** Run speed: steps per animation frame, or 'max'. A view setting: the numbers do not depend on it. */
  speed: Speed;
  /** True while the run is paused because the tab is hidden (it resumes when the tab is shown). */
  autoPaused: boolean;
  /** View option: the loss plot's y axis is logarithmic. */
  lossLogScale: boolean;
  /**
   * Parameter snapshots of this run at ~200 log-spaced steps, kept from the
   * readbacks (mutated in place; `historyVersion` moves with it); null before
   * the trainer is built.
   */
  timeline: Timeline | null;
  /** The kept step the weight views show, or null to follow the latest parameters (live). */
  viewStep: number | null;
  /** True while the timeline plays through the kept steps. */
  timelinePlaying: boolean;
}

export type RunFields = Pick<
  LabState,
  | 'step'
  | 'stepsPerSecond'
  | 'firstLoss'
  | 'lastLoss'
  | 'lastLossSteps'
  | 'history'
  | 'omegaMu'
  | 'lsaTrace'
  | 'historyVersion'
  | 'lsa'
  | 'evaluation'
  | 'identification'
  | 'outputs'
  | 'shift'
  | 'trainSet'
  | 'lengthCurves'
  | 'shiftLengthCurves'
  | 'lengthPending'
  | 'reduced'
  | 'reducedPending'
  | 'convergence'
  | 'timeline'
  | 'viewStep'
  | 'timelinePlaying'
>;

/** Run fields as they are before the first step. */
export function freshRunFields(historyVersion: number): RunFields {
  return {
    step: 0,
    stepsPerSecond: null,
    firstLoss: null,
    lastLoss: null,
    lastLossSteps: 0,
    history: new LossHistory(),
    omegaMu: new OmegaMuHistory(),
    lsaTrace: new OmegaMuHistory(),
    historyVersion,
    lsa: null,
    evaluation: null,
    identification: null,
    outputs: null,
    shift: null,
    trainSet: null,
    lengthCurves: null,
    shiftLengthCurves: null,
    lengthPending: false,
    reduced: null,
    reducedPending: false,
    convergence: null,
    timeline: null,
    viewStep: null,
    timelinePlaying: false,
  };
}

export const useLab = create<LabState>()(() => ({
  spec: defaultSpec(),
  gpu: { kind: 'pending' },
  status: 'starting',
  matrices: null,
  params: null,
  softmax: null,
  theory: null,
  theoryByOutput: null,
  ridgeReference: null,
  multiStepReference: null,
  notices: [],
  loadedPreset: null,
  sharedHeadScale: true,
  showHePattern: false,
  viewTask: 0,
  speed: 'max',
  autoPaused: false,
  lossLogScale: true,
  ...freshRunFields(0),
}));

let noticeId = 0;

export function addNotice(notice: Omit<Notice, 'id'>): void {
  const id = ++noticeId;
  useLab.setState((s) => ({ notices: [...s.notices, { ...notice, id }] }));
}

export function dismissNotice(id: number): void {
  useLab.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

export function setSharedHeadScale(shared: boolean): void {
  useLab.setState({ sharedHeadScale: shared });
}

export function setShowHePattern(show: boolean): void {
  useLab.setState({ showHePattern: show });
}

export function setLossLogScale(log: boolean): void {
  useLab.setState({ lossLogScale: log });
}

export function setViewTask(t: number): void {
  useLab.setState({ viewTask: t });
}

/**
 * The loss plot's and the L* tile's reference: the closed-form optimal
 * one-step GD loss, or with k outputs the mean over outputs of each output's
 * (the training loss is the mean over outputs too). Undefined where any
 * output has no closed form.
 */
export function referenceLoss(theories: TheoryNumbers[] | null): number | undefined {
  if (!theories || theories.length === 0 || !theories.every((t) => t.available && t.gdLoss !== undefined)) return undefined;
  return theories.reduce((a, t) => a + t.gdLoss!, 0) / theories.length;
}

/** "x[0:4]": the coordinates [start, end) of x an output reads, 0-based and half-open as in the runner's output. */
export function windowLabel(window: [number, number]): string {
  return `x[${window[0]}:${window[1]}]`;
}

/** True while there is trained progress that a spec change would throw away. */
export function hasProgress(s: Pick<LabState, 'step' | 'status'>): boolean {
  return s.step > 0 || s.status === 'running' || s.status === 'pausing' || s.status === 'evaluating';
}
