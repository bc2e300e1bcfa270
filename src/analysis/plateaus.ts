// Plateaus of a training-loss curve: the saddles of saddle-to-saddle dynamics
// (Zhang et al. 2025's separate-K/Q staircase), each read against the nearest
// of a list of theory levels (PCR with k = 0, 1, … components).

export interface Plateau {
  /** First and last step of the plateau (the curve's own step numbers). */
  start: number;
  end: number;
  /** Median loss over the plateau. */
  level: number;
}

export interface PlateauMatch extends Plateau {
  /** Index of the nearest level (in relative terms), and its relative deviation |level − ref| / ref. */
  ref: number;
  refLevel: number;
  relDeviation: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The median of each point's window of ±half points (NaN where the window holds one). */
function runningMedian(v: ArrayLike<number>, half: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const w: number[] = [];
    let bad = false;
    for (let j = Math.max(0, i - half); j <= Math.min(v.length - 1, i + half); j++) {
      if (!Number.isFinite(v[j])) bad = true;
      w.push(v[j]);
    }
    out.push(bad ? NaN : median(w));
  }
  return out;
}

/**
 * Runs of the curve along which the loss stays within `tolerance` (relative)
 * of its running median for at least `minFraction` of the curve's points. A
 * drop starts a new run; runs whose levels differ by less than the tolerance merge.
 */
export function findPlateaus(
  step: ArrayLike<number>,
  raw: ArrayLike<number>,
  options: { tolerance?: number; minFraction?: number; smoothFraction?: number } = {},
): Plateau[] {
  const tol = options.tolerance ?? 0.02;
  const minLen = Math.max(3, Math.ceil((options.minFraction ?? 0.03) * raw.length));
  // A running median first: fresh-prompt batch losses scatter by a few percent about the level.
  const loss = runningMedian(raw, Math.max(0, Math.round((options.smoothFraction ?? 0.01) * raw.length)));
  const runs: { from: number; to: number; values: number[] }[] = [];
  let values: number[] = [];
  let from = 0;
  const close = (to: number) => {
    if (values.length >= minLen) runs.push({ from, to, values });
  };
  for (let i = 0; i < loss.length; i++) {
    const x = loss[i];
    if (!Number.isFinite(x)) {
      close(i - 1);
      values = [];
      from = i + 1;
      continue;
    }
    // The run's level from its first points, so a slow drift out of it ends it.
    const ref = values.length ? median(values.slice(0, Math.max(3, Math.min(values.length, minLen)))) : x;
    if (Math.abs(x - ref) > tol * ref) {
      close(i - 1);
      values = [];
      from = i;
    }
    values.push(x);
  }
  close(loss.length - 1);
  const out: Plateau[] = [];
  for (const r of runs) {
    const level = median(r.values);
    const prev = out[out.length - 1];
    if (prev && Math.abs(prev.level - level) <= tol * Math.min(prev.level, level)) {
      prev.end = step[r.to];
      prev.level = (prev.level + level) / 2;
    } else out.push({ start: step[r.from], end: step[r.to], level });
  }
  return out;
}

/** Each plateau with the nearest reference level. */
export function matchPlateaus(plateaus: Plateau[], levels: number[]): PlateauMatch[] {
  return plateaus.map((p) => {
    let ref = 0;
    for (let k = 1; k < levels.length; k++) if (Math.abs(Math.log(p.level / levels[k])) < Math.abs(Math.log(p.level / levels[ref]))) ref = k;
    return { ...p, ref, refLevel: levels[ref], relDeviation: Math.abs(p.level - levels[ref]) / levels[ref] };
  });
}
