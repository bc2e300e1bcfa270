// The model's column of the evaluation rows for softmax attention with each
// prompt's heads split across the threads of a workgroup, as in training
// (softmax_train_heads.wgsl): thread h of a prompt runs head h of
// softmax_predict.wgsl's streaming accumulator over the context, which the
// prompt's threads sample into workgroup memory a tile at a time; ŷ adds the
// heads in order through workgroup memory. The same terms in the same order as
// eval_model.wgsl with softmax_predict.wgsl, so the same rows.
// PPW prompts of H threads a workgroup; every thread reaches every barrier.
// Needs from the prelude: DIM, NT, D, H, PPW, HWG, TILE; eval_common.wgsl,
// softmax_predict.wgsl (head_maps) and softmax_heads_tile.wgsl before it.

var<workgroup> head_y: array<f32, HWG * NT>;

@compute @workgroup_size(HWG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let slot = li / H;
  let h = li % H;
  let row = wid.x * PPW + slot;
  let key = prompt_key(ev.seed, ev.step_word, ev.first + row);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  let xq = qp.x;

  let maps = head_maps(h, xq);
  let kt = maps.kt;
  let ov = maps.ov;

  // model_accumulate for head h, token by token from the tiles.
  var mx = -3.0e38;
  var l = 0.0;
  var s: array<f32, NT>;
  let base = slot * TILE * D;
  var z: array<f32, D>;
  // A uniform, so the tile loop and its barriers are uniform.
  let n_ctx = ev.n_ctx;
  for (var t0 = 0u; t0 < n_ctx; t0 += TILE) {
    let count = min(TILE, n_ctx - t0);
    fill_tile(slot, h, key, w, t0, count);
    for (var j = 0u; j < count; j++) {
      // @unroll
      for (var k = 0u; k < D; k++) { z[k] = tile[base + j * D + k]; }
      var logit = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { logit += kt[k] * z[k]; }
      if (logit > mx + RESCALE_MARGIN) {
        let f = exp(mx - logit);
        l *= f;
        // @unroll
        for (var t = 0u; t < NT; t++) { s[t] *= f; }
        mx = logit;
      }
      let a = exp(logit - mx);
      l += a;
      // @unroll
      for (var t = 0u; t < NT; t++) {
        var sv = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { sv += ov[t * D + k] * z[k]; }
        s[t] += a * sv;
      }
    }
  }

  // model_finish: the heads added in order.
  // @unroll
  for (var t = 0u; t < NT; t++) { head_y[li * NT + t] = s[t] / l; }
  workgroupBarrier();
  if (h != 0u || row >= ev.count) { return; }
  var y: array<f32, NT>;
  for (var hh = 0u; hh < H; hh++) {
    // @unroll
    for (var t = 0u; t < NT; t++) { y[t] += head_y[(slot * H + hh) * NT + t]; }
  }
  for (var t = 0u; t < NT; t++) { out[(row * NT + t) * OUT_STRIDE + 1u] = y[t]; }
}
