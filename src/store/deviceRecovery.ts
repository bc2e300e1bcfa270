// What the lab keeps so that a lost GPU device loses nothing, and how it talks
// about losses and failed allocations. runController.ts does the recovery
// itself (it owns the device and the trainer); this module holds:
//  - the latest snapshot of the run (step, parameters, optimizer state), taken
//    while training every SNAPSHOT_INTERVAL_MS without draining the GPU (see
//    Trainer.requestSnapshot) and whenever the run comes to rest, tagged with
//    the run it belongs to;
//  - the count of recent losses, so a device that keeps failing is given up on;
//  - the devices the lab destroyed itself, whose loss is no accident;
//  - the texts of the notices.
import { batchPad, type TrainerSnapshot } from '../engine/trainer.ts';
import { GpuScopeError } from '../gpu/errorScope.ts';
import { modelFor } from '../models/index.ts';
import type { ExperimentSpec } from '../spec/index.ts';
import type { LossHistory, LossHistoryMark } from './lossHistory.ts';

/** Training time between snapshots. */
export const SNAPSHOT_INTERVAL_MS = 2000;
/** More losses than this within LOSS_WINDOW_MS and the lab stops re-creating the device. */
export const MAX_LOSSES = 3;
export const LOSS_WINDOW_MS = 60_000;

// ---- the kept snapshot ----------------------------------------------------

interface Kept {
  snapshot: TrainerSnapshot;
  /**
   * The run it belongs to: its loss history object. Every new run (a rebuild,
   * a Reset, an import) starts a new history; a resumed run keeps its own.
   */
  history: LossHistory;
  /** The loss history exactly as it stood at the snapshot's step, when the snapshot was taken there. */
  mark: LossHistoryMark | null;
}

let kept: Kept | null = null;
let lastRequest = -Infinity;

/** Keeps `snapshot` as the latest one of the run whose loss history is `history`. */
export function keepSnapshot(snapshot: TrainerSnapshot, history: LossHistory): void {
  kept = { snapshot, history, mark: history.length === snapshot.step ? history.mark() : null };
}

/** The kept snapshot if it belongs to the run whose loss history is `history`, else null. */
export function keptSnapshotFor(history: LossHistory): TrainerSnapshot | null {
  return kept && kept.history === history ? kept.snapshot : null;
}

/**
 * Cuts `history` back to `snapshot`'s step: exactly to the buckets it had
 * there where the kept snapshot carries them (a snapshot may fall inside a
 * loss bucket, e.g. at a timeline step), else by LossHistory.truncateAfter.
 */
export function rewindHistory(history: LossHistory, snapshot: TrainerSnapshot): void {
  if (kept && kept.snapshot === snapshot && kept.history === history && kept.mark && kept.mark.steps <= history.length) history.rewindTo(kept.mark);
  else history.truncateAfter(snapshot.step);
}

/**
 * Whether it is time to ask the trainer for another snapshot (at most one per
 * SNAPSHOT_INTERVAL_MS of wall time); counts the request when it is.
 */
export function snapshotDue(now: number): boolean {
  if (now - lastRequest < SNAPSHOT_INTERVAL_MS) return false;
  lastRequest = now;
  return true;
}


// ---- losses ---------------------------------------------------------------

let lossTimes: number[] = [];

/** Records a loss at `now`; true if it is one too many (more than MAX_LOSSES within LOSS_WINDOW_MS). */
export function recordLoss(now: number): boolean {
  recoveryStats.losses++;
  lossTimes = lossTimes.filter((t) => now - t < LOSS_WINDOW_MS);
  lossTimes.push(now);
  return lossTimes.length > MAX_LOSSES;
}

/** What the page's tests read: losses seen, and the last recovery's step and duration. */
export const recoveryStats: { losses: number; recoveries: number; recoveredFromStep: number | null; recoveryMs: number | null; givenUp: boolean } = {
  losses: 0,
  recoveries: 0,
  recoveredFromStep: null,
  recoveryMs: null,
  givenUp: false,
};

/** Records a finished recovery (from the loss to the trainer restored), or the lab giving up. */
export function noteRecovery(r: { fromStep: number; ms: number } | 'given-up'): void {
  if (r === 'given-up') {
    recoveryStats.givenUp = true;
    return;
  }
  recoveryStats.recoveries++;
  recoveryStats.recoveredFromStep = r.fromStep;
  recoveryStats.recoveryMs = r.ms;
}

