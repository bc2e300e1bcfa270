// Batch gradient of linear attention with heads or layers: each prompt's row
// (la_train.wgsl) holds its whole gradient, so entry i is the sum of row i
// over prompts, in index order (bitwise reproducible); entry NP is the loss sum.
// The rows are entry-major, read as vec4s of four prompts; padding prompts hold 0.

const Q4: u32 = BATCH_PAD / 4u;

fn grad_sum(i: u32) -> f32 {
  var acc = 0.0;
  for (var q = 0u; q < Q4; q++) { acc += dot(contrib[i * Q4 + q], vec4f(1.0)); }
  return acc;
}
