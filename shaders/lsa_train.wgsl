// One training step of linear self-attention, fused: sample a prompt, run the
// forward pass for the query row only, backpropagate, and reduce the batch
// gradient within the workgroup in a fixed order. One thread per prompt, WG
// prompts per workgroup; the workgroup writes one row of partial sums
// (gradient in parameter layout, then the loss sum) for update.wgsl to finish.
//
// Model (DESIGN.md §3): ŷ = [W_PV · M · W_KQ · z_q]_{D}, M = (1/n) Σ_i z_i z_iᵀ.
// With p = last row of W_PV and q = W_KQ z_q, ŷ = (1/n) Σ_i (pᵀz_i)(z_iᵀq), so
// the step costs O(n·D) per prompt. For ℓ = (ŷ − y_q)² and r = ŷ − y_q:
//   ∂ℓ/∂p = 2r · M q,    ∂ℓ/∂W_KQ = 2r · (M p) z_qᵀ   (z_q's last entry is 0,
// so W_KQ's last column and W_PV's first d rows get no gradient).
//
// Parameter layout: W_KQ (D×D row-major) at 0, W_PV (D×D row-major) at D·D.
// Needs from the prelude: DIM, D, N_CTX, WG, BATCH, NP (= 2·D·D).

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;

var<workgroup> sh_gs: array<f32, WG * D>;
var<workgroup> sh_zq: array<f32, WG * D>;
var<workgroup> sh_gv: array<f32, WG * D>;
var<workgroup> sh_loss: array<f32, WG>;

const PV_LAST: u32 = D * D + (D - 1u) * D;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let t = lid.x;
  let prompt = wid.x * WG + t;
  let step = run.base_step + stepi.local;

  var s: array<f32, D>;
  var v: array<f32, D>;
  var xq: array<f32, DIM>;
  var g = 0.0;
  var loss = 0.0;
  if (prompt < BATCH) {
    var rng = rng_new(run.data_seed, step, prompt);
    var w: array<f32, DIM>;
    sample_w(&rng, &w);
    sample_x(&rng, &xq);
    let qn = rng_normal(&rng);
    let yq = label(&w, &xq, select(0.0, qn, QUERY_NOISE));

    var p: array<f32, D>;
    var q: array<f32, D>;
    for (var j = 0u; j < D; j++) {
      p[j] = params[PV_LAST + j];
      var acc = 0.0;
      for (var k = 0u; k < DIM; k++) { acc += params[j * D + k] * xq[k]; }
      q[j] = acc;
    }

    var x: array<f32, DIM>;
    var yhat = 0.0;
    for (var i = 0u; i < N_CTX; i++) {
      sample_x(&rng, &x);
      let y = label(&w, &x, rng_normal(&rng));
      var a = p[DIM] * y;
      var b = q[DIM] * y;
      for (var k = 0u; k < DIM; k++) { a += p[k] * x[k]; b += q[k] * x[k]; }
      yhat += a * b;
      for (var k = 0u; k < DIM; k++) { v[k] += x[k] * b; s[k] += x[k] * a; }
      v[DIM] += y * b;
      s[DIM] += y * a;
    }
    let inv_n = 1.0 / f32(N_CTX);
    let r = yhat * inv_n - yq;
    loss = r * r;
    g = 2.0 * r * inv_n;
  }
  for (var j = 0u; j < D; j++) {
    sh_gs[t * D + j] = g * s[j];
    sh_gv[t * D + j] = g * v[j];
  }
  for (var k = 0u; k < DIM; k++) { sh_zq[t * D + k] = xq[k]; }
  sh_zq[t * D + DIM] = 0.0;
  sh_loss[t] = loss;
  workgroupBarrier();

  let row = wid.x * (NP + 1u);
  for (var e = t; e < NP + 1u; e += WG) {
    var acc = 0.0;
    if (e < D * D) {
      let j = e / D;
      let k = e % D;
      for (var u = 0u; u < WG; u++) { acc += sh_gs[u * D + j] * sh_zq[u * D + k]; }
    } else if (e >= PV_LAST && e < NP) {
      let c = e - PV_LAST;
      for (var u = 0u; u < WG; u++) { acc += sh_gv[u * D + c]; }
    } else if (e == NP) {
      for (var u = 0u; u < WG; u++) { acc += sh_loss[u]; }
    }
    partials[row + e] = acc;
  }
}
