// Mean and standard error of per-prompt squared errors, and of paired differences.
export interface Estimate {
  mean: number;
  stderr: number;
}

export function meanStderr(values: ArrayLike<number>): Estimate {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, stderr: n > 1 ? Math.sqrt(v / (n - 1) / n) : NaN };
}

export function squaredErrors(pred: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
  const out = new Float64Array(target.length);
  for (let i = 0; i < out.length; i++) {
    const e = pred[i] - target[i];
    out[i] = e * e;
  }
  return out;
}

/** Keeps at most `maxPoints` points by averaging consecutive blocks; steps mark each block's end. */
export function downsample(losses: ArrayLike<number>, maxPoints: number): { step: number[]; loss: number[] } {
  const n = losses.length;
  const block = Math.max(1, Math.ceil(n / maxPoints));
  const step: number[] = [];
  const loss: number[] = [];
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    let s = 0;
    for (let i = start; i < end; i++) s += losses[i];
    step.push(end);
    loss.push(s / (end - start));
  }
  return { step, loss };
}
