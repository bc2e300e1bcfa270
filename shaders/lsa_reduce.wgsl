// Batch gradient of linear self-attention from the per-prompt rows written by
// lsa_train.wgsl, summed over prompts in index order (bitwise reproducible):
//   ∂L/∂W_KQ[j,k] = Σ_b (2r/n · M p)_j (z_q)_k,   ∂L/∂(W_PV last row)_c = Σ_b (2r/n · M q)_c.
// Returns the sum (the caller divides by the batch size); entry NP is the loss sum.

fn grad_sum(i: u32) -> f32 {
  var acc = 0.0;
  if (i < D * D) {
    let j = i / D;
    let k = i % D;
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + j] * contrib[b * CONTRIB + 2u * D + k]; }
  } else if (i >= D * D + (D - 1u) * D && i < NP) {
    let c = i - (D * D + (D - 1u) * D);
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + D + c]; }
  } else if (i == NP) {
    for (var b = 0u; b < BATCH; b++) { acc += contrib[b * CONTRIB + 3u * D]; }
  }
  return acc;
}
