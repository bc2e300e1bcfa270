// Which softmax training kernel a spec gets, and the heads kernel's shape:
// every preset stays on the one-thread kernel (its links' bits unchanged),
// a thread of either kernel holds at most about HEADS_KERNEL_FLOATS numbers
// where the heads are split, and the heads kernel's workgroup memory and size
// fit every adapter's minimum limits for every shape the field table allows.
import { describe, expect, it } from 'vitest';
import { HEADS_KERNEL_FLOATS, headsKernelFloats, headsKernelShape, softmaxKernelOf, threadKernelFloats } from '../src/models/softmax.ts';
import { modelFor } from '../src/models/index.ts';
import { PRESETS, presetSpec } from '../src/spec/presets.ts';
import { FIELDS } from '../src/spec/fields.ts';
import { decodeSpec } from '../src/spec/index.ts';

const max = (key: string) => (FIELDS.find((f) => f.key === key) as { max: number }).max;

describe('softmax kernel choice', () => {
  it('every softmax preset trains on the one-thread kernel', () => {
    const softmax = PRESETS.map(presetSpec).filter((s) => s.model.type === 'softmax');
    expect(softmax.length).toBeGreaterThan(5);
    for (const s of softmax) expect(softmaxKernelOf(s.task.d, s.model.heads, s.task.tasks)).toBe('thread');
  });

  it('the heads are split where one thread would hold more than the budget, and never for one head', () => {
    expect(softmaxKernelOf(64, 16, 1)).toBe('heads');
    expect(softmaxKernelOf(64, 1, 4)).toBe('thread');
    for (let d = 1; d <= max('d'); d += 7)
      for (let H = 1; H <= max('H'); H++)
        for (let K = 1; K <= max('K'); K++) {
          const kernel = softmaxKernelOf(d, H, K);
          expect(kernel === 'heads').toBe(H > 1 && threadKernelFloats(d, H, K) > HEADS_KERNEL_FLOATS);
          // Splitting always lightens the thread.
          if (kernel === 'heads') expect(headsKernelFloats(d, K)).toBeLessThan(threadKernelFloats(d, H, K));
        }
  });

  it('the heads kernel fits 16 KiB of workgroup memory and 64 threads at every size the fields allow', () => {
    for (const d of [1, 5, 17, 33, max('d')])
      for (let H = 2; H <= max('H'); H++)
        for (let K = 1; K <= max('K'); K++)
          for (const n of [1, 7, 40, max('n')]) {
            const { PPW, HWG, TILE } = headsKernelShape(d, H, K, n);
            expect(HWG).toBe(PPW * H);
            expect(HWG).toBeLessThanOrEqual(64);
            expect(TILE).toBeGreaterThanOrEqual(1);
            expect(TILE).toBeLessThanOrEqual(n);
            // tile, head_y, strays, any_stray (workgroup memory in 4-byte words).
            expect(PPW * TILE * (d + K) + HWG * K + HWG + 1).toBeLessThanOrEqual(4096);
          }
  });

  it('the model definition carries the kernel, its prompts a workgroup and its constants', () => {
    const spec = decodeSpec('v=1&model=softmax&init=default&d=40&H=12&n=30').spec;
    const heads = modelFor(spec);
    expect(heads.promptsPerWorkgroup).toBe(5);
    expect(heads.constants).toEqual({ PPW: 5, HWG: 60, TILE: headsKernelShape(40, 12, 1, 30).TILE });
    const thread = modelFor(spec, { softmaxKernel: 'thread' });
    expect(thread.promptsPerWorkgroup).toBeUndefined();
    expect(thread.trainShader).not.toBe(heads.trainShader);
    // The rows the gradient stages read are the same.
    expect(thread.contribStride).toBe(heads.contribStride);
    expect(thread.stages.map((s) => s.threads)).toEqual(heads.stages.map((s) => s.threads));
  });
});
