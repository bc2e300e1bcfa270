// Snapshots taken while training (what a lost device resumes from), and GPU
// error scopes around allocations.
import { describe, expect, it } from 'vitest';
import { Trainer, type TrainerSnapshot } from '../../src/engine/trainer.ts';
import { GpuScopeError, withErrorScopes } from '../../src/gpu/errorScope.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { testDevice } from './device.ts';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('snapshots while training', () => {
  it('a requested snapshot rides on a readback, equals snapshot() at that step, and resumes bit for bit', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&model=softmax&init=default&H=2&d=3&n=10&B=96&T=400&lr=0.005&sched=cosine&ds=5&is=9').spec;
    const whole = await Trainer.create(device, spec, { chunkSteps: 50 });
    let riding: TrainerSnapshot | null = null;
    let readbacksWithState = 0;
    await whole.run({
      steps: 400,
      onReadback: (r) => {
        if (r.optState) {
          readbacksWithState++;
          riding = { step: r.step, params: r.params.slice(), optState: r.optState };
        }
        if (r.step === 100) whole.requestSnapshot();
      },
    });
    const expected = bits(await whole.readParams());
    whole.destroy();
    expect(readbacksWithState).toBe(1);
    const snap = riding as TrainerSnapshot | null;
    expect(snap).not.toBeNull();
    // Requested while later chunks were already submitted: it rides on the next submission.
    expect(snap!.step).toBeGreaterThan(100);
    expect(snap!.step % 50).toBe(0);

    // The same as a drained snapshot() of a run stopped there.
    const stopped = await Trainer.create(device, spec, { chunkSteps: 50 });
    await stopped.run({ steps: snap!.step });
    const drained = await stopped.snapshot();
    stopped.destroy();
    expect(drained.step).toBe(snap!.step);
    expect(bits(snap!.params)).toEqual(bits(drained.params));
    expect(bits(snap!.optState)).toEqual(bits(drained.optState));

    // Restored into a fresh trainer (as after a device loss), it ends where the uninterrupted run did.
    const resumed = await Trainer.create(device, spec, { chunkSteps: 50 });
    await resumed.restore(snap!);
    await resumed.run({ steps: 400 });
    expect(resumed.stepsCompleted).toBe(400);
    expect(bits(await resumed.readParams())).toEqual(expected);
    resumed.destroy();
  });

  it('costs: a snapshot riding on a readback vs draining the pipeline for snapshot()', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&d=5&n=20&B=256&T=3000&lr=0.01&ds=7&is=11').spec;
    const time = async (mode: 'none' | 'riding' | 'drained') => {
      const t = await Trainer.create(device, spec, { chunkSteps: 50 });
      await t.run({ steps: 100 }); // warm-up
      const start = performance.now();
      if (mode === 'drained') {
        for (let i = 0; i < 10; i++) {
          await t.run({ steps: 200 });
          await t.snapshot();
        }
      } else {
        let n = 0;
        await t.run({
          steps: 2000,
          onReadback: () => {
            if (mode === 'riding' && ++n % 4 === 0) t.requestSnapshot();
          },
        });
      }
      const ms = performance.now() - start;
      t.destroy();
      return ms;
    };
    await time('none');
    const none = await time('none');
    const riding = await time('riding');
    const drained = await time('drained');
    console.log(`2000 steps: no snapshots ${none.toFixed(0)} ms; a riding snapshot every 4 readbacks ${riding.toFixed(0)} ms; 10 drained snapshot() calls ${drained.toFixed(0)} ms`);
    // Ten riding snapshots cost next to nothing; allow for a noisy shared machine.
    expect(riding).toBeLessThan(none * 1.5 + 50);
  });
});

describe('GPU error scopes', () => {
  it('a rejected allocation becomes a GpuScopeError and the half-built result is discarded', async () => {
    const { device } = await testDevice();
    const discarded: GPUBuffer[] = [];
    const tooBig = device.limits.maxBufferSize + 4;
    const err = await withErrorScopes(
      device,
      async () => device.createBuffer({ size: tooBig, usage: GPUBufferUsage.STORAGE }),
      (b) => discarded.push(b),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuScopeError);
    expect(['validation', 'out-of-memory']).toContain((err as GpuScopeError).kind);
    expect((err as GpuScopeError).message.length).toBeGreaterThan(0);
    expect(discarded).toHaveLength(1);
    // The scopes were popped: the device goes on working, and a good allocation passes.
    const ok = await withErrorScopes(device, async () => device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE }));
    expect(ok.size).toBe(64);
    ok.destroy();
  });

  it("fn's own error comes through when no scope caught anything", async () => {
    const { device } = await testDevice();
    await expect(withErrorScopes(device, async () => Promise.reject(new Error('not a GPU error')))).rejects.toThrow('not a GPU error');
  });
});
