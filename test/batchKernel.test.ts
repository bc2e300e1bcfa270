// The source transform that batches a kernel: per-run arrays indexed from the
// run's block, the uniforms read per run, the run from the workgroup's y index.
import { describe, expect, it } from 'vitest';
import { batchKernel } from '../src/engine/batchKernel.ts';

const KERNEL = `@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read> contrib: array<vec4f>;
// one run's step
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= NP) { return; }
  params[i] = params[i] - stepi.lr * contrib[i / 4u].x * run.inv_batch;
}`;

describe('batchKernel', () => {
  it("indexes every per-run array from its run's block and reads the run's uniforms", () => {
    const out = batchKernel(KERNEL);
    expect(out).toContain('var<storage, read> batch_runs: array<RunParams>;');
    expect(out).toContain('var<storage, read> batch_steps: array<StepInfo>;');
    // In the entry through a let of a builtin (uniform, for kernels with barriers); in helpers through the module-scope copy.
    expect(out).toContain('params[batch_off_params + i] = params[batch_off_params + i] - batch_steps[batch_run_u].lr * contrib[batch_off_contrib + i / 4u].x * batch_runs[batch_run_u].inv_batch;');
    expect(out).toContain('fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) batch_wid: vec3u) {');
    expect(out).toContain('let batch_run_u = batch_wid.y;');
    expect(out).toContain('batch_run = batch_run_u;');
    const helper = batchKernel(KERNEL.replace('// one run\'s step', 'fn rate() -> f32 { return stepi.lr * run.inv_batch; }'));
    expect(helper).toContain('fn rate() -> f32 { return batch_steps[batch_run].lr * batch_runs[batch_run].inv_batch; }');
    expect(out).toContain('batch_off_params = batch_run * (BATCH_STRIDE_PARAMS / 1u);');
    // vec4 arrays step in vec4s.
    expect(out).toContain('batch_off_contrib = batch_run * (BATCH_STRIDE_CONTRIB / 4u);');
    expect(out).not.toMatch(/\brun\./);
    expect(out).not.toMatch(/\bstepi\./);
  });

  it("reuses an entry's workgroup_id, and refuses a kernel that reads its y index or num_workgroups", () => {
    const own = KERNEL.replace('fn main(@builtin(global_invocation_id) gid: vec3u)', 'fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32)').replace('let i = gid.x;', 'let i = wg.x * 64u + lid;');
    const out = batchKernel(own);
    expect(out).toContain('let batch_run_u = wg.y;');
    expect(out).not.toContain('batch_wid');
    expect(() => batchKernel(own.replace('let i = wg.x * 64u + lid;', 'let i = wg.y;'))).toThrow(/workgroup y index/);
    expect(() => batchKernel(KERNEL.replace('let i = gid.x;', 'let i = num_workgroups.x;'))).toThrow(/num_workgroups/);
    expect(() => batchKernel(KERNEL.replace('let i = gid.x;', 'let run = 1u; let i = gid.x;'))).toThrow(/`run` is used/);
    expect(() => batchKernel(KERNEL.replace('let i = gid.x;', 'let p = &params; let i = gid.x;'))).toThrow(/through a pointer/);
  });
});
