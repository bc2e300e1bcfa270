// Stage 2 of the softmax-attention batch gradient: from the batch sums u^{h,t}
// and P^h (softmax_sums.wgsl: SUM_CHUNKS partials each, added here in order)
// and the parameters, one thread per parameter:
//   ∂/∂Q^h = K^h P^h / √D,  ∂/∂K^h = Q^h P^hᵀ / √D   (P^h's columns past d are 0: z_q's labels),
//   ∂/∂V^h = Σ_t O_t^hᵀ u^{h,t}ᵀ,  ∂/∂O_t^h = V^h u^{h,t};
// thread NP writes the batch loss to work[NP].
// A separate pass from the optimizer because these read parameters that the
// optimizer pass overwrites.
// Needs from the prelude: DIM, NT, D, H, NP, SUM_CHUNKS.

@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(7) var<storage, read_write> work: array<f32>;

const HEAD_SIZE: u32 = 3u * D * D;
const O_OFF: u32 = H * HEAD_SIZE;
const PER_HEAD: u32 = NT * D + D * DIM;
const NSUM: u32 = H * PER_HEAD;
const SCRATCH: u32 = NP + 1u;

// Entry i of the batch sums: its partials added in chunk order.
fn total(i: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < SUM_CHUNKS; c++) { s += work[SCRATCH + c * (NSUM + 1u) + i]; }
  return s;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i > NP) { return; }
  if (i == NP) {
    work[NP] = total(NSUM);
    return;
  }
  var acc = 0.0;
  if (i >= O_OFF) {
    let t = (i - O_OFF) / (H * D);
    let h = ((i - O_OFF) / D) % H;
    let j = (i - O_OFF) % D;
    let u = h * PER_HEAD + t * D;
    let vo = h * HEAD_SIZE + 2u * D * D;
    for (var k = 0u; k < D; k++) { acc += params[vo + j * D + k] * total(u + k); }
  } else {
    let h = i / HEAD_SIZE;
    let r = i % HEAD_SIZE;
    let which = r / (D * D);
    let j = (r % (D * D)) / D;
    let k = r % D;
    let u = h * PER_HEAD;
    let p = u + NT * D;
    let qo = h * HEAD_SIZE;
    let ko = qo + D * D;
    let inv_sqrt_d = inverseSqrt(f32(D));
    if (which == 0u) {
      if (k < DIM) {
        for (var m = 0u; m < D; m++) { acc += params[ko + j * D + m] * total(p + m * DIM + k); }
      }
      acc *= inv_sqrt_d;
    } else if (which == 1u) {
      for (var m = 0u; m < DIM; m++) { acc += params[qo + j * D + m] * total(p + k * DIM + m); }
      acc *= inv_sqrt_d;
    } else {
      for (var t = 0u; t < NT; t++) { acc += params[O_OFF + t * H * D + h * D + j] * total(u + t * D + k); }
    }
  }
  work[i] = acc;
}
