// One training step of linear self-attention, fused: sample a prompt, run the
// forward pass for the query row only and backpropagate. One thread per
// prompt; each writes a compact row of CONTRIB = 3·D + 1 numbers from which
// lsa_reduce.wgsl assembles the batch gradient in a fixed order:
//   [2r/n · M p (D), 2r/n · M q (D), z_q (D), loss].
// (No workgroup memory or barrier: on CPU-emulated GPUs a barrier costs as
// much as the rest of the kernel.)
//
// Model (DESIGN.md §3): ŷ = [W_PV · M · W_KQ · z_q]_{D}, M = (1/n) Σ_i z_i z_iᵀ.
// With p = last row of W_PV and q = W_KQ z_q, ŷ = (1/n) Σ_i (pᵀz_i)(z_iᵀq), so
// the step costs O(n·D) per prompt. For ℓ = (ŷ − y_q)² and r = ŷ − y_q:
//   ∂ℓ/∂p = 2r · M q,    ∂ℓ/∂W_KQ = 2r · (M p) z_qᵀ   (z_q's last entry is 0,
// so W_KQ's last column and W_PV's first d rows get no gradient).
//
// Parameter layout: W_KQ (D×D row-major) at 0, W_PV (D×D row-major) at D·D.
// Needs from the prelude: DIM, D, N_CTX, WG, BATCH, CONTRIB.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;

const PV_LAST: u32 = D * D + (D - 1u) * D;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x;
  let step = run.base_step + stepi.local;

  if (prompt >= BATCH) { return; }
  var s: array<f32, D>;
  var v: array<f32, D>;
  var xq: array<f32, DIM>;
  var g = 0.0;
  var loss = 0.0;
  {
    let key = prompt_key(run.data_seed, step, prompt);
    let w = task_w(key);
    let qp = task_point(key, 1u);
    xq = qp.x;
    let yq = label(w, xq, select(0.0, qp.noise, QUERY_NOISE));

    var p: array<f32, D>;
    var q: array<f32, D>;
    // @unroll
    for (var j = 0u; j < D; j++) {
      p[j] = params[PV_LAST + j];
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < DIM; k++) { acc += params[j * D + k] * xq[k]; }
      q[j] = acc;
    }

    var x: array<f32, DIM>;
    var yhat = 0.0;
    for (var i = 0u; i < N_CTX; i++) {
      let pt = task_point(key, 2u + i);
      let x = pt.x;
      let y = label(w, x, pt.noise);
      var a = p[DIM] * y;
      var b = q[DIM] * y;
      // @unroll
      for (var k = 0u; k < DIM; k++) { a += p[k] * x[k]; b += q[k] * x[k]; }
      yhat += a * b;
      // @unroll
      for (var k = 0u; k < DIM; k++) { v[k] += x[k] * b; s[k] += x[k] * a; }
      v[DIM] += y * b;
      s[DIM] += y * a;
    }
    let inv_n = 1.0 / f32(N_CTX);
    let r = yhat * inv_n - yq;
    loss = r * r;
    g = 2.0 * r * inv_n;
  }
  {
    let row = prompt * CONTRIB;
    // @unroll
    for (var j = 0u; j < D; j++) {
      contrib[row + j] = g * s[j];
      contrib[row + D + j] = g * v[j];
    }
    // @unroll
    for (var k = 0u; k < DIM; k++) { contrib[row + 2u * D + k] = xq[k]; }
    contrib[row + 3u * D - 1u] = 0.0;
    contrib[row + 3u * D] = loss;
  }
}
