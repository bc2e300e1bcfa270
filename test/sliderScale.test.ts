import { describe, expect, it } from 'vitest';
import { FIELD_BY_PATH, FIELDS, type NumberField } from '../src/spec/index.ts';
import { fromSlider, SLIDER_POSITIONS, sliderBounds, toSlider } from '../src/ui/sliderScale.ts';

const field = (path: string) => FIELD_BY_PATH.get(path) as NumberField;
const numeric = FIELDS.filter((f): f is NumberField => f.kind === 'int' || f.kind === 'float');

describe('slider scale', () => {
  it('maps every numeric field onto its positions and back inside its range, with no NaN', () => {
    for (const f of numeric) {
      const { min, max } = sliderBounds(f);
      for (let pos = min; pos <= max; pos += Math.max(1, Math.floor((max - min) / 97))) {
        const v = fromSlider(f, pos);
        expect(Number.isFinite(v), `${f.path} at ${pos}: ${v}`).toBe(true);
        expect(v, f.path).toBeGreaterThanOrEqual(f.min);
        expect(v, f.path).toBeLessThanOrEqual(f.max);
        if (f.kind === 'int') expect(Number.isInteger(v), `${f.path} at ${pos}: ${v}`).toBe(true);
        const back = toSlider(f, v);
        expect(Number.isInteger(back), `${f.path}: ${v} → ${back}`).toBe(true);
        expect(back).toBeGreaterThanOrEqual(min);
        expect(back).toBeLessThanOrEqual(max);
      }
      for (const v of [f.min, f.max, typeof f.default === 'number' ? f.default : f.min]) expect(Number.isFinite(toSlider(f, v)), `${f.path} = ${v}`).toBe(true);
    }
  });

  it('gives a log field from 0 (task pool, training set, test n) position 0 for 0 and a log scale from 1 above it', () => {
    for (const path of ['task.pool', 'train.set', 'eval.test.n']) {
      const f = field(path);
      expect(f.scale).toBe('log');
      expect(f.min).toBe(0);
      expect(toSlider(f, 0)).toBe(0);
      expect(fromSlider(f, 0)).toBe(0);
      expect(fromSlider(f, 1)).toBe(1);
      expect(toSlider(f, 1)).toBe(1);
      expect(fromSlider(f, SLIDER_POSITIONS)).toBe(f.max);
      expect(toSlider(f, f.max)).toBe(SLIDER_POSITIONS);
      // Halfway along the log part is about √max.
      const mid = fromSlider(f, 1 + (SLIDER_POSITIONS - 1) / 2);
      expect(mid / Math.sqrt(f.max)).toBeGreaterThan(0.9);
      expect(mid / Math.sqrt(f.max)).toBeLessThan(1.1);
      // Monotone, and a value maps back near its own position.
      let last = -1;
      for (let pos = 0; pos <= SLIDER_POSITIONS; pos++) {
        const v = fromSlider(f, pos);
        expect(v, `${path} at ${pos}`).toBeGreaterThanOrEqual(last);
        last = v;
      }
      for (const v of [2, 10, 64, 1000]) expect(Math.abs(fromSlider(f, toSlider(f, v)) - v) / v).toBeLessThan(0.06);
    }
  });

  it('keeps the log scale of fields with a positive minimum as it was', () => {
    const lr = field('optimizer.lr');
    expect(toSlider(lr, lr.min)).toBe(0);
    expect(toSlider(lr, lr.max)).toBe(SLIDER_POSITIONS);
    expect(fromSlider(lr, 0)).toBe(lr.min);
    expect(fromSlider(lr, SLIDER_POSITIONS)).toBe(lr.max);
  });
});
