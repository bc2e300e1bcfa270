// Builds WGSL modules: a generated prelude of constants (sizes and flags that
// the kernels specialize on, so loops have fixed bounds and private arrays a
// fixed size) followed by the shared sources and the kernel itself.
import commonSrc from '../../shaders/common.wgsl?raw';
import rngSrc from '../../shaders/rng.wgsl?raw';
import taskSrc from '../../shaders/task.wgsl?raw';
import updateSrc from '../../shaders/update.wgsl?raw';
import evalSrc from '../../shaders/eval.wgsl?raw';
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
  return scalarizeArrays(unrollLoops(pruneStaticBranches([prelude(consts), ...parts].join('\n'), consts), consts), consts);
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
