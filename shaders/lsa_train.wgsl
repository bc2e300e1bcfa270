// One training step of linear self-attention, fused: sample a prompt, run the
// forward pass for the query row only and backpropagate. One thread per
// prompt; each writes CONTRIB = (k + 1)·D + d + 1 numbers from which
// lsa_reduce.wgsl assembles the batch gradient in a fixed order:
//   [Σ_t g_t M p_t (D), g_t · M q for each output t (k·D), x_q (d), loss],
// entry-major (entry e of prompt b at e·BATCH_PAD + b).
// (No workgroup memory or barrier: on CPU-emulated GPUs a barrier costs as
// much as the rest of the kernel.)
//
// Model (DESIGN.md §3), k outputs: ŷ_t = [W_PV · M · W_KQ · z_q]_{d+t},
// M = (1/n) Σ_i z_i z_iᵀ. With p_t = row d + t of W_PV and q = W_KQ z_q,
// ŷ_t = (1/n) Σ_i (p_tᵀz_i)(z_iᵀq), so the step costs O(n·k·D) per prompt.
// For ℓ = (1/k) Σ_t r_t², r_t = ŷ_t − y_q,t, and g_t = 2r_t/k:
//   ∂ℓ/∂p_t = g_t · M q,    ∂ℓ/∂W_KQ = Σ_t g_t (M p_t) z_qᵀ   (z_q's label
// entries are 0, so W_KQ's last k columns and W_PV's first d rows get no gradient).
//
// Parameter layout: W_KQ (D×D row-major) at 0, W_PV (D×D row-major) at D·D.
// Needs from the prelude: DIM, NT, D (= DIM + NT), N_CTX, WG, BATCH, BATCH_PAD, CONTRIB.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;

const PV_OUT: u32 = D * D + DIM * D;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x + stepi.prompt_base;
  let step = run.base_step + stepi.local;

  if (prompt >= BATCH) { return; }
  var s: array<f32, NT * D>;
  var v: array<f32, D>;
  var xq: array<f32, DIM>;
  var g: array<f32, NT>;
  var loss = 0.0;
  {
    let key = train_key(step, prompt);
    let w = task_w(key);
    let qp = task_point(key, QUERY_REC);
    xq = qp.x;
    let yq = labels(w, xq, qp.noise, QUERY_NOISE);

    var p: array<f32, NT * D>;
    var q: array<f32, D>;
    // @unroll
    for (var j = 0u; j < D; j++) {
      // @unroll
      for (var t = 0u; t < NT; t++) { p[t * D + j] = params[PV_OUT + t * D + j]; }
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < DIM; k++) { acc += params[j * D + k] * xq[k]; }
      q[j] = acc;
    }

    var z: array<f32, D>;
    var yhat: array<f32, NT>;
    for (var i = 0u; i < N_CTX; i++) {
      let pt = task_point(key, CTX_REC + i);
      let y = labels(w, pt.x, pt.noise, true);
      // @unroll
      for (var k = 0u; k < DIM; k++) { z[k] = pt.x[k]; }
      // @unroll
      for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
      var b = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { b += q[k] * z[k]; }
      // @unroll
      for (var k = 0u; k < D; k++) { v[k] += z[k] * b; }
      // @unroll
      for (var t = 0u; t < NT; t++) {
        var a = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { a += p[t * D + k] * z[k]; }
        yhat[t] += a * b;
        // @unroll
        for (var k = 0u; k < D; k++) { s[t * D + k] += z[k] * a; }
      }
    }
    let inv_n = 1.0 / f32(N_CTX);
    // @unroll
    for (var t = 0u; t < NT; t++) {
      let r = yhat[t] * inv_n - yq[t];
      loss += r * r;
      g[t] = 2.0 * r * inv_n / f32(NT);
    }
    loss /= f32(NT);
  }
  {
    // @unroll
    for (var j = 0u; j < D; j++) {
      var acc = 0.0;
      // @unroll
      for (var t = 0u; t < NT; t++) {
        acc += g[t] * s[t * D + j];
        contrib[(D + t * D + j) * BATCH_PAD + prompt] = g[t] * v[j];
      }
      contrib[j * BATCH_PAD + prompt] = acc;
    }
    let xo = (NT + 1u) * D;
    // @unroll
    for (var k = 0u; k < DIM; k++) { contrib[(xo + k) * BATCH_PAD + prompt] = xq[k]; }
    contrib[(xo + DIM) * BATCH_PAD + prompt] = loss;
  }
}
