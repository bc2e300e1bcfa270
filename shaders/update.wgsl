// Finishes a step: the model's grad_sum() gives the batch-summed gradient,
// added over prompts in a fixed order (so the result is bitwise reproducible);
// this keeps it in work[] for inspection, records the batch loss and applies
// the optimizer (shaders/elementwise.wgsl) unless DEFER_STEP leaves the step
// to shaders/optimizer.wgsl. One thread per parameter, one more for the loss.
// Needs from the prelude: NP (parameter count), DEFER_STEP; from the model: grad_sum().

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
// Per-prompt rows, entry-major, read as vec4s of four prompts (models that sum in grad_sum).
@group(0) @binding(4) var<storage, read> contrib: array<vec4f>;
// m (NP) then v (NP); SGD and Lion keep their momentum in m.
@group(0) @binding(5) var<storage, read_write> opt_state: array<f32>;
@group(0) @binding(6) var<storage, read_write> losses: array<f32>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i > NP) { return; }
  let acc = grad_sum(i);
  work[i] = acc;
  if (i == NP) {
    losses[stepi.local] = acc * run.inv_batch;
    return;
  }
  // The matrix optimizers and clipping step in shaders/optimizer.wgsl, from work[].
  if (!DEFER_STEP) {
    opt_elementwise(i, acc * run.inv_batch);
  }
}
