// Stage 1 of the softmax-attention batch gradient: partial sums over the batch,
// in prompt order, of the per-prompt rows of softmax_train.wgsl. Per head:
//   u^{h,t} = Σ_b g_t c^h (D, for each output t),   P^h = Σ_b e^h x_qᵀ (D×d),
// and the loss. Thread (c, i) sums entry i over prompts [c·SUM_CHUNK, (c+1)·SUM_CHUNK),
// so the stage has many threads at any batch size; softmax_grad.wgsl adds the
// SUM_CHUNKS partials of each entry in order (the result is bitwise reproducible).
// Partial c of entry i: work[SCRATCH + c·(NSUM + 1) + i]; entry NSUM is the loss.
// The rows are entry-major: entry e of prompts 4q … 4q + 3 is the vec4
// contrib[e·BATCH_PAD/4 + q]; padding prompts hold 0.
// Needs from the prelude: DIM, NT, D, H, BATCH_PAD, NP, SUM_CHUNK, SUM_CHUNKS.

@group(0) @binding(4) var<storage, read> contrib: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;

const PER_HEAD: u32 = NT * D + D * DIM;
const NSUM: u32 = H * PER_HEAD;
const SCRATCH: u32 = NP + 1u;
const ROW_HEAD: u32 = (NT + 1u) * D;
const ZQ: u32 = H * ROW_HEAD;
const Q4: u32 = BATCH_PAD / 4u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let g = gid.x;
  if (g >= SUM_CHUNKS * (NSUM + 1u)) { return; }
  let c = g / (NSUM + 1u);
  let i = g % (NSUM + 1u);
  let q0 = c * (SUM_CHUNK / 4u);
  let q1 = min(Q4, q0 + SUM_CHUNK / 4u);
  var acc = 0.0;
  if (i == NSUM) {
    for (var q = q0; q < q1; q++) { acc += dot(contrib[(ZQ + D) * Q4 + q], vec4f(1.0)); }
  } else {
    let h = i / PER_HEAD;
    let r = i % PER_HEAD;
    if (r < NT * D) {
      for (var q = q0; q < q1; q++) { acc += dot(contrib[(h * ROW_HEAD + r) * Q4 + q], vec4f(1.0)); }
    } else {
      let j = (r - NT * D) / DIM;
      let k = (r - NT * D) % DIM;
      for (var q = q0; q < q1; q++) { acc += dot(contrib[(h * ROW_HEAD + NT * D + j) * Q4 + q], contrib[(ZQ + k) * Q4 + q]); }
    }
  }
  work[SCRATCH + c * (NSUM + 1u) + i] = acc;
}
