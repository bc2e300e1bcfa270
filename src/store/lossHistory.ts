// Per-step training loss in bounded memory. Steps are averaged into buckets;
// whenever the bucket array fills, neighbouring buckets merge and the bucket
// width doubles, so a run of any length keeps at most `capacity` points (what
// the loss plot draws) in preallocated typed arrays.
/** A LossHistory's exact state at one step (see LossHistory.mark). */
export interface LossHistoryMark {
  readonly steps: number;
  readonly width: number;
  readonly partialSum: number;
  readonly partialCount: number;
  readonly means: Float64Array;
  readonly ends: Float64Array;
}

export class LossHistory {
  readonly capacity: number;
  private readonly means: Float64Array;
  private readonly ends: Float64Array;
  private filled = 0;
  private width = 1;
  private partialSum = 0;
  private partialCount = 0;
  private steps = 0;

  constructor(capacity = 2048) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error('capacity must be an even number ≥ 2');
    this.capacity = capacity;
    this.means = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
  }

  /** Steps recorded so far. */
  get length(): number {
    return this.steps;
  }

  /** Steps averaged into each point (a power of two). */
  get bucketWidth(): number {
    return this.width;
  }

  push(losses: ArrayLike<number>): void {
    for (let i = 0; i < losses.length; i++) {
      this.partialSum += losses[i];
      this.partialCount++;
      this.steps++;
      if (this.partialCount === this.width) {
        this.means[this.filled] = this.partialSum / this.width;
        this.ends[this.filled] = this.steps;
        this.filled++;
        this.partialSum = 0;
        this.partialCount = 0;
        if (this.filled === this.capacity) this.compact();
      }
    }
  }

  /**
   * Starts the history from points read elsewhere (an imported experiment's
   * curve: bucket means ending at increasing steps). Replaces what was
   * recorded; later pushes continue after the last point's step, in buckets
   * as wide as the widest gap between the seeded points (a power of two).
   */
  seed(steps: ArrayLike<number>, losses: ArrayLike<number>): void {
    if (steps.length !== losses.length) throw new Error('seed: steps and losses differ in length');
    this.filled = 0;
    this.partialSum = 0;
    this.partialCount = 0;
    let prev = 0;
    let gap = 1;
    for (let i = 0; i < steps.length; i++) {
      if (!(steps[i] > prev)) throw new Error('seed: steps must increase');
      gap = Math.max(gap, steps[i] - prev);
      prev = steps[i];
    }
    this.width = 1;
    while (this.width < gap) this.width *= 2;
    this.steps = prev;
    for (let i = 0; i < steps.length; i++) {
      this.means[this.filled] = losses[i];
      this.ends[this.filled] = steps[i];
      this.filled++;
      if (this.filled === this.capacity) this.compact();
    }
  }

  /**
   * The history exactly as it stands now, for rewindTo: a snapshot taken at
   * this step keeps one, so a run resumed from it replays onto the very
   * buckets it had (truncateAfter can only estimate a bucket cut in two).
   */
  mark(): LossHistoryMark {
    return {
      steps: this.steps,
      width: this.width,
      partialSum: this.partialSum,
      partialCount: this.partialCount,
      means: this.means.slice(0, this.filled),
      ends: this.ends.slice(0, this.filled),
    };
  }

  /** Puts the history back to `mark` (taken from this history, at or before its current step). */
  rewindTo(mark: LossHistoryMark): void {
    if (mark.steps > this.steps) throw new Error(`rewindTo: the mark is at step ${mark.steps}, after the history's ${this.steps}`);
    if (mark.means.length > this.capacity) throw new Error('rewindTo: the mark is from a larger history');
    this.means.set(mark.means);
    this.ends.set(mark.ends);
    this.filled = mark.means.length;
    this.width = mark.width;
    this.partialSum = mark.partialSum;
    this.partialCount = mark.partialCount;
    this.steps = mark.steps;
  }

  /**
   * Forgets every step after `step` (a run resumed from a snapshot at that
   * step replays them), so later pushes continue at step + 1. Points ending at
   * or before `step` are kept as they are. A bucket that straddles `step`
   * becomes the partial bucket of its first (step − start) steps, at the
   * bucket's mean: the per-step losses inside a bucket are no longer known.
   * Where `step` falls on a bucket end (always while buckets are one step
   * wide) the result is exactly the history as it stood at `step`. (A
   * bucket never spans more than `width` steps, so the partial one stays
   * shorter than a full bucket.)
   */
  truncateAfter(step: number): void {
    const s = Math.max(0, Math.floor(step));
    if (s >= this.steps) return;
    let keep = this.filled;
    while (keep > 0 && this.ends[keep - 1] > s) keep--;
    const start = keep > 0 ? this.ends[keep - 1] : 0;
    // The mean of the first point dropped, or of the partial bucket if that is where `step` falls.
    const straddling = keep < this.filled ? this.means[keep] : this.partialCount > 0 ? this.partialSum / this.partialCount : 0;
    this.filled = keep;
    this.partialCount = s - start;
    this.partialSum = straddling * this.partialCount;
    this.steps = s;
  }

  private compact(): void {
    const half = this.capacity / 2;
    for (let i = 0; i < half; i++) {
      this.means[i] = 0.5 * (this.means[2 * i] + this.means[2 * i + 1]);
      this.ends[i] = this.ends[2 * i + 1];
    }
    this.filled = half;
    this.width *= 2;
  }

  /** Plot points: x = last step of each bucket (1-based), y = its mean loss; a partial bucket is included. */
  points(): { x: Float64Array; y: Float64Array } {
    const n = this.filled + (this.partialCount > 0 ? 1 : 0);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    x.set(this.ends.subarray(0, this.filled));
    y.set(this.means.subarray(0, this.filled));
    if (this.partialCount > 0) {
      x[n - 1] = this.steps;
      y[n - 1] = this.partialSum / this.partialCount;
    }
    return { x, y };
  }
}
