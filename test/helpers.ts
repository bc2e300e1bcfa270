// Shared helpers for the tests: task contexts from partial task specs, and a
// small seeded uniform generator for random test inputs.
import { defaultSpec, type CovarianceSpec, type TaskSpec } from '../src/spec/index.ts';
import { buildTask, type TaskContext } from '../src/tasks/task.ts';

export type TaskOverrides = Partial<Omit<TaskSpec, 'covariance' | 'prior'>> & {
  covariance?: Partial<CovarianceSpec>;
  prior?: Partial<TaskSpec['prior']>;
};

export function taskSpec(o: TaskOverrides = {}): TaskSpec {
  const base = defaultSpec().task;
  return {
    ...base,
    ...o,
    covariance: { ...base.covariance, ...o.covariance },
    prior: { ...base.prior, ...o.prior },
  };
}

export function taskCtx(o: TaskOverrides = {}): TaskContext {
  return buildTask(taskSpec(o));
}

/** mulberry32: a tiny seeded uniform generator on [0, 1), independent of the code under test. */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals by Box-Muller on mulberry32 (test inputs only). */
export function gaussians(seed: number): () => number {
  const u = uniforms(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function randomMatrix(m: number, next: () => number, scale = 1): Float64Array {
  return Float64Array.from({ length: m * m }, () => scale * next());
}

/** Largest |a_i − b_i| relative to the largest |b_i| (max-norm relative error). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
