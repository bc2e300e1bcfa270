// ω_h and μ_h of every softmax head at each readback, in bounded memory. These
// are snapshots of the weights, not per-step values, so instead of averaging
// (as the loss history does) the history thins out: when the arrays fill,
// every other point is dropped and from then on only every second readback is
// kept (then every fourth, …). The latest readback is always drawn, kept or not.
export class OmegaMuHistory {
  readonly capacity: number;
  private heads = 0;
  private readonly steps: Float64Array;
  /** [point · heads + h]; allocated on the first push, when the head count is known. */
  private omega = new Float64Array(0);
  private mu = new Float64Array(0);
  private filled = 0;
  private stride = 1;
  private seen = 0;
  private latestStep = 0;
  private latestOmega = new Float64Array(0);
  private latestMu = new Float64Array(0);
  private latestPending = false;

  constructor(capacity = 1024) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error('capacity must be an even number ≥ 2');
    this.capacity = capacity;
    this.steps = new Float64Array(capacity);
  }

  get headCount(): number {
    return this.heads;
  }

  /** Readbacks recorded so far (kept or not). */
  get length(): number {
    return this.seen;
  }

  push(step: number, omega: ArrayLike<number>, mu: ArrayLike<number>): void {
    const H = omega.length;
    if (mu.length !== H) throw new Error(`${H} ω values but ${mu.length} μ values`);
    if (this.heads === 0) {
      this.heads = H;
      this.omega = new Float64Array(this.capacity * H);
      this.mu = new Float64Array(this.capacity * H);
      this.latestOmega = new Float64Array(H);
      this.latestMu = new Float64Array(H);
    } else if (H !== this.heads) {
      throw new Error(`this history holds ${this.heads} heads, not ${H}`);
    }
    const keep = this.seen % this.stride === 0;
    this.seen++;
    if (!keep) {
      this.latestStep = step;
      for (let h = 0; h < H; h++) {
        this.latestOmega[h] = omega[h];
        this.latestMu[h] = mu[h];
      }
      this.latestPending = true;
      return;
    }
    const at = this.filled * H;
    this.steps[this.filled] = step;
    for (let h = 0; h < H; h++) {
      this.omega[at + h] = omega[h];
      this.mu[at + h] = mu[h];
    }
    this.filled++;
    this.latestPending = false;
    if (this.filled === this.capacity) this.thin();
  }

  /**
   * Forgets every readback after `step` (a run resumed from a snapshot at that
   * step replays them). The thinning stride stays; the readback count restarts
   * just past the last kept point, so the next readback of the replay is kept
   * on the same schedule as before.
   */
  truncateAfter(step: number): void {
    const pendingKept = this.latestPending && this.latestStep <= step;
    let keep = this.filled;
    while (keep > 0 && this.steps[keep - 1] > step) keep--;
    if (keep === this.filled && (pendingKept || !this.latestPending)) return;
    this.filled = keep;
    this.latestPending = pendingKept;
    // Kept points sit at readbacks 0, s, 2s, …; a pending latest one lies between two of them.
    this.seen = keep === 0 ? 0 : (keep - 1) * this.stride + 1 + (pendingKept ? 1 : 0);
  }

  /**
   * Keeps the points at even positions: readbacks 0, 2s, 4s, … of stride s, so
   * the stride becomes 2s. The newest point (at an odd position) stays on as
   * the latest one until the next push.
   */
  private thin(): void {
    const H = this.heads;
    const half = this.capacity / 2;
    const newest = this.capacity - 1;
    this.latestStep = this.steps[newest];
    this.latestOmega.set(this.omega.subarray(newest * H, (newest + 1) * H));
    this.latestMu.set(this.mu.subarray(newest * H, (newest + 1) * H));
    this.latestPending = true;
    for (let i = 1; i < half; i++) {
      this.steps[i] = this.steps[2 * i];
      this.omega.copyWithin(i * H, 2 * i * H, (2 * i + 1) * H);
      this.mu.copyWithin(i * H, 2 * i * H, (2 * i + 1) * H);
    }
    this.filled = half;
    this.stride *= 2;
  }

  /** Plot points: step, and per head its ω and μ series. */
  points(): { step: Float64Array; omega: Float64Array[]; mu: Float64Array[] } {
    const H = this.heads;
    const n = this.filled + (this.latestPending ? 1 : 0);
    const step = new Float64Array(n);
    step.set(this.steps.subarray(0, this.filled));
    const omega = Array.from({ length: H }, () => new Float64Array(n));
    const mu = Array.from({ length: H }, () => new Float64Array(n));
    for (let i = 0; i < this.filled; i++)
      for (let h = 0; h < H; h++) {
        omega[h][i] = this.omega[i * H + h];
        mu[h][i] = this.mu[i * H + h];
      }
    if (this.latestPending) {
      step[n - 1] = this.latestStep;
      for (let h = 0; h < H; h++) {
        omega[h][n - 1] = this.latestOmega[h];
        mu[h][n - 1] = this.latestMu[h];
      }
    }
    return { step, omega, mu };
  }
}
