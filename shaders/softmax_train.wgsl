// One training step of multi-head softmax attention, fused: sample a prompt,
// run every head's query-row forward pass in one streaming pass over the
// context, and backpropagate. One thread per prompt.
//
// Per head (DESIGN.md §3), with q = Q z_q and k̃ = Kᵀ q / √D (from per-step constants),
// logit_i = z_i·k̃ and, per output t, s_it = z_i·ov_t with ov_t = Vᵀ O_t^hᵀ, so
// ŷ_t = Σ_h Σ_i a_i s_it: O(n·(k + 1)·D + D²) per head. The softmax is online
// (running max, rescaled sums), so no term exceeds e^RESCALE_MARGIN and nothing
// is stored per token.
// Backward, for ℓ = (1/k) Σ_t r_t² with g_t = 2r_t/k, c = Σ a_i z_i and
// e = Σ_t g_t Σ_i a_i (s_it − ŷ_{h,t}) z_i:
//   ∂ℓ/∂O_t^h = g_t V c,  ∂ℓ/∂V = Σ_t g_t O_t^hᵀ cᵀ,  ∂ℓ/∂K = q eᵀ/√D,  ∂ℓ/∂Q = (K e) z_qᵀ/√D.
// The batch sums need only g_t·c, e and z_q per prompt (softmax_sums.wgsl),
// so each thread writes [g_t·c^h for each output, e^h, for each head; z_q; loss],
// entry-major (entry e of prompt b at e·BATCH_PAD + b).
// Needs from the prelude: DIM, NT, D, H, N_CTX, WG, BATCH, BATCH_PAD, NP, SUM_CHUNKS.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;
@group(0) @binding(7) var<storage, read> work: array<f32>;

// After the batch sums' partials (softmax_sums.wgsl).
const PREP: u32 = NP + 1u + SUM_CHUNKS * (H * (NT * D + D * DIM) + 1u);
const PREP_HEAD: u32 = D * DIM + NT * D;
const ROW_HEAD: u32 = (NT + 1u) * D;
// The running sums are rescaled only when a logit exceeds the current shift by
// this much, so the (divergent) rescale branch is rare; terms stay ≤ e^16.
const RESCALE_MARGIN: f32 = 16.0;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x;
  if (prompt >= BATCH) { return; }
  let step = run.base_step + stepi.local;
  let key = prompt_key(run.data_seed, step, prompt);
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

  var mx: array<f32, H>;
  var l: array<f32, H>;
  var ssum: array<f32, H * NT>;
  var c: array<f32, H * D>;
  var e: array<f32, H * NT * D>;
  // @unroll
  for (var h = 0u; h < H; h++) { mx[h] = -3.0e38; }
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
      if (logit > mx[h] + RESCALE_MARGIN) {
        let f = exp(mx[h] - logit);
        l[h] *= f;
        // @unroll
        for (var t = 0u; t < NT; t++) { ssum[h * NT + t] *= f; }
        // @unroll
        for (var k = 0u; k < D; k++) { c[h * D + k] *= f; }
        // @unroll
        for (var k = 0u; k < NT * D; k++) { e[h * NT * D + k] *= f; }
        mx[h] = logit;
      }
      let a = exp(logit - mx[h]);
      l[h] += a;
      // @unroll
      for (var k = 0u; k < D; k++) { c[h * D + k] += a * z[k]; }
      // @unroll
      for (var t = 0u; t < NT; t++) {
        var s = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { s += ov[(h * NT + t) * D + k] * z[k]; }
        ssum[h * NT + t] += a * s;
        // @unroll
        for (var k = 0u; k < D; k++) { e[(h * NT + t) * D + k] += a * s * z[k]; }
      }
    }
  }
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
