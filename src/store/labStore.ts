// The lab's state: the experiment spec (the single source of truth the URL
// mirrors), the GPU and run state, and what the views draw. The trainer itself
// is not state: runController.ts owns it and publishes readbacks here at a
// throttled rate, so components re-render at most ~10 times per second.
import { create } from 'zustand';
import type { SoftmaxReading } from '../analysis/softmax.ts';
import type { AlgorithmIdentification, LengthCurve, TestResult, TheoryNumbers } from '../engine/experiment.ts';
import type { NamedMatrix } from '../models/types.ts';
import { defaultSpec, type ExperimentSpec } from '../spec/index.ts';
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
  | 'error';

export interface Notice {
  id: number;
  tone: 'error' | 'warning' | 'info';
  title: string;
  items: string[];
}

export interface LsaReadout {
  etaEff: number;
  etaRatio?: number;
  /** Γ_eff = (W_PV)_{D,D} · (W_KQ)_{1:d,1:d} of the latest weights (d×d, row-major). */
  gammaEff: number[];
}

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
  historyVersion: number;
  /**
   * Latest parameters as named matrices (initial ones before training): W_KQ
   * and W_PV for LSA; KQ^h and OV^h per head for softmax attention.
   */
  matrices: NamedMatrix[] | null;
  /** Softmax attention: the per-head reading of the same parameters as `matrices`. */
  softmax: SoftmaxReading | null;
  theory: TheoryNumbers | null;
  lsa: LsaReadout | null;
  evaluation: TestResult | null;
  /** Which predictor explains the trained model best (set with `evaluation`). */
  identification: AlgorithmIdentification | null;
  /** Test MSE against context length, measured once after training. */
  lengthCurve: LengthCurve | null;
  /** True while the length curve is being measured. */
  lengthPending: boolean;
  notices: Notice[];
  /** The preset loaded last through the picker (the spec may have been edited since). */
  loadedPreset: string | null;
  /** View option: one colour scale for all heads' KQ (and one for all OV) instead of one per heatmap. */
  sharedHeadScale: boolean;
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
  | 'historyVersion'
  | 'lsa'
  | 'evaluation'
  | 'identification'
  | 'lengthCurve'
  | 'lengthPending'
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
    historyVersion,
    lsa: null,
    evaluation: null,
    identification: null,
    lengthCurve: null,
    lengthPending: false,
  };
}

export const useLab = create<LabState>()(() => ({
  spec: defaultSpec(),
  gpu: { kind: 'pending' },
  status: 'starting',
  matrices: null,
  softmax: null,
  theory: null,
  notices: [],
  loadedPreset: null,
  sharedHeadScale: true,
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

/** True while there is trained progress that a spec change would throw away. */
export function hasProgress(s: Pick<LabState, 'step' | 'status'>): boolean {
  return s.step > 0 || s.status === 'running' || s.status === 'pausing' || s.status === 'evaluating';
}
