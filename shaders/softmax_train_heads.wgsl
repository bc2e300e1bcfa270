// One training step of multi-head softmax attention with each prompt's heads
// split across the threads of a workgroup: thread h of a prompt holds head h's
// sums only (about (2k + 3)·D numbers instead of H times that), where the fused
// kernel (softmax_train.wgsl, whose header has the math) would have one thread
// hold every head's. The threads of a prompt sample its context a tile of
// TILE tokens at a time into workgroup memory, token j by thread j mod H, and
// every head reads the tile; ŷ adds the heads' outputs through workgroup
// memory in head order. The per-prompt rows it writes, and each head's sums,
// are the fused kernel's: the same terms added in the same order.
//
// PPW prompts a workgroup of HWG = PPW·H threads (prompt slot = index / H,
// head = index mod H). Every thread reaches every barrier: threads of prompts
// past the batch compute and do not write.
// Needs from the prelude: DIM, NT, D, H, N_CTX, BATCH, BATCH_PAD, NP,
// SUM_CHUNKS, PPW, HWG, TILE; softmax_train_common.wgsl and
// softmax_heads_tile.wgsl before it.

var<workgroup> head_y: array<f32, HWG * NT>;
var<workgroup> strays: array<u32, HWG>;
var<workgroup> any_stray: u32;

// One head's context sums, as the fused kernel's Sums holds them for every head.
struct HeadSums {
  l: f32,
  ssum: array<f32, NT>,
  c: array<f32, D>,
  e: array<f32, NT * D>,
  mx: f32,
}

// Head h's sums over prompt `slot`'s context with logits shifted by `shift`.
// Every thread of the workgroup calls it together (it samples and barriers).
fn accumulate(slot: u32, h: u32, key: vec3u, w: array<f32, NT * DIM>, kt: array<f32, D>, ov: array<f32, NT * D>, shift: f32) -> HeadSums {
  var r: HeadSums;
  r.mx = -3.0e38;
  let base = slot * TILE * D;
  var z: array<f32, D>;
  for (var t0 = 0u; t0 < N_CTX; t0 += TILE) {
    let count = min(TILE, N_CTX - t0);
    fill_tile(slot, h, key, w, t0, count);
    for (var j = 0u; j < count; j++) {
      // @unroll
      for (var k = 0u; k < D; k++) { z[k] = tile[base + j * D + k]; }
      var logit = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { logit += kt[k] * z[k]; }
      r.mx = max(r.mx, logit);
      let a = exp(min(logit - shift, 2.0 * SHIFT_LIMIT));
      r.l += a;
      // @unroll
      for (var k = 0u; k < D; k++) { r.c[k] += a * z[k]; }
      // @unroll
      for (var t = 0u; t < NT; t++) {
        var s = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { s += ov[t * D + k] * z[k]; }
        r.ssum[t] += a * s;
        // @unroll
        for (var k = 0u; k < D; k++) { r.e[t * D + k] += a * s * z[k]; }
      }
    }
  }
  return r;
}

@compute @workgroup_size(HWG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let slot = li / H;
  let h = li % H;
  let prompt = stepi.prompt_base + wid.x * PPW + slot;
  let valid = prompt < BATCH;
  let step = run.base_step + stepi.local;
  let key = train_key(step, prompt);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  let xq = qp.x;
  let yq = labels(w, xq, qp.noise, QUERY_NOISE);

  // k̃ = M^h x_q and ov^{h,t} from the per-step constants of softmax_prep.wgsl.
  var kt: array<f32, D>;
  var ov: array<f32, NT * D>;
  let pbase = PREP + h * PREP_HEAD;
  // @unroll
  for (var j = 0u; j < D; j++) {
    var acc = 0.0;
    // @unroll
    for (var k = 0u; k < DIM; k++) { acc += work[pbase + j * DIM + k] * xq[k]; }
    kt[j] = acc;
    // @unroll
    for (var t = 0u; t < NT; t++) { ov[t * D + j] = work[pbase + D * DIM + t * D + j]; }
  }

  // Pass 1 with the shift 0; a prompt with any head's max logit beyond
  // ±SHIFT_LIMIT is redone with every head's own max, as in the fused kernel.
  // The second pass runs for the whole workgroup if any of its prompts needs
  // it (its barriers need every thread), and only those prompts keep it.
  let first = accumulate(slot, h, key, w, kt, ov, 0.0);
  var acc = first;
  strays[li] = select(0u, 1u, abs(first.mx) > SHIFT_LIMIT);
  workgroupBarrier();
  var redo = false;
  for (var hh = 0u; hh < H; hh++) { redo = redo || strays[slot * H + hh] != 0u; }
  if (li == 0u) {
    var some = 0u;
    for (var i = 0u; i < HWG; i++) { some |= strays[i]; }
    any_stray = some;
  }
  if (workgroupUniformLoad(&any_stray) != 0u) {
    let second = accumulate(slot, h, key, w, kt, ov, first.mx);
    if (redo) { acc = second; }
  }

  // ŷ_t = Σ_h ssum_t^h / l^h, the heads added in order as the fused kernel does.
  // @unroll
  for (var t = 0u; t < NT; t++) { head_y[li * NT + t] = acc.ssum[t] / acc.l; }
  workgroupBarrier();
  var yhat: array<f32, NT>;
  for (var hh = 0u; hh < H; hh++) {
    // @unroll
    for (var t = 0u; t < NT; t++) { yhat[t] += head_y[(slot * H + hh) * NT + t]; }
  }
  var g: array<f32, NT>;
  var loss = 0.0;
  // @unroll
  for (var t = 0u; t < NT; t++) {
    let r = yhat[t] - yq[t];
    loss += r * r;
    g[t] = 2.0 * r / f32(NT);
  }
  if (!valid) { return; }

  let inv_l = 1.0 / acc.l;
  let ro = h * ROW_HEAD;
  // @unroll
  for (var k = 0u; k < D; k++) {
    let ck = acc.c[k] * inv_l;
    var ek = 0.0;
    // @unroll
    for (var t = 0u; t < NT; t++) {
      contrib[(ro + t * D + k) * BATCH_PAD + prompt] = g[t] * ck;
      ek += g[t] * (acc.e[t * D + k] * inv_l - acc.ssum[t] * inv_l * ck);
    }
    contrib[(ro + NT * D + k) * BATCH_PAD + prompt] = ek;
  }
  if (h == 0u) {
    let zq_off = H * ROW_HEAD;
    // @unroll
    for (var k = 0u; k < DIM; k++) { contrib[(zq_off + k) * BATCH_PAD + prompt] = xq[k]; }
    contrib[(zq_off + D) * BATCH_PAD + prompt] = loss / f32(NT);
  }
}
