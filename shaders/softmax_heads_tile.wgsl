// The context tile of the softmax kernels that split a prompt's heads across
// the threads of a workgroup (softmax_train_heads.wgsl, eval_model_heads.wgsl):
// TILE tokens of each of the workgroup's PPW prompts at a time, which every
// head of the prompt then reads.
// Needs from the prelude: DIM, NT, D, H, PPW, TILE; task.wgsl.

var<workgroup> tile: array<f32, PPW * TILE * D>;

// Tokens t0 … t0 + count − 1 of prompt `slot`'s context into its tile, token j
// sampled by the prompt's thread j mod H (its head h). Every thread of the
// workgroup calls it together, from uniform control flow: it holds barriers.
fn fill_tile(slot: u32, h: u32, key: vec3u, w: array<f32, NT * DIM>, t0: u32, count: u32) {
  // The tile's last readers are done before it is overwritten.
  workgroupBarrier();
  let base = slot * TILE * D;
  for (var j = h; j < count; j += H) {
    let pt = task_point(key, CTX_REC + t0 + j);
    let y = labels(w, pt.x, pt.noise, true);
    // @unroll
    for (var k = 0u; k < DIM; k++) { tile[base + j * D + k] = pt.x[k]; }
    // @unroll
    for (var t = 0u; t < NT; t++) { tile[base + j * D + DIM + t] = y[t]; }
  }
  workgroupBarrier();
}
