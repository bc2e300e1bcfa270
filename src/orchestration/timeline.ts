// Parameter snapshots through training at log-spaced steps, so the weight
// views can be set to any of them afterwards (the page's scrubber, the
// runner's result, an exported experiment). Log spacing puts most snapshots
// where the weights change fastest, early on, and ~200 of them keep the
// memory bounded however long the run. The snapshots ride on the trainer's
// readbacks: `nextBoundary` tells the trainer to end a submission at the next
// wanted step, which changes no number (every step's randomness is keyed by
// its index) and adds no stall (readbacks are pipelined).

import type { TimelineJson } from '../analysis/evaluation.ts';

/** About this many snapshots per run (fewer for short runs, whose early steps coincide). */
export const TIMELINE_POINTS = 200;

/**
 * At most this many parameter values across a timeline's snapshots: 6 MB in
 * the page, ~25 MB of an exported experiment's JSON (whose import takes 64 MiB).
 */
export const TIMELINE_VALUES = 1_500_000;

/** Snapshots a run with `paramCount` parameters keeps: TIMELINE_POINTS, fewer for large models, never below 2. */
export function timelinePoints(paramCount: number): number {
  return Math.max(2, Math.min(TIMELINE_POINTS, Math.floor(TIMELINE_VALUES / Math.max(1, paramCount))));
}

/**
 * The steps kept for a run of `total` steps: 0 (the initialization), then
 * round(total^(j/(points−2))) for j = 0 … points − 2 without repeats, so
 * 1 and `total` are always kept. Sorted, unique.
 */
export function timelineSteps(total: number, points = TIMELINE_POINTS): number[] {
  const T = Math.max(0, Math.floor(total));
  const out = [0];
  if (T === 0) return out;
  const n = Math.max(2, points - 1);
  for (let j = 0; j < n; j++) {
    const s = Math.min(T, Math.max(1, Math.round(Math.exp((Math.log(T) * j) / (n - 1)))));
    if (s > out[out.length - 1]) out.push(s);
  }
  if (out[out.length - 1] !== T) out.push(T);
  return out;
}

export interface TimelineSnapshot {
  step: number;
  params: Float32Array;
}

export type { TimelineJson };

export class Timeline {
  /** Steps wanted, sorted. */
  readonly wanted: number[];
  private readonly kept: TimelineSnapshot[] = [];

  constructor(
    readonly total: number,
    points = TIMELINE_POINTS,
  ) {
    this.wanted = timelineSteps(total, points);
  }

  /** Snapshots kept so far, by step. */
  get snapshots(): readonly TimelineSnapshot[] {
    return this.kept;
  }

  get size(): number {
    return this.kept.length;
  }

  /** The first wanted step after `submitted` (where the trainer should end its next submission), or undefined past the last. */
  nextBoundary(submitted: number): number | undefined {
    let lo = 0;
    let hi = this.wanted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.wanted[mid] <= submitted) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.wanted.length ? this.wanted[lo] : undefined;
  }

  /** Keeps a copy of `params` if `step` is a wanted step not kept yet; returns whether it did. */
  offer(step: number, params: ArrayLike<number>): boolean {
    if (!this.isWanted(step)) return false;
    const last = this.kept[this.kept.length - 1];
    if (last && last.step >= step) {
      // A resumed run (after a device loss) replays steps it had kept: keep the first copy.
      if (this.kept.some((k) => k.step === step)) return false;
      this.kept.push({ step, params: Float32Array.from(params) });
      this.kept.sort((a, b) => a.step - b.step);
      return true;
    }
    this.kept.push({ step, params: Float32Array.from(params) });
    return true;
  }

  isWanted(step: number): boolean {
    return this.nextBoundary(step - 1) === step;
  }

  /** The kept snapshot at `step` exactly, or else the latest one before it; undefined before the first. */
  at(step: number): TimelineSnapshot | undefined {
    let found: TimelineSnapshot | undefined;
    for (const k of this.kept) {
      if (k.step > step) break;
      found = k;
    }
    return found;
  }

  /** Drops the snapshots after `step` (a run rewound, e.g. restored from an earlier state). */
  truncateAfter(step: number): void {
    while (this.kept.length > 0 && this.kept[this.kept.length - 1].step > step) this.kept.pop();
  }

  toJson(): TimelineJson {
    return { step: this.kept.map((k) => k.step), params: this.kept.map((k) => Array.from(k.params)) };
  }

  /**
   * A timeline restored from its JSON form for a run of `total` steps with
   * `paramCount` parameters. Throws, naming the problem, on anything that is
   * not such a timeline (an imported file is checked before it is used).
   */
  static fromJson(json: unknown, total: number, paramCount: number, points = timelinePoints(paramCount)): Timeline {
    const t = new Timeline(total, points);
    if (!json || typeof json !== 'object') throw new Error('timeline: expected an object with "step" and "params"');
    const { step, params } = json as Record<string, unknown>;
    if (!Array.isArray(step) || !Array.isArray(params)) throw new Error('timeline: "step" and "params" must be arrays');
    if (step.length !== params.length) throw new Error(`timeline: ${step.length} steps but ${params.length} parameter vectors`);
    if (step.length > t.wanted.length) throw new Error(`timeline: ${step.length} snapshots, more than the ${t.wanted.length} a run of ${total} steps keeps`);
    let prev = -1;
    step.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s > total) throw new Error(`timeline: step[${i}] = ${JSON.stringify(s)} is not a step of this run (0 … ${total})`);
      if (s <= prev) throw new Error(`timeline: steps must increase (step[${i}] = ${s} after ${prev})`);
      prev = s;
      const p = params[i];
      if (!(Array.isArray(p) || p instanceof Float32Array) || p.length !== paramCount) throw new Error(`timeline: params[${i}] must hold ${paramCount} numbers`);
      for (const v of p) if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`timeline: params[${i}] holds a value that is not a finite number`);
      t.kept.push({ step: s, params: Float32Array.from(p as ArrayLike<number>) });
    });
    return t;
  }
}
