// Compute-pipeline creation that turns WGSL compile errors into readable
// messages (line:column and the offending source line) instead of an opaque
// invalid-object error later.
export async function createPipelineChecked(
  device: GPUDevice,
  label: string,
  code: string,
  layout: GPUBindGroupLayout | 'auto',
): Promise<GPUComputePipeline> {
  const started = performance.now();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    await device.popErrorScope();
    const lines = code.split('\n');
    const text = errors
      .map((m) => `${label}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`)
      .join('\n');
    throw new Error(`WGSL compile error in ${label}:\n${text}`);
  }
  const pipeline = await device.createComputePipelineAsync({
    label,
    layout: layout === 'auto' ? 'auto' : device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  const err = await device.popErrorScope();
  if (err) throw new Error(`pipeline ${label}: ${err.message}`);
  notePipelineBuild({ label, chars: code.length, ms: performance.now() - started });
  return pipeline;
}

/** One pipeline build: its label, WGSL size and the wall time from module to pipeline. */
export interface PipelineBuild {
  label: string;
  chars: number;
  ms: number;
}

const builds: PipelineBuild[] = [];
const MAX_BUILDS = 500;
let buildCount = 0;

function notePipelineBuild(b: PipelineBuild): void {
  buildCount++;
  builds.push(b);
  if (builds.length > MAX_BUILDS) builds.splice(0, builds.length - MAX_BUILDS);
}

/** The latest pipeline builds (at most MAX_BUILDS), oldest first, for the benchmark's compile-time table. */
export function pipelineBuilds(): readonly PipelineBuild[] {
  return builds;
}

/** Pipelines built so far (cache hits not counted): with pipelineBuildsSince, what one trainer compiled. */
export function pipelineBuildCount(): number {
  return buildCount;
}

/** The builds after the count was `mark` (as many as are still kept). */
export function pipelineBuildsSince(mark: number): readonly PipelineBuild[] {
  const n = Math.min(buildCount - mark, builds.length);
  return n > 0 ? builds.slice(builds.length - n) : [];
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const layoutIds = new WeakMap<GPUBindGroupLayout, number>();
let nextLayoutId = 1;

/**
 * createPipelineChecked, memoized per device by (label, layout, WGSL): a new
 * run, a reset or a test with the same sizes reuses compiled pipelines, which
 * on CPU-emulated GPUs take seconds to build. A failed build is not kept.
 */
export function cachedPipeline(
  device: GPUDevice,
  label: string,
  code: string,
  layout: GPUBindGroupLayout | 'auto',
): Promise<GPUComputePipeline> {
  let cache = pipelineCache.get(device);
  if (!cache) pipelineCache.set(device, (cache = new Map()));
  let layoutId = 0;
  if (layout !== 'auto') {
    layoutId = layoutIds.get(layout) ?? nextLayoutId++;
    layoutIds.set(layout, layoutId);
  }
  const key = `${label}\u0000${layoutId}\u0000${code}`;
  let p = cache.get(key);
  if (!p) {
    p = createPipelineChecked(device, label, code, layout);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
