// Stage 1 of the softmax-attention batch gradient: sums over the batch, in
// prompt order, of the per-prompt rows of softmax_train.wgsl. Per head:
//   u^{h,t} = Σ_b g_t c^h (D, for each output t),   P^h = Σ_b e^h z_qᵀ (D×D);
// thread NSUM adds the loss. Written to work[] after the gradient (NP + 1).
// Needs from the prelude: NT, D, H, BATCH, CONTRIB, NP.

@group(0) @binding(4) var<storage, read> contrib: array<f32>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;

const PER_HEAD: u32 = NT * D + D * D;
const NSUM: u32 = H * PER_HEAD;
const SCRATCH: u32 = NP + 1u;
const ROW_HEAD: u32 = (NT + 1u) * D;
const ZQ: u32 = H * ROW_HEAD;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i > NSUM) { return; }
  var acc = 0.0;
  if (i == NSUM) {
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + ZQ + D]; }
    work[NP] = acc;
    return;
  }
  let h = i / PER_HEAD;
  let r = i % PER_HEAD;
  if (r < NT * D) {
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + h * ROW_HEAD + r]; }
  } else {
    let j = (r - NT * D) / D;
    let k = (r - NT * D) % D;
    for (var b = 0u; b < BATCH; b++) {
      acc += contrib[b * CONTRIB + h * ROW_HEAD + NT * D + j] * contrib[b * CONTRIB + ZQ + k];
    }
  }
  work[SCRATCH + i] = acc;
}
