// Per-step constants of softmax attention, computed once instead of once per
// prompt: for each head, M^h = K^hᵀ Q^h / √D restricted to the first d columns
// (z_q's label entries are 0), so that k̃ = M^h x_q, and for each output t
// ov^{h,t} = V^hᵀ O_t^hᵀ. Written to work[PREP, PREP + H·(D·DIM + NT·D)).
// Needs from the prelude: DIM, NT, D, H, NP, SUM_CHUNKS.

@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;

const HEAD_SIZE: u32 = 3u * D * D;
const O_OFF: u32 = H * HEAD_SIZE;
const NSUM: u32 = H * (NT * D + D * DIM);
// After the batch sums' partials (softmax_sums.wgsl).
const PREP: u32 = NP + 1u + SUM_CHUNKS * (NSUM + 1u);
const PREP_HEAD: u32 = D * DIM + NT * D;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= H * PREP_HEAD) { return; }
  let h = i / PREP_HEAD;
  let r = i % PREP_HEAD;
  let qo = h * HEAD_SIZE;
  let ko = qo + D * D;
  let vo = ko + D * D;
  var acc = 0.0;
  if (r < D * DIM) {
    let j = r / DIM;
    let k = r % DIM;
    for (var m = 0u; m < D; m++) { acc += params[ko + m * D + j] * params[qo + m * D + k]; }
    acc *= inverseSqrt(f32(D));
  } else {
    let t = (r - D * DIM) / D;
    let k = (r - D * DIM) % D;
    let o = O_OFF + t * H * D + h * D;
    for (var j = 0u; j < D; j++) { acc += params[o + j] * params[vo + j * D + k]; }
  }
  work[PREP + i] = acc;
}
