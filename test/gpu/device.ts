// One Dawn device per test file (SwiftShader where there is no GPU).
import { afterAll } from 'vitest';
import { nodeDevice, type NodeGpu } from '../../src/gpu/node.ts';

let gpu: Promise<NodeGpu> | null = null;

export function testDevice(): Promise<NodeGpu> {
  if (!gpu) {
    gpu = nodeDevice();
    afterAll(async () => (await gpu!).close());
  }
  return gpu;
}

export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} ≠ ${ref.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    num += (a[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / den);
}
