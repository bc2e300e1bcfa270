// One training step of multi-head softmax attention, fused: sample a prompt,
// run every head's query-row forward pass in one streaming pass over the
// context, and backpropagate. One thread per prompt.
//
// Per head (DESIGN.md §3), with q = Q z_q and k̃ = Kᵀ q / √D (from per-step constants),
// logit_i = z_i·k̃ and s_i = z_i·ov with ov = Vᵀ O^hᵀ, so ŷ_h = Σ_i a_i s_i:
// O(n·D + D²) per head. The softmax is online (running max, rescaled sums),
// so no term exceeds e^RESCALE_MARGIN and nothing is stored per token.
// Backward, with g = 2(ŷ − y_q), c = Σ a_i z_i and e = Σ a_i (s_i − ŷ_h) z_i:
//   ∂ℓ/∂O^h = g V c,  ∂ℓ/∂V = g O^hᵀ cᵀ,  ∂ℓ/∂K = g q eᵀ/√D,  ∂ℓ/∂Q = g (K e) z_qᵀ/√D.
// The batch sums need only g·c, g·e and z_q per prompt (softmax_sums.wgsl),
// so each thread writes the row [g·c^h, g·e^h for each head; z_q; loss].
// Needs from the prelude: DIM, D, H, N_CTX, WG, BATCH, CONTRIB, NP.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;
@group(0) @binding(7) var<storage, read> work: array<f32>;

const PREP: u32 = NP + 1u + H * (D + D * D);
const PREP_HEAD: u32 = D * DIM + D;
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
  let qp = task_point(key, 1u);
  let xq = qp.x;
  let yq = label(w, xq, select(0.0, qp.noise, QUERY_NOISE));

  // k̃ = M^h x_q and ov^h from the per-step constants of softmax_prep.wgsl.
  var kt: array<f32, H * D>;
  var ov: array<f32, H * D>;
  // @unroll
  for (var h = 0u; h < H; h++) {
    let base = PREP + h * PREP_HEAD;
    // @unroll
    for (var j = 0u; j < D; j++) {
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < DIM; k++) { acc += work[base + j * DIM + k] * xq[k]; }
      kt[h * D + j] = acc;
      ov[h * D + j] = work[base + D * DIM + j];
    }
  }

  var mx: array<f32, H>;
  var l: array<f32, H>;
  var ssum: array<f32, H>;
  var c: array<f32, H * D>;
  var e: array<f32, H * D>;
  // @unroll
  for (var h = 0u; h < H; h++) { mx[h] = -3.0e38; }
  var x: array<f32, DIM>;
  var z: array<f32, D>;
  for (var i = 0u; i < N_CTX; i++) {
    let pt = task_point(key, 2u + i);
    let x = pt.x;
    let y = label(w, x, pt.noise);
    // @unroll
    for (var k = 0u; k < DIM; k++) { z[k] = x[k]; }
    z[DIM] = y;
    // @unroll
    for (var h = 0u; h < H; h++) {
      var logit = 0.0;
      var s = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) {
        logit += kt[h * D + k] * z[k];
        s += ov[h * D + k] * z[k];
      }
      if (logit > mx[h] + RESCALE_MARGIN) {
        let f = exp(mx[h] - logit);
        l[h] *= f;
        ssum[h] *= f;
        // @unroll
        for (var k = 0u; k < D; k++) { c[h * D + k] *= f; e[h * D + k] *= f; }
        mx[h] = logit;
      }
      let a = exp(logit - mx[h]);
      l[h] += a;
      ssum[h] += a * s;
      // @unroll
      for (var k = 0u; k < D; k++) {
        c[h * D + k] += a * z[k];
        e[h * D + k] += a * s * z[k];
      }
    }
  }
  var yhat = 0.0;
  // @unroll
  for (var h = 0u; h < H; h++) { yhat += ssum[h] / l[h]; }
  let r = yhat - yq;
  let g = 2.0 * r;

  let row = prompt * CONTRIB;
  // @unroll
  for (var h = 0u; h < H; h++) {
    let inv_l = 1.0 / l[h];
    let sbar = ssum[h] * inv_l;
    // @unroll
    for (var k = 0u; k < D; k++) {
      let ck = c[h * D + k] * inv_l;
      contrib[row + h * 2u * D + k] = g * ck;
      contrib[row + h * 2u * D + D + k] = g * (e[h * D + k] * inv_l - sbar * ck);
    }
  }
  let zq_off = row + 2u * H * D;
  // @unroll
  for (var k = 0u; k < DIM; k++) { contrib[zq_off + k] = xq[k]; }
  contrib[zq_off + DIM] = 0.0;
  contrib[zq_off + D] = r * r;
}