const ownDestroys = new WeakSet<GPUDevice>();

/** Destroys a device on purpose: its loss (reason 'destroyed') is then not recovered from. */
export function destroyOwnDevice(device: GPUDevice): void {
  ownDestroys.add(device);
  device.destroy();
}

/** Whether a loss of `device` is the lab's own doing. */
export function destroyedByLab(device: GPUDevice): boolean {
  return ownDestroys.has(device);
}

const lostDevices = new WeakSet<GPUDevice>();

/** Watches a device's loss, so errors can be told apart from its symptoms (see lostSoon). */
export function watchLoss(device: GPUDevice): void {
  void device.lost.then(() => lostDevices.add(device));
}

/**
 * Whether `device` is lost, or gets lost within `ms`: a failing readback can
 * reject before the device's `lost` promise settles, and then it is a symptom
 * of the loss, not an error of its own.
 */
export async function lostSoon(device: GPUDevice, ms = 100): Promise<boolean> {
  if (lostDevices.has(device)) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lost = await Promise.race([
    device.lost.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return lost;
}

// ---- messages -------------------------------------------------------------

/** "destroyed: Device was destroyed." / "unknown" from a GPUDeviceLostInfo. */
export function describeLoss(info: Pick<GPUDeviceLostInfo, 'reason' | 'message'>): string {
  const reason = info.reason ?? 'unknown';
  const message = info.message?.trim();
  return message ? `${reason}: ${message}` : reason;
}

export function resumedTitle(info: Pick<GPUDeviceLostInfo, 'reason' | 'message'>, step: number): string {
  return `The GPU device was lost (${describeLoss(info)}); the run resumed from step ${step}.`;
}

export const GIVEN_UP_TITLE = 'The GPU device was lost and could not be re-created';

/** Why the lab gave up, and what still works. */
export function givenUpItems(info: Pick<GPUDeviceLostInfo, 'reason' | 'message'>, why: string, step: number | null): string[] {
  return [
    `lost: ${describeLoss(info)}`,
    why,
    step === null
      ? 'Reload the page to start again.'
      : `Export experiment (JSON) still saves the run as of step ${step}; import it after reloading the page (or elsewhere) to continue it.`,
  ];
}

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes >= 10 << 20 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** The spec's size as the notices name it: "LSA, batch 256, d = 3, n = 10". */
export function specSize(spec: ExperimentSpec): string {
  const model = spec.model.type === 'softmax' ? `softmax attention with ${spec.model.heads} head${spec.model.heads === 1 ? '' : 's'}` : 'LSA';
  const k = spec.task.tasks > 1 ? `, ${spec.task.tasks} tasks` : '';
  return `${model}, batch ${spec.train.batch}, d = ${spec.task.d}, n = ${spec.task.n}${k}`;
}

/** The per-prompt gradient rows: the buffer that grows with the batch and dominates the trainer's memory. */
function gradientRowsBytes(spec: ExperimentSpec): number | null {
  try {
    return batchPad(spec.train.batch) * modelFor(spec).contribStride * 4;
  } catch {
    return null;
  }
}

/** Title and items of the notice for a trainer that could not be built, or null if `e` is not a GPU scope error. */
export function trainerErrorNotice(e: unknown, spec: ExperimentSpec): { title: string; items: string[] } | null {
  if (!(e instanceof GpuScopeError)) return null;
  const rows = gradientRowsBytes(spec);
  const size = `${specSize(spec)}${rows !== null ? ` (${mib(rows)} of per-prompt gradient rows)` : ''}`;
  const smaller = Math.max(1, Math.floor(spec.train.batch / 2));
  if (e.kind === 'out-of-memory')
    return {
      title: 'Out of GPU memory',
      items: [`The GPU could not allocate the trainer's buffers for ${size}.`, `Try a smaller batch (e.g. ${smaller}).`, `GPU message: ${e.message}`],
    };
  return {
    title: 'The GPU could not build the trainer',
    items: [`Building the trainer for ${size} failed (${e.kind} error).`, `A smaller batch (e.g. ${smaller}) or smaller d or n may fit.`, `GPU message: ${e.message}`],
  };
}
