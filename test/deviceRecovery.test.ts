// What the lab says when a trainer cannot be allocated or the device is lost,
// and when it stops re-creating a device that keeps getting lost.
import { describe, expect, it } from 'vitest';
import { GpuScopeError, gpuErrorKind } from '../src/gpu/errorScope.ts';
import { decodeSpec } from '../src/spec/index.ts';
import {
  describeLoss,
  givenUpItems,
  keepSnapshot,
  keptSnapshotFor,
  MAX_LOSSES,
  recordLoss,
  resumedTitle,
  rewindHistory,
  trainerErrorNotice,
} from '../src/store/deviceRecovery.ts';
import { LossHistory } from '../src/store/lossHistory.ts';

describe('trainer allocation errors', () => {
  it('out of memory names the spec size and suggests a smaller batch', () => {
    const spec = decodeSpec('v=1&model=softmax&H=4&d=20&n=40&B=65536&T=1000').spec;
    const n = trainerErrorNotice(new GpuScopeError({ kind: 'out-of-memory', message: 'Allocation failed' }), spec);
    expect(n).not.toBeNull();
    expect(n!.title).toBe('Out of GPU memory');
    const text = n!.items.join(' ');
    for (const part of ['batch 65536', 'd = 20', 'n = 40', '4 heads', 'smaller batch (e.g. 32768)', 'Allocation failed', 'MiB']) expect(text).toContain(part);
  });

  it('a validation error is reported as such; other errors are not GPU scope errors', () => {
    const spec = decodeSpec('v=1&d=3&n=10&B=256&T=100').spec;
    const n = trainerErrorNotice(new GpuScopeError({ kind: 'validation', message: 'size too large' }), spec);
    expect(n!.title).toBe('The GPU could not build the trainer');
    expect(n!.items.join(' ')).toMatch(/LSA, batch 256, d = 3, n = 10.*validation error/);
    expect(trainerErrorNotice(new Error('other'), spec)).toBeNull();
  });

  it("an error's kind comes from its class where there is one, else from the scope that caught it", () => {
    class GPUOutOfMemoryError {
      message = 'oom';
    }
    class GPUValidationError {
      message = 'bad';
    }
    expect(gpuErrorKind(new GPUOutOfMemoryError() as unknown as GPUError, 'validation')).toBe('out-of-memory');
    expect(gpuErrorKind(new GPUValidationError() as unknown as GPUError, 'out-of-memory')).toBe('validation');
    expect(gpuErrorKind({ message: 'x' } as GPUError, 'out-of-memory')).toBe('out-of-memory');
  });
});

describe('device losses', () => {
  it('the notices name the reason, the message and the step', () => {
    expect(describeLoss({ reason: 'destroyed', message: 'Device was destroyed.' })).toBe('destroyed: Device was destroyed.');
    expect(describeLoss({ reason: 'unknown', message: '' })).toBe('unknown');
    expect(resumedTitle({ reason: 'unknown', message: 'driver reset' }, 1200)).toBe('The GPU device was lost (unknown: driver reset); the run resumed from step 1200.');
    expect(givenUpItems({ reason: 'unknown', message: '' }, 'why', 40).join(' ')).toMatch(/as of step 40/);
    expect(givenUpItems({ reason: 'unknown', message: '' }, 'why', null).join(' ')).toMatch(/Reload/);
  });

  it(`more than ${MAX_LOSSES} losses within a minute are one too many; older ones are forgotten`, () => {
    const t0 = 1e9;
    for (let i = 0; i < MAX_LOSSES; i++) expect(recordLoss(t0 + i * 1000)).toBe(false);
    expect(recordLoss(t0 + 5000)).toBe(true);
    // A minute after the last of them, a loss is the first again.
    expect(recordLoss(t0 + 5000 + 60_001)).toBe(false);
  });
});

describe('the kept snapshot and the loss history', () => {
  it('a snapshot kept at the history’s step rewinds the history exactly; one kept elsewhere, or another run’s, truncates', () => {
    const losses = Array.from({ length: 300 }, (_, i) => Math.sin(i) + 2);
    const whole = new LossHistory(8);
    whole.push(losses);
    const h = new LossHistory(8);
    h.push(losses.slice(0, 101));
    const snap = { step: 101, params: new Float32Array(2), optState: new Float32Array(0) };
    keepSnapshot(snap, h);
    expect(keptSnapshotFor(h)).toBe(snap);
    expect(keptSnapshotFor(new LossHistory(8))).toBeNull();
    h.push(losses.slice(101, 250));
    rewindHistory(h, snap);
    expect(h.length).toBe(101);
    h.push(losses.slice(101));
    expect(Array.from(h.points().y)).toEqual(Array.from(whole.points().y));
    // Kept while the history was ahead of it: no mark, so the estimate (same steps, the straddled bucket approximated).
    const g = new LossHistory(8);
    g.push(losses.slice(0, 120));
    keepSnapshot(snap, g);
    g.push(losses.slice(120, 250));
    rewindHistory(g, snap);
    expect(g.length).toBe(101);
    g.push(losses.slice(101));
    expect(Array.from(g.points().x)).toEqual(Array.from(whole.points().x));
    expect(Array.from(g.points().y)).not.toEqual(Array.from(whole.points().y));
  });
});
