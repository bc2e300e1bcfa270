// Batch gradient of linear self-attention from the per-prompt rows written by
// lsa_train.wgsl, summed over prompts in index order (bitwise reproducible):
//   ∂L/∂W_KQ[j,k] = Σ_b (Σ_t g_t M p_t)_j (x_q)_k   (k < d; label columns get 0),
//   ∂L/∂W_PV[d+t, c] = Σ_b (g_t · M q)_c.
// Returns the sum (the caller divides by the batch size); entry NP is the loss sum.

const XQ: u32 = (NT + 1u) * D;

fn grad_sum(i: u32) -> f32 {
  var acc = 0.0;
  if (i < D * D) {
    let j = i / D;
    let k = i % D;
    if (k < DIM) {
      for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + j] * contrib[b * CONTRIB + XQ + k]; }
    }
  } else if (i >= D * D + DIM * D && i < NP) {
    let c = i - (D * D + DIM * D);
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + D + c]; }
  } else if (i == NP) {
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + XQ + DIM]; }
  }
  return acc;
}
