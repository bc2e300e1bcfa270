// Plateau detection on loss curves: synthetic staircases with noise, drifts
// and blow-ups, read against their known levels.
import { describe, expect, it } from 'vitest';
import { findPlateaus, matchPlateaus } from '../src/analysis/plateaus.ts';
import { gaussians } from './helpers.ts';

/** A staircase: levels held for `hold` steps, joined by sigmoid drops of width `drop`, with relative noise. */
function staircase(levels: number[], hold: number, drop: number, noise: number, seed = 1) {
  const g = gaussians(seed);
  const step: number[] = [];
  const loss: number[] = [];
  const T = levels.length * hold;
  for (let t = 0; t < T; t++) {
    let v = levels[0];
    for (let k = 1; k < levels.length; k++) v += (levels[k] - levels[k - 1]) / (1 + Math.exp(-(t - k * hold) / drop));
    step.push(t + 1);
    loss.push(v * (1 + noise * g()));
  }
  return { step, loss };
}

describe('findPlateaus', () => {
  it('finds each level of a noisy staircase, and matches it to the right reference', () => {
    const levels = [1, 0.36, 0.2, 0.135];
    const { step, loss } = staircase(levels, 500, 8, 0.003);
    const p = findPlateaus(step, loss);
    expect(p.length).toBe(4);
    const m = matchPlateaus(p, [1, 0.36, 0.2, 0.135, 0.13]);
    m.forEach((x, k) => {
      expect(x.ref).toBe(k);
      expect(x.relDeviation).toBeLessThan(0.01);
    });
    // The plateaus sit in order, between the drops.
    for (let k = 1; k < p.length; k++) expect(p[k].start).toBeGreaterThan(p[k - 1].end);
  });

  it('batch-loss scatter of 3% (fresh prompts each step) still gives each level to within 1%', () => {
    const levels = [1, 0.64, 0.38, 0.21, 0.136];
    const { step, loss } = staircase(levels, 400, 6, 0.03, 7);
    const m = matchPlateaus(findPlateaus(step, loss), levels);
    expect(m.map((x) => x.ref)).toEqual([0, 1, 2, 3, 4]);
    for (const x of m) expect(x.relDeviation).toBeLessThan(0.01);
  });

  it('a smooth decay is no staircase, and a NaN ends a plateau', () => {
    const step = Array.from({ length: 1000 }, (_, i) => i + 1);
    const smooth = step.map((t) => Math.exp(-t / 150));
    expect(findPlateaus(step, smooth).length).toBe(0);
    const flat = step.map((t) => (t === 500 ? NaN : 0.5));
    const p = findPlateaus(step, flat);
    expect(p.length).toBe(1); // the two halves are one level again
    expect(p[0].level).toBe(0.5);
    // A level 5% off its reference is reported as 5% off.
    expect(matchPlateaus([{ start: 1, end: 10, level: 0.21 }], [1, 0.2])[0].relDeviation).toBeCloseTo(0.05, 12);
  });
});
