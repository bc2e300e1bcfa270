// Turns a training kernel of one run into a kernel of R runs of the same shape
// at once, at the WGSL source level: the dispatch's workgroup y index is the
// run, every per-run storage array is indexed from that run's block
// (params[i] → params[batch_off_params + i]), RunParams and the step's
// StepInfo are read from per-run arrays. Nothing else changes, so each run
// does the very arithmetic of the same spec trained alone, bit for bit.
// Kernels that already use a workgroup's y index are refused.

import { matchBrace } from './unroll.ts';

/** The per-run storage arrays: a binding of one of these names holds R blocks of `stride` elements. */
export const BATCHED_ARRAYS = ['params', 'contrib', 'work', 'opt_state', 'losses', 'task_mats', 'scratch'] as const;
export type BatchedArray = (typeof BATCHED_ARRAYS)[number];

/** The prelude constant of a batched array's per-run block, in floats. */
export const strideConstant = (name: BatchedArray): string => `BATCH_STRIDE_${name.toUpperCase()}`;

/** The source without its comments (for the checks: a comment may say "run"). */
const code = (src: string) => src.replace(/\/\/[^\n]*/g, '');

const ENTRY = /@compute\s+@workgroup_size\([^)]*\)\s*fn\s+main\s*\(/;

/** The entry point's parameter list (between its balanced parentheses) and where its body's brace is. */
function entryPoint(src: string): { paramsStart: number; paramsEnd: number; brace: number } | null {
  const m = ENTRY.exec(src);
  if (!m) return null;
  const paramsStart = m.index + m[0].length;
  let depth = 1;
  let i = paramsStart;
  for (; i < src.length && depth > 0; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')') depth--;
  }
  const brace = src.indexOf('{', i);
  return brace < 0 ? null : { paramsStart, paramsEnd: i - 1, brace };
}

export function batchKernel(src: string): string {
  if (/\bnum_workgroups\b/.test(code(src))) throw new Error('batchKernel: the kernel reads num_workgroups');
  if (!entryPoint(src)) throw new Error('batchKernel: no compute entry point `main`');
  let out = src;
  const prologue: string[] = [];
  const privates: string[] = ['var<private> batch_run: u32;'];

  // The uniforms: one RunParams per run; the step's slot holds one StepInfo per run.
  const runDecl = /@group\(0\) @binding\(0\) var<uniform> run: RunParams;/;
  if (runDecl.test(out)) {
    if (/\brun\b(?!\s*[.:])/.test(code(out).replace(runDecl, ''))) throw new Error('batchKernel: `run` is used other than as run.field');
    out = out.replace(runDecl, '@group(0) @binding(0) var<storage, read> batch_runs: array<RunParams>;').replace(/\brun\./g, 'batch_runs[batch_run].');
  }
  const stepDecl = /@group\(0\) @binding\(1\) var<uniform> stepi: StepInfo;/;
  if (stepDecl.test(out)) {
    out = out.replace(stepDecl, '@group(0) @binding(1) var<storage, read> batch_steps: array<StepInfo>;').replace(/\bstepi\./g, 'batch_steps[batch_run].');
  }

  for (const name of BATCHED_ARRAYS) {
    const decl = new RegExp(`var<storage(?:,\\s*\\w+)?>\\s+${name}\\s*:\\s*array<(\\w+)>`).exec(out);
    if (!decl) continue;
    const unit = decl[1] === 'f32' ? 1 : decl[1] === 'vec4f' || decl[1] === 'vec4<f32>' ? 4 : 0;
    if (!unit) throw new Error(`batchKernel: ${name} is an array of ${decl[1]}`);
    if (new RegExp(`&${name}\\b|arrayLength\\(\\s*&?${name}`).test(out)) throw new Error(`batchKernel: ${name} is used through a pointer`);
    const off = `batch_off_${name}`;
    privates.push(`var<private> ${off}: u32;`);
    prologue.push(`${off} = batch_run * (${strideConstant(name)} / ${unit}u);`);
    out = out.replace(new RegExp(`\\b${name}\\[`, 'g'), `${name}[${off} + `);
  }

  // The run is the workgroup's y index: reuse the entry's workgroup_id if it has one.
  const e = entryPoint(out)!;
  const params = out.slice(e.paramsStart, e.paramsEnd);
  const existing = /@builtin\(workgroup_id\)\s+(\w+)\s*:/.exec(params);
  const wid = existing ? existing[1] : 'batch_wid';
  if (existing && new RegExp(`\\b${wid}\\.y\\b`).test(code(out))) throw new Error('batchKernel: the kernel uses its workgroup y index');
  const newParams = existing ? params : `${params.trim() ? `${params.trim()}, ` : ''}@builtin(workgroup_id) batch_wid: vec3u`;
  // In the entry the run's records are read through a let derived from a
  // builtin, which is uniform: a kernel that branches on its RunParams before
  // a barrier (the per-matrix optimizers) still validates. Helpers read them
  // through the module-scope copy.
  const end = matchBrace(out, e.brace);
  const entryBody = out
    .slice(e.brace + 1, end)
    .replace(/batch_runs\[batch_run\]/g, 'batch_runs[batch_run_u]')
    .replace(/batch_steps\[batch_run\]/g, 'batch_steps[batch_run_u]');
  const prologueText = `\n  let batch_run_u = ${wid}.y;\n  batch_run = batch_run_u;\n  ${prologue.join('\n  ')}`;
  out = out.slice(0, e.paramsStart) + newParams + out.slice(e.paramsEnd, e.brace) + '{' + prologueText + entryBody + out.slice(end);
  return `${privates.join('\n')}\n${out}`;
}
