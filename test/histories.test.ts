// The page's bounded histories: memory stays fixed however long the run, and
// what they keep is what a full record would show, averaged or thinned.
import { describe, expect, it } from 'vitest';
import { LossHistory } from '../src/store/lossHistory.ts';
import { OmegaMuHistory } from '../src/store/omegaMuHistory.ts';
import { uniforms } from './helpers.ts';

describe('LossHistory', () => {
  it('keeps at most `capacity` points whose weighted mean is the mean of all losses', () => {
    const r = uniforms(3);
    const h = new LossHistory(16);
    const all: number[] = [];
    for (let chunk = 0; chunk < 37; chunk++) {
      const losses = Array.from({ length: 1 + Math.floor(r() * 20) }, () => r());
      all.push(...losses);
      h.push(losses);
      const { x, y } = h.points();
      expect(x.length).toBeLessThanOrEqual(16);
      expect(x[x.length - 1]).toBe(all.length);
      // Each point averages the steps since the previous point's end.
      let prev = 0;
      let weighted = 0;
      for (let i = 0; i < x.length; i++) {
        weighted += y[i] * (x[i] - prev);
        prev = x[i];
      }
      expect(weighted / all.length).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 10);
    }
    expect(h.length).toBe(all.length);
    expect(h.bucketWidth).toBeGreaterThan(1);
  });
});

describe('OmegaMuHistory', () => {
  it('thins to every 2^k-th readback, keeps the newest, and stays within capacity', () => {
    const h = new OmegaMuHistory(8);
    for (let t = 0; t < 100; t++) {
      h.push(t * 10, [t, -t], [2 * t, -2 * t]);
      const p = h.points();
      expect(p.step.length).toBeLessThanOrEqual(9);
      expect(p.step[p.step.length - 1]).toBe(t * 10);
      expect(p.omega[1][p.step.length - 1]).toBe(-t);
      // Values stay attached to their step.
      p.step.forEach((s, i) => {
        expect(p.omega[0][i]).toBe(s / 10);
        expect(p.mu[1][i]).toBe(-2 * (s / 10));
      });
      // Steps increase.
      for (let i = 1; i < p.step.length; i++) expect(p.step[i]).toBeGreaterThan(p.step[i - 1]);
    }
    expect(h.points().step[0]).toBe(0);
    expect(() => h.push(1, [1], [1])).toThrow(/2 heads/);
  });
});
