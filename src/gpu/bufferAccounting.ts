// Live GPU buffer memory of a device: how many buffers the lab has created
// and not destroyed, and their bytes. Wraps the device's createBuffer once, so
// every allocation (trainer, evaluation, staging) is counted, in the page and
// in Node alike. Used by the soak run and the page's memory readout to show
// that a long run holds its GPU memory flat.
export interface BufferAccount {
  /** Buffers created and not yet destroyed. */
  liveCount(): number;
  liveBytes(): number;
  /** Every buffer ever created on the device (to tell churn from leaks). */
  createdCount(): number;
}

const accounts = new WeakMap<GPUDevice, BufferAccount>();

/** Starts (or returns) the account of `device`'s buffers; buffers made before the first call are not counted. */
export function trackBuffers(device: GPUDevice): BufferAccount {
  const existing = accounts.get(device);
  if (existing) return existing;
  const live = new Map<GPUBuffer, number>();
  let created = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor);
    created++;
    live.set(buffer, descriptor.size);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  const account: BufferAccount = {
    liveCount: () => live.size,
    liveBytes: () => {
      let sum = 0;
      for (const b of live.values()) sum += b;
      return sum;
    },
    createdCount: () => created,
  };
  accounts.set(device, account);
  return account;
}
