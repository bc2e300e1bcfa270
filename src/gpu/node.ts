// WebGPU in Node through Dawn (the `webgpu` package). On machines without a GPU
// it runs on SwiftShader, the CPU Vulkan implementation that ships with
// Chromium: point the Vulkan loader at it unless the caller chose an ICD.
import { existsSync } from 'node:fs';
import { acquireDevice, type AcquiredDevice } from './device.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface NodeGpu extends AcquiredDevice {
  /** Destroys the device; Node will not exit while Dawn's instance is referenced. */
  close(): void;
}

export async function nodeDevice(flags: string[] = []): Promise<NodeGpu> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  (globalThis as { Float16Array?: unknown }).Float16Array ??= Uint16Array;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  let gpu: GPU | null = create(flags);
  const acquired = await acquireDevice(gpu);
  return {
    ...acquired,
    close() {
      acquired.device.destroy();
      gpu = null;
    },
  };
}
