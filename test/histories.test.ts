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

  it('truncateAfter(step) then replaying the same losses gives the uninterrupted history (one-step buckets)', () => {
    const r = uniforms(5);
    const losses = Array.from({ length: 300 }, () => r());
    const whole = new LossHistory(512);
    for (let i = 0; i < 300; i += 25) whole.push(losses.slice(i, i + 25));
    const cut = new LossHistory(512);
    for (let i = 0; i < 250; i += 25) cut.push(losses.slice(i, i + 25));
    cut.truncateAfter(130);
    expect(cut.length).toBe(130);
    const p = cut.points();
    expect(p.x.length).toBe(130);
    expect(p.x[p.x.length - 1]).toBe(130);
    for (let i = 130; i < 300; i += 10) cut.push(losses.slice(i, i + 10));
    expect(Array.from(cut.points().x)).toEqual(Array.from(whole.points().x));
    expect(Array.from(cut.points().y)).toEqual(Array.from(whole.points().y));
    // At or past the end it changes nothing.
    cut.truncateAfter(300);
    cut.truncateAfter(1e9);
    expect(cut.length).toBe(300);
    expect(Array.from(cut.points().y)).toEqual(Array.from(whole.points().y));
  });

  it('truncateAfter(step) inside a wide bucket keeps the points before it and ends the curve at `step`', () => {
    const r = uniforms(9);
    const h = new LossHistory(8);
    const all = Array.from({ length: 100 }, () => r());
    h.push(all);
    const width = h.bucketWidth;
    expect(width).toBeGreaterThan(1);
    const before = h.points();
    const step = 4 * width + Math.floor(width / 2) + 1;
    h.truncateAfter(step);
    expect(h.length).toBe(step);
    const p = h.points();
    // Whole buckets before `step` kept as they were, then one partial point ending at `step`.
    expect(Array.from(p.x)).toEqual([...Array.from(before.x.subarray(0, 4)), step]);
    expect(Array.from(p.y.subarray(0, 4))).toEqual(Array.from(before.y.subarray(0, 4)));
    expect(p.y[4]).toBe(before.y[4]);
    // Steps keep increasing one by one after it, with no gap or repeat.
    h.push(all.slice(step));
    expect(h.length).toBe(100);
    const q = h.points();
    expect(q.x[q.x.length - 1]).toBe(100);
    for (let i = 1; i < q.x.length; i++) expect(q.x[i]).toBeGreaterThan(q.x[i - 1]);
    for (let i = 0; i < q.x.length; i++) expect(q.x[i] % h.bucketWidth === 0 || i === q.x.length - 1).toBe(true);
  });

  it('rewindTo(mark) inside a wide bucket, across a compaction, then replaying gives the uninterrupted history exactly', () => {
    const r = uniforms(11);
    const losses = Array.from({ length: 700 }, () => r());
    const whole = new LossHistory(16);
    for (let i = 0; i < 700; i += 7) whole.push(losses.slice(i, i + 7));
    const cut = new LossHistory(16);
    cut.push(losses.slice(0, 163));
    const widthAtMark = cut.bucketWidth;
    // 163 is inside a bucket; truncateAfter could only estimate that bucket's first steps.
    expect(163 % widthAtMark).not.toBe(0);
    const mark = cut.mark();
    cut.push(losses.slice(163, 500));
    expect(cut.bucketWidth).toBeGreaterThan(widthAtMark);
    cut.rewindTo(mark);
    expect(cut.length).toBe(163);
    expect(cut.bucketWidth).toBe(widthAtMark);
    for (let i = 163; i < 700; i += 40) cut.push(losses.slice(i, Math.min(700, i + 40)));
    expect(Array.from(cut.points().x)).toEqual(Array.from(whole.points().x));
    expect(Array.from(cut.points().y)).toEqual(Array.from(whole.points().y));
    // The estimate truncateAfter gives differs there: what the mark is for.
    const est = new LossHistory(16);
    est.push(losses.slice(0, 500));
    est.truncateAfter(163);
    est.push(losses.slice(163));
    expect(Array.from(est.points().y)).not.toEqual(Array.from(whole.points().y));
    // A mark from later than the history is refused.
    const later = whole.mark();
    expect(() => new LossHistory(16).rewindTo(later)).toThrow(/after the history/);
  });

  it('truncateAfter(0) empties the curve; a seeded curve truncates at its points', () => {
    const h = new LossHistory(16);
    h.seed([10, 20, 30, 40], [4, 3, 2, 1]);
    h.truncateAfter(20);
    expect(Array.from(h.points().x)).toEqual([10, 20]);
    expect(h.length).toBe(20);
    h.truncateAfter(0);
    expect(h.points().x.length).toBe(0);
    expect(h.length).toBe(0);
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

  it('truncateAfter(step) drops later readbacks, the pending latest one included, and the replay continues', () => {
    const h = new OmegaMuHistory(8);
    for (let t = 0; t <= 40; t++) h.push(t * 10, [t], [-t]);
    h.truncateAfter(255);
    let p = h.points();
    expect(p.step[p.step.length - 1]).toBeLessThanOrEqual(255);
    for (let i = 1; i < p.step.length; i++) expect(p.step[i]).toBeGreaterThan(p.step[i - 1]);
    p.step.forEach((s, i) => expect(p.omega[0][i]).toBe(s / 10));
    for (let t = 26; t <= 60; t++) h.push(t * 10, [t], [-t]);
    p = h.points();
    expect(p.step.length).toBeLessThanOrEqual(9);
    expect(p.step[0]).toBe(0);
    expect(p.step[p.step.length - 1]).toBe(600);
    for (let i = 1; i < p.step.length; i++) expect(p.step[i]).toBeGreaterThan(p.step[i - 1]);
    p.step.forEach((s, i) => expect(p.mu[0][i]).toBe(-s / 10));
    // Truncating past the end changes nothing.
    const before = Array.from(h.points().step);
    h.truncateAfter(10_000);
    expect(Array.from(h.points().step)).toEqual(before);
  });
});
