// One training step of multi-head softmax attention, fused: sample a prompt,
// run every head's query-row forward pass in one streaming pass over the
// context, and backpropagate. One thread per prompt.
//
// Per head (DESIGN.md §3), with q = Q z_q and k̃ = Kᵀ q / √D (from per-step constants),
// logit_i = z_i·k̃ and, per output t, s_it = z_i·ov_t with ov_t = Vᵀ O_t^hᵀ, so
// ŷ_t = Σ_h Σ_i a_i s_it: O(n·(k + 1)·D + D²) per head. The softmax sums are
// taken in one streaming pass with a fixed shift (see accumulate), so nothing
// is stored per token.
// Backward, for ℓ = (1/k) Σ_t r_t² with g_t = 2r_t/k, c = Σ a_i z_i and
// e = Σ_t g_t Σ_i a_i (s_it − ŷ_{h,t}) z_i:
//   ∂ℓ/∂O_t^h = g_t V c,  ∂ℓ/∂V = Σ_t g_t O_t^hᵀ cᵀ,  ∂ℓ/∂K = q eᵀ/√D,  ∂ℓ/∂Q = (K e) z_qᵀ/√D.
// The batch sums need only g_t·c, e and z_q per prompt (softmax_sums.wgsl),
// so each thread writes [g_t·c^h for each output, e^h, for each head; z_q; loss],
// entry-major (entry e of prompt b at e·BATCH_PAD + b).
// Needs from the prelude: DIM, NT, D, H, N_CTX, WG, BATCH, BATCH_PAD, NP, SUM_CHUNKS;
// softmax_train_common.wgsl before it.

// The context's softmax sums for every head, with logits shifted by `shift`:
// l = Σ_i a_i, ssum_t = Σ_i a_i s_it, c = Σ_i a_i z_i, e_t = Σ_i a_i s_it z_i with
// a_i = e^{logit_i − shift}, and mx = max_i logit_i. Branch-free, so the sums
// stay in registers: the shift is fixed for the pass rather than moved online
// (a moving shift's rescale branch costs a quarter of the step on a CPU
// adapter). The results are used only where every head's max logit lies within
// SHIFT_LIMIT of its shift, so no term exceeds e^SHIFT_LIMIT and the largest is
// at least e^−SHIFT_LIMIT; the clamp keeps a pass that will be redone finite.
struct Sums {
  l: array<f32, H>,
  ssum: array<f32, H * NT>,
  c: array<f32, H * D>,
  e: array<f32, H * NT * D>,
  mx: array<f32, H>,
}

fn accumulate(key: vec3u, w: array<f32, NT * DIM>, kt: array<f32, H * D>, ov: array<f32, H * NT * D>, shift: array<f32, H>) -> Sums {
  var r: Sums;
  // @unroll
  for (var h = 0u; h < H; h++) { r.mx[h] = -3.0e38; }
  var z: array<f32, D>;
  for (var i = 0u; i < N_CTX; i++) {
    let pt = task_point(key, CTX_REC + i);
    let y = labels(w, pt.x, pt.noise, true);
    // @unroll
    for (var k = 0u; k < DIM; k++) { z[k] = pt.x[k]; }
    // @unroll
    for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
    // @unroll
    for (var h = 0u; h < H; h++) {
      var logit = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { logit += kt[h * D + k] * z[k]; }
      r.mx[h] = max(r.mx[h], logit);
      let a = exp(min(logit - shift[h], 2.0 * SHIFT_LIMIT));
      r.l[h] += a;
      // @unroll
      for (var k = 0u; k < D; k++) { r.c[h * D + k] += a * z[k]; }
      // @unroll
      for (var t = 0u; t < NT; t++) {
        var s = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { s += ov[(h * NT + t) * D + k] * z[k]; }
        r.ssum[h * NT + t] += a * s;
        // @unroll
        for (var k = 0u; k < D; k++) { r.e[(h * NT + t) * D + k] += a * s * z[k]; }
      }
    }
  }
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x + stepi.prompt_base;
  if (prompt >= BATCH) { return; }
  let step = run.base_step + stepi.local;
  let key = train_key(step, prompt);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  let xq = qp.x;
  let yq = labels(w, xq, qp.noise, QUERY_NOISE);

  // k̃ = M^h x_q and ov^{h,t} from the per-step constants of softmax_prep.wgsl.
  var kt: array<f32, H * D>;
  var ov: array<f32, H * NT * D>;
  // @unroll
  for (var h = 0u; h < H; h++) {
    let base = PREP + h * PREP_HEAD;
    // @unroll
    for (var j = 0u; j < D; j++) {
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < DIM; k++) { acc += work[base + j * DIM + k] * xq[k]; }
      kt[h * D + j] = acc;
      // @unroll
      for (var t = 0u; t < NT; t++) { ov[(h * NT + t) * D + j] = work[base + D * DIM + t * D + j]; }
    }
  }

  // Pass 1 with the shift 0 holds for every prompt whose logits stay within
  // ±SHIFT_LIMIT of 0; the few that stray are redone with their own max.
  let first = accumulate(key, w, kt, ov, array<f32, H>());
  var acc = first;
  var redo = false;
  // @unroll
  for (var h = 0u; h < H; h++) { redo = redo || abs(first.mx[h]) > SHIFT_LIMIT; }
  if (redo) { acc = accumulate(key, w, kt, ov, first.mx); }
  let l = acc.l;
  let ssum = acc.ssum;
  let c = acc.c;
  let e = acc.e;
  var yhat: array<f32, NT>;
  // @unroll
  for (var h = 0u; h < H; h++) {
    // @unroll
    for (var t = 0u; t < NT; t++) { yhat[t] += ssum[h * NT + t] / l[h]; }
  }
  var g: array<f32, NT>;
  var loss = 0.0;
  // @unroll
  for (var t = 0u; t < NT; t++) {
    let r = yhat[t] - yq[t];
    loss += r * r;
    g[t] = 2.0 * r / f32(NT);
  }

  // @unroll
  for (var h = 0u; h < H; h++) {
    let inv_l = 1.0 / l[h];
    let ro = h * ROW_HEAD;
    // @unroll
    for (var k = 0u; k < D; k++) {
      let ck = c[h * D + k] * inv_l;
      var ek = 0.0;
      // @unroll
      for (var t = 0u; t < NT; t++) {
        contrib[(ro + t * D + k) * BATCH_PAD + prompt] = g[t] * ck;
        ek += g[t] * (e[(h * NT + t) * D + k] * inv_l - ssum[h * NT + t] * inv_l * ck);
      }
      contrib[(ro + NT * D + k) * BATCH_PAD + prompt] = ek;
    }
  }
  let zq_off = H * ROW_HEAD;
  // @unroll
  for (var k = 0u; k < DIM; k++) { contrib[(zq_off + k) * BATCH_PAD + prompt] = xq[k]; }
  contrib[(zq_off + D) * BATCH_PAD + prompt] = loss / f32(NT);
}
