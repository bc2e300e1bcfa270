// Evaluation on fresh prompts: one thread per prompt writes the target y_q,
// the model's prediction, the Bayes-optimal ridge prediction x_qᵀ ŵ with
// ŵ = (XᵀX + σ²Ω⁻¹)⁻¹ Xᵀy (Cholesky in the thread), and each one-step
// predictor's prediction x_qᵀ Γ_g u (u = (1/n) Σ_i y_i x_i; Γ_g = η·I gives
// plain one-step GD), all on the same prompt.
// The context length is a uniform, so one pipeline serves every n_test.
// Needs from the prelude: DIM, D, NUM_GAMMAS, and model_predict() from the
// model's eval file.

struct EvalParams {
  seed: u32,
  step_word: u32,
  n_ctx: u32,
  count: u32,
}

@group(0) @binding(0) var<uniform> ev: EvalParams;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read> gammas: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
// σ²Ω⁻¹ (d×d): the ridge penalty that makes ŵ the posterior mean.
@group(0) @binding(6) var<storage, read> ridge_reg: array<f32>;

const OUT_STRIDE: u32 = 3u + NUM_GAMMAS;

// x_qᵀ (A)⁻¹ b for symmetric positive definite A (lower triangle used), in place.
fn solve_spd(a: ptr<function, array<f32, DIM * DIM>>, b: ptr<function, array<f32, DIM>>) {
  // @unroll
  for (var j = 0u; j < DIM; j++) {
    var s = (*a)[j * DIM + j];
    for (var k = 0u; k < j; k++) { s -= (*a)[j * DIM + k] * (*a)[j * DIM + k]; }
    let ljj = sqrt(max(s, 1e-30));
    (*a)[j * DIM + j] = ljj;
    for (var i = j + 1u; i < DIM; i++) {
      var t = (*a)[i * DIM + j];
      for (var k = 0u; k < j; k++) { t -= (*a)[i * DIM + k] * (*a)[j * DIM + k]; }
      (*a)[i * DIM + j] = t / ljj;
    }
  }
  // @unroll
  for (var i = 0u; i < DIM; i++) {
    var t = (*b)[i];
    for (var k = 0u; k < i; k++) { t -= (*a)[i * DIM + k] * (*b)[k]; }
    (*b)[i] = t / (*a)[i * DIM + i];
  }
  // @unroll
  for (var ii = 0u; ii < DIM; ii++) {
    let i = DIM - 1u - ii;
    var t = (*b)[i];
    for (var k = i + 1u; k < DIM; k++) { t -= (*a)[k * DIM + i] * (*b)[k]; }
    (*b)[i] = t / (*a)[i * DIM + i];
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x;
  if (prompt >= ev.count) { return; }
  let key = prompt_key(ev.seed, ev.step_word, prompt);
  let w = task_w(key);
  let qp = task_point(key, 1u);
  let xq = qp.x;
  let yq = label(w, xq, select(0.0, qp.noise, QUERY_NOISE));

  var m = model_begin(xq);
  var u: array<f32, DIM>;
  var xtx: array<f32, DIM * DIM>;
  for (var k = 0u; k < DIM * DIM; k++) { xtx[k] = ridge_reg[k]; }
  for (var i = 0u; i < ev.n_ctx; i++) {
    let pt = task_point(key, 2u + i);
    let x = pt.x;
    let y = label(w, x, pt.noise);
    model_accumulate(&m, x, y);
    // @unroll
    for (var k = 0u; k < DIM; k++) {
      u[k] += y * x[k];
      for (var j = 0u; j <= k; j++) { xtx[k * DIM + j] += x[k] * x[j]; }
    }
  }
  var wr = u;
  solve_spd(&xtx, &wr);
  var ridge = 0.0;
  // @unroll
  for (var k = 0u; k < DIM; k++) { ridge += xq[k] * wr[k]; }
  let inv_n = 1.0 / f32(ev.n_ctx);
  let base = prompt * OUT_STRIDE;
  out[base] = yq;
  out[base + 1u] = model_finish(&m, ev.n_ctx);
  out[base + 2u] = ridge;
  for (var g = 0u; g < NUM_GAMMAS; g++) {
    var pred = 0.0;
    // @unroll
    for (var i = 0u; i < DIM; i++) {
      var gu = 0.0;
      // @unroll
      for (var j = 0u; j < DIM; j++) { gu += gammas[g * DIM * DIM + i * DIM + j] * u[j]; }
      pred += xq[i] * gu;
    }
    out[base + 3u + g] = pred * inv_n;
  }
}
