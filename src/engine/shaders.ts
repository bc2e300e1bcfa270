// Builds WGSL modules: a generated prelude of constants (sizes and flags that
// the kernels specialize on, so loops have fixed bounds and private arrays a
// fixed size) followed by the shared sources and the kernel itself.
import commonSrc from '../../shaders/common.wgsl?raw';
import rngSrc from '../../shaders/rng.wgsl?raw';
import taskSrc from '../../shaders/task.wgsl?raw';
import updateSrc from '../../shaders/update.wgsl?raw';
import evalSrc from '../../shaders/eval.wgsl?raw';
import evalCommonSrc from '../../shaders/eval_common.wgsl?raw';
import evalModelSrc from '../../shaders/eval_model.wgsl?raw';
import evalNoModelSrc from '../../shaders/eval_no_model.wgsl?raw';
import dumpSrc from '../../shaders/sample_dump.wgsl?raw';
import trainKeySrc from '../../shaders/train_key.wgsl?raw';
import elementwiseSrc from '../../shaders/elementwise.wgsl?raw';
import optimizerSrc from '../../shaders/optimizer.wgsl?raw';
import type { TaskContext } from '../tasks/task.ts';
import { unrollLoops } from './unroll.ts';
import { scalarizeArrays } from './scalarize.ts';
import { pruneStaticBranches } from './staticIf.ts';

export const SOURCES = {
  common: commonSrc,
  rng: rngSrc,
  task: taskSrc,
  update: updateSrc,
  eval: evalSrc,
  evalCommon: evalCommonSrc,
  evalModel: evalModelSrc,
  evalNoModel: evalNoModelSrc,
  dump: dumpSrc,
  trainKey: trainKeySrc,
  elementwise: elementwiseSrc,
  optimizer: optimizerSrc,
};

export type Constants = Record<string, number | boolean>;

export function prelude(consts: Constants): string {
  const lines = Object.entries(consts).map(([name, value]) => {
    if (typeof value === 'boolean') return `const ${name}: bool = ${value};`;
    if (!Number.isInteger(value) || value < 0) throw new Error(`shader constant ${name} must be a non-negative integer, got ${value}`);
    return `const ${name}: u32 = ${value}u;`;
  });
  return `// generated prelude\n${lines.join('\n')}\n`;
}

export function composeShader(consts: Constants, ...parts: string[]): string {
  return composeShaderWith(true, consts, ...parts);
}

/**
 * composeShader with the source-level passes (loop unrolling, array
 * scalarization: see unroll.ts) on or off. They make CPU-emulated GPUs 2-4×
 * faster; a hardware compiler does the same itself, so the GPU benchmark
 * times an adapter both ways.
 */
export function composeShaderWith(passes: boolean, consts: Constants, ...parts: string[]): string {
  const pruned = pruneStaticBranches([prelude(consts), ...parts].join('\n'), consts);
  // Without the passes the @unroll markers go, the loops stay.
  return passes ? scalarizeArrays(unrollLoops(pruned, consts), consts) : unrollLoops(pruned, {});
}

export const RESPONSE_CODE = { identity: 0, tanh: 1, relu: 2, cubic: 3 } as const;

/** The prelude flags of shaders/task.wgsl for a prompt distribution. */
export function taskConstants(task: TaskContext): Constants {
  return {
    ISO_COV: task.isotropic,
    RESPONSE: RESPONSE_CODE[task.response],
    QUERY_NOISE: task.queryNoise,
    POOL_DRAW: task.drawFromPool && task.pool !== null,
    UNIFORM_X: task.covariates === 'uniform',
  };
}
