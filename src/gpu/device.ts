// Acquiring a WebGPU device, in the page (navigator.gpu) or in Node (Dawn's
// `webgpu` package, see node.ts). Asks for the adapter's own limits on the
// sizes the engine scales with, so large experiments are not refused by the
// conservative defaults.
export interface AcquiredDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** Human-readable adapter description, e.g. "google swiftshader (Vulkan)". */
  description: string;
}

export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unknown adapter';
}

export async function acquireDevice(gpu: GPU, options: GPURequestAdapterOptions = {}): Promise<AcquiredDevice> {
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) throw new Error('WebGPU is available but no GPU adapter was found');
  const want = [
    'maxComputeWorkgroupStorageSize',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupsPerDimension',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features });
  return { device, adapter, description: describeAdapter(adapter.info) };
}
