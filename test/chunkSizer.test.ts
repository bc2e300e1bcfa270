// The evaluation's adaptive chunks: small first, then what the GPU evaluates
// in about EVAL_DISPATCH_MS, never more than double the last or the buffer's
// capacity, in whole workgroups.
import { describe, expect, it } from 'vitest';
import { ChunkSizer, EVAL_DISPATCH_MS, EVAL_FIRST_CHUNK } from '../src/engine/trainer.ts';

describe('ChunkSizer', () => {
  it('starts at EVAL_FIRST_CHUNK, doubles while the GPU is fast, and stops at the capacity', () => {
    const s = new ChunkSizer(65536);
    expect(s.next()).toBe(EVAL_FIRST_CHUNK);
    const sizes = [];
    for (let i = 0; i < 8; i++) {
      s.took(s.next(), 1); // far under the budget
      sizes.push(s.next());
    }
    expect(sizes).toEqual([2048, 4096, 8192, 16384, 32768, 65536, 65536, 65536]);
  });

  it('shrinks to what fits the dispatch budget on a slow GPU, in whole workgroups, never under one', () => {
    const s = new ChunkSizer(65536);
    s.took(1024, 4 * EVAL_DISPATCH_MS); // 256 prompts fit the budget
    expect(s.next()).toBe(256);
    s.took(256, 100 * EVAL_DISPATCH_MS);
    expect(s.next()).toBe(64);
    s.took(64, EVAL_DISPATCH_MS / 1.5); // 96 fit: rounds down to 64
    expect(s.next()).toBe(64);
    for (const size of [s.next()]) expect(size % 64).toBe(0);
  });

  it('a capacity under the first chunk is the chunk', () => {
    expect(new ChunkSizer(300).next()).toBe(300);
  });
});
