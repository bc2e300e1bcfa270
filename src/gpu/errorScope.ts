// Running GPU work inside error scopes, so an allocation the GPU refuses (out
// of memory) or a call it rejects (validation) comes back as an error to
// report instead of an uncaptured error event and half-built objects.

/** What kind of GPU error a scope caught. */
export type GpuErrorKind = 'out-of-memory' | 'validation' | 'internal';

export interface CaughtGpuError {
  kind: GpuErrorKind;
  message: string;
}

/**
 * The kind of a GPUError: by its class where the browser defines the classes,
 * else by the filter of the scope that caught it.
 */
export function gpuErrorKind(error: GPUError, scope: GPUErrorFilter): GpuErrorKind {
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? '';
  if (/OutOfMemory/i.test(name)) return 'out-of-memory';
  if (/Validation/i.test(name)) return 'validation';
  if (/Internal/i.test(name)) return 'internal';
  return scope;
}

/** Thrown by withErrorScopes when a scope caught an error. */
export class GpuScopeError extends Error {
  readonly kind: GpuErrorKind;
  constructor(caught: CaughtGpuError) {
    super(caught.message);
    this.name = 'GpuScopeError';
    this.kind = caught.kind;
  }
}

/**
 * Runs `fn` with out-of-memory and validation scopes pushed on `device`, then
 * pops them. Out of memory wins over validation (a failed allocation makes
 * the calls that use the buffer invalid too). Throws GpuScopeError for a
 * caught error (after handing fn's result, if any, to `discard`), or fn's
 * own error; returns fn's result otherwise.
 */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>, discard?: (made: T) => void): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let thrown: unknown = null;
  let failed = false;
  try {
    result = await fn();
  } catch (e) {
    thrown = e;
    failed = true;
  }
  // Popped in reverse order of pushing, whatever fn did.
  const validation = await device.popErrorScope().catch(() => null);
  const oom = await device.popErrorScope().catch(() => null);
  if ((oom || validation) && !failed) discard?.(result as T);
  if (oom) throw new GpuScopeError({ kind: gpuErrorKind(oom, 'out-of-memory'), message: oom.message });
  if (validation) throw new GpuScopeError({ kind: gpuErrorKind(validation, 'validation'), message: validation.message });
  if (failed) throw thrown;
  return result as T;
}
