// Batch gradient of linear self-attention from the per-prompt rows written by
// lsa_train.wgsl, summed over prompts in index order (bitwise reproducible):
//   ∂L/∂W_KQ[j,k] = Σ_b (Σ_t g_t M p_t)_j (x_q)_k   (k < d; label columns get 0),
//   ∂L/∂W_PV[d+t, c] = Σ_b (g_t · M q)_c.
// Returns the sum (the caller divides by the batch size); entry NP is the loss sum.

// The rows are entry-major, so entry e of prompts 4q … 4q + 3 is the vec4
// contrib[e·BATCH_PAD/4 + q]; padding prompts hold 0.

const XQ: u32 = (NT + 1u) * D;
const Q4: u32 = BATCH_PAD / 4u;

fn grad_sum(i: u32) -> f32 {
  var acc = 0.0;
  if (i < D * D) {
    let j = i / D;
    let k = i % D;
    if (k < DIM) {
      for (var q = 0u; q < Q4; q++) { acc += dot(contrib[j * Q4 + q], contrib[(XQ + k) * Q4 + q]); }
    }
  } else if (i >= D * D + DIM * D && i < NP) {
    let c = i - (D * D + DIM * D);
    for (var q = 0u; q < Q4; q++) { acc += dot(contrib[(D + c) * Q4 + q], vec4f(1.0)); }
  } else if (i == NP) {
    for (var q = 0u; q < Q4; q++) { acc += dot(contrib[(XQ + DIM) * Q4 + q], vec4f(1.0)); }
  }
  return acc;
}
