// The timeline's log-spaced steps and its snapshot store: which steps are
// kept, where the trainer is told to end a submission, lookups, a resumed
// run's replayed steps, and the JSON form read back with every bad input named.
import { describe, expect, it } from 'vitest';
import { Timeline, timelinePoints, timelineSteps, TIMELINE_POINTS, TIMELINE_VALUES } from '../src/orchestration/timeline.ts';

describe('timeline steps', () => {
  it('start at 0 and 1, end at the total, increase, and are about log-spaced', () => {
    for (const total of [1, 2, 7, 150, 1000, 20000, 500000]) {
      const s = timelineSteps(total);
      expect(s[0]).toBe(0);
      expect(s[1]).toBe(1);
      expect(s[s.length - 1]).toBe(total);
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
      expect(s.length).toBeLessThanOrEqual(TIMELINE_POINTS + 1);
    }
    // Long runs keep close to the full count, and the ratio of neighbours settles at total^(1/(points − 2)).
    const long = timelineSteps(500000);
    expect(long.length).toBeGreaterThan(TIMELINE_POINTS - 30);
    const ratio = Math.exp(Math.log(500000) / (TIMELINE_POINTS - 2));
    const tail = long.slice(-20);
    for (let i = 1; i < tail.length; i++) expect(tail[i] / tail[i - 1]).toBeCloseTo(ratio, 2);
    expect(timelineSteps(0)).toEqual([0]);
  });
});

describe('Timeline', () => {
  it('names the next wanted step after any submitted count, and keeps only wanted steps', () => {
    const t = new Timeline(1000, 20);
    for (let s = 0; s < 1000; s++) {
      const b = t.nextBoundary(s)!;
      expect(b).toBeGreaterThan(s);
      expect(t.wanted).toContain(b);
      expect(t.wanted.filter((w) => w > s && w < b)).toEqual([]);
    }
    expect(t.nextBoundary(1000)).toBeUndefined();
    const p = new Float32Array([1, 2, 3]);
    for (let s = 0; s <= 1000; s++) t.offer(s, p.map((v) => v * s));
    expect(t.snapshots.map((k) => k.step)).toEqual(t.wanted);
    expect(t.offer(t.wanted[3], p)).toBe(false); // a replayed step keeps the first copy
    const w = t.wanted[5];
    expect(Array.from(t.at(w)!.params)).toEqual([w, 2 * w, 3 * w]);
    expect(t.at(w + 1)!.step).toBe(w);
    expect(t.at(-1)).toBeUndefined();
    t.truncateAfter(w);
    expect(t.snapshots[t.size - 1].step).toBe(w);
  });

  it('copies what it keeps, so a readback buffer reused later does not change a snapshot', () => {
    const t = new Timeline(10, 5);
    const buf = new Float32Array([1, 2]);
    t.offer(0, buf);
    buf[0] = 99;
    expect(t.at(0)!.params[0]).toBe(1);
  });

  it('round-trips through JSON, and names what is wrong with a bad one', () => {
    const t = new Timeline(300, 30);
    for (const s of t.wanted) t.offer(s, [s, -s - 0.5]);
    const back = Timeline.fromJson(JSON.parse(JSON.stringify(t.toJson())), 300, 2, 30);
    expect(back.snapshots.map((k) => [k.step, ...k.params])).toEqual(t.snapshots.map((k) => [k.step, ...k.params]));
    const good = t.toJson();
    const cases: [unknown, RegExp][] = [
      [null, /expected an object/],
      [{ step: 1, params: [] }, /must be arrays/],
      [{ step: [0, 1], params: [[0, 0]] }, /2 steps but 1 parameter vectors/],
      [{ step: [0, 400], params: [[0, 0], [1, 1]] }, /step\[1\] = 400 is not a step of this run/],
      [{ step: [5, 3], params: [[0, 0], [1, 1]] }, /steps must increase/],
      [{ step: [0], params: [[0, 0, 0]] }, /params\[0\] must hold 2 numbers/],
      [{ step: [0], params: [[0, 'x']] }, /not a finite number/],
      [{ step: [0], params: [[0, null]] }, /not a finite number/],
      [{ ...good, step: [...good.step, ...good.step.map((s) => s + 1000)] }, /2|steps/],
    ];
    for (const [json, message] of cases) expect(() => Timeline.fromJson(json, 300, 2, 30)).toThrow(message);
  });
});

describe('timeline size', () => {
  it('keeps 200 snapshots of small models and fewer of large ones, within the value budget, never under 2', () => {
    expect(timelinePoints(72)).toBe(TIMELINE_POINTS);
    for (const np of [1e4, 2.7e5, 3e6]) {
      const p = timelinePoints(np);
      expect(p).toBeGreaterThanOrEqual(2);
      if (p > 2) expect(p * np).toBeLessThanOrEqual(TIMELINE_VALUES);
    }
    expect(timelinePoints(2.7e5)).toBe(5);
    const t = new Timeline(500000, timelinePoints(2.7e5));
    expect(t.wanted.length).toBeLessThanOrEqual(6);
    expect(t.wanted[0]).toBe(0);
    expect(t.wanted.at(-1)).toBe(500000);
  });
});
