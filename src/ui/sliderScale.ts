// Maps a numeric spec field onto a range input. Log-scaled fields move by
// factors (learning rates, step counts span decades); values from the slider
// are rounded to "nice" numbers so the URL stays readable (lr=0.002, not
// lr=0.0019952623). A log-scaled field whose range starts at 0 (a task pool,
// a training set, a test context length: 0 means "none" or "the training
// value") keeps position 0 for 0 and runs log from 1 over the other positions.
import type { NumberField } from '../spec/index.ts';

export const SLIDER_POSITIONS = 1000;

/** Whether the slider can use the field's own integer values as positions. */
export function isDirectIntSlider(f: NumberField): boolean {
  return f.kind === 'int' && f.scale === 'linear' && f.max - f.min <= SLIDER_POSITIONS;
}

/** A log scale over a range from 0: position 0 is 0, positions 1 … SLIDER_POSITIONS run log from 1 to max. */
function logFromZero(f: NumberField): boolean {
  return f.scale === 'log' && f.min <= 0;
}

export function sliderBounds(f: NumberField): { min: number; max: number; step: number } {
  return isDirectIntSlider(f) ? { min: f.min, max: f.max, step: 1 } : { min: 0, max: SLIDER_POSITIONS, step: 1 };
}

export function toSlider(f: NumberField, value: number): number {
  if (isDirectIntSlider(f)) return value;
  if (logFromZero(f)) {
    if (!(value > 0)) return 0;
    const t = Math.log(Math.max(value, 1)) / Math.log(f.max);
    return Math.min(SLIDER_POSITIONS, Math.max(1, 1 + Math.round(Math.min(1, t) * (SLIDER_POSITIONS - 1))));
  }
  const t =
    f.scale === 'log'
      ? Math.log(Math.max(value, f.min) / f.min) / Math.log(f.max / f.min)
      : (value - f.min) / (f.max - f.min);
  return Math.round(Math.min(1, Math.max(0, t)) * SLIDER_POSITIONS);
}

function roundSignificant(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}

export function fromSlider(f: NumberField, position: number): number {
  if (isDirectIntSlider(f)) return position;
  const t = position / SLIDER_POSITIONS;
  let v: number;
  if (logFromZero(f)) {
    if (position <= 0) return Math.max(f.min, 0);
    if (position >= SLIDER_POSITIONS) return f.max;
    v = Math.max(1, roundSignificant(Math.pow(f.max, (position - 1) / (SLIDER_POSITIONS - 1)), 2));
  } else if (f.scale === 'log') {
    v = roundSignificant(f.min * Math.pow(f.max / f.min, t), 2);
  } else {
    const step = (f.max - f.min) / SLIDER_POSITIONS;
    const decimals = Math.max(0, Math.ceil(-Math.log10(step)));
    v = Number((f.min + (f.max - f.min) * t).toFixed(decimals));
  }
  if (f.kind === 'int') v = Math.round(v);
  return Math.min(f.max, Math.max(f.min, v));
}
