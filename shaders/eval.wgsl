// Evaluation on fresh prompts: one thread per prompt writes, for each output t,
// a row of the same prompt's target and predictions:
//   [y_q, model, Bayes ridge, OLS, debiased-GD direction, dMMSE, k-step GD runs…, one-step predictors…]
// - Bayes ridge: x_qᵀ ŵ_t with ŵ_t = (XᵀX + σ²Ω_t⁻¹)⁻¹ Xᵀy_t on task t's window
//   (w_t is known to be 0 outside it), by Cholesky in the thread;
// - OLS: (XᵀX)⁻¹ Xᵀy_t on all of x (only where n ≥ d; predictors.ts has the
//   minimum-norm solution for n < d);
// - debiased GD (He et al.), up to its scale: x_qᵀ (u − ȳ x̄) with u = (1/n) Σ y_i x_i;
// - k-step GD from w = 0 with step η: w ← w + η (u − S w), S = (1/n) XᵀX, for
//   each (k, η) of the output's runs;
// - one-step predictors x_qᵀ Γ_g u (Γ_g = η·I gives plain one-step GD);
// - dMMSE (DMMSE: a task pool and the identity response): the posterior mean
//   Σ_m p_m w_mᵀx_q over the pool, log p_m = −Σ_t ‖y_t − X w_{m,t}‖²/(2σ²).
//   Each residual is taken about the output's ridge solution c_t, exactly:
//   ‖y − Xw‖² = ‖y − Xc‖² − 2δᵀ(Xᵀy − XᵀX c) + δᵀXᵀXδ with δ = w − c, and the
//   first term is the same for every m, so it drops out of the softmax; the
//   terms kept are small for the entries that matter (δ small), so float32
//   keeps their differences. The softmax runs online with a moving max.
// The context length is a uniform, so one pipeline serves every n_test.
// Needs from the prelude: DIM, NT, D, NUM_GAMMAS, NUM_GD, DMMSE; eval_common.wgsl;
// and model_begin / model_accumulate / model_finish from the model's predict
// file, or from eval_no_model.wgsl where eval_model.wgsl writes the model's column.

// Γ_{t,g} (d×d each), output-major.
@group(0) @binding(4) var<storage, read> gammas: array<f32>;
// Per output: the ridge penalty σ²Ω_t⁻¹ on the window (1 on the diagonal
// outside it) (d×d), then the window mask (d).
@group(0) @binding(6) var<storage, read> ridge_reg: array<f32>;
// Per output, NUM_GD pairs (steps, η).
@group(0) @binding(7) var<storage, read> gd_runs: array<vec2f>;

const REG_STRIDE: u32 = DIM * DIM + DIM;

// Symmetric d×d matrices are kept as their lower triangle, packed row by row
// (entry (i, j), j ≤ i, at i(i+1)/2 + j): half the private memory per thread,
// which CPU-emulated GPUs run out of at large d.
const TRI: u32 = DIM * (DIM + 1u) / 2u;

fn tri(i: u32, j: u32) -> u32 { return i * (i + 1u) / 2u + j; }

// A⁻¹ b for symmetric positive definite A (packed lower triangle), in place.
// A pivot that float32 cancellation drives to (or below) zero — XᵀX of a
// nearly singular context, n ≈ d without noise — is floored at 10⁻⁶ of its
// diagonal entry, so that direction is regularized instead of blowing up.
fn solve_spd(a: ptr<function, array<f32, TRI>>, b: ptr<function, array<f32, DIM>>) {
  for (var j = 0u; j < DIM; j++) {
    var s = (*a)[tri(j, j)];
    let floor = 1e-6 * max(s, 1e-30);
    for (var k = 0u; k < j; k++) { s -= (*a)[tri(j, k)] * (*a)[tri(j, k)]; }
    let ljj = sqrt(max(s, floor));
    (*a)[tri(j, j)] = ljj;
    for (var i = j + 1u; i < DIM; i++) {
      var t = (*a)[tri(i, j)];
      for (var k = 0u; k < j; k++) { t -= (*a)[tri(i, k)] * (*a)[tri(j, k)]; }
      (*a)[tri(i, j)] = t / ljj;
    }
  }
  for (var i = 0u; i < DIM; i++) {
    var t = (*b)[i];
    for (var k = 0u; k < i; k++) { t -= (*a)[tri(i, k)] * (*b)[k]; }
    (*b)[i] = t / (*a)[tri(i, i)];
  }
  for (var ii = 0u; ii < DIM; ii++) {
    let i = DIM - 1u - ii;
    var t = (*b)[i];
    for (var k = i + 1u; k < DIM; k++) { t -= (*a)[tri(k, i)] * (*b)[k]; }
    (*b)[i] = t / (*a)[tri(i, i)];
  }
}

fn dot_q(xq: array<f32, DIM>, v: array<f32, DIM>) -> f32 {
  var s = 0.0;
  // @unroll
  for (var k = 0u; k < DIM; k++) { s += xq[k] * v[k]; }
  return s;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= ev.count) { return; }
  let key = prompt_key(ev.seed, ev.step_word, ev.first + row);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  let xq = qp.x;
  let yq = labels(w, xq, qp.noise, QUERY_NOISE);

  var m = model_begin(xq);
  var u: array<f32, NT * DIM>;
  var ysum: array<f32, NT>;
  var xsum: array<f32, DIM>;
  var xtx: array<f32, TRI>;
  for (var i = 0u; i < ev.n_ctx; i++) {
    let pt = task_point(key, CTX_REC + i);
    let x = pt.x;
    let y = labels(w, x, pt.noise, true);
    model_accumulate(&m, x, y);
    // @unroll
    for (var t = 0u; t < NT; t++) {
      ysum[t] += y[t];
      // @unroll
      for (var k = 0u; k < DIM; k++) { u[t * DIM + k] += y[t] * x[k]; }
    }
    // @unroll
    for (var k = 0u; k < DIM; k++) {
      xsum[k] += x[k];
      for (var j = 0u; j <= k; j++) { xtx[tri(k, j)] += x[k] * x[j]; }
    }
  }
  let model = model_finish(&m, ev.n_ctx);
  let inv_n = 1.0 / f32(ev.n_ctx);
  // Each output's ridge solution, the centre of dMMSE's residuals.
  var ridge_w: array<f32, NT * DIM>;

  for (var t = 0u; t < NT; t++) {
    let base = (row * NT + t) * OUT_STRIDE;
    var ut: array<f32, DIM>;
    for (var k = 0u; k < DIM; k++) { ut[k] = u[t * DIM + k]; }
    out[base] = yq[t];
    out[base + 1u] = model[t];

    // Bayes ridge on the window.
    let reg = t * REG_STRIDE;
    var a: array<f32, TRI>;
    var b: array<f32, DIM>;
    for (var k = 0u; k < DIM; k++) {
      let mk = ridge_reg[reg + DIM * DIM + k];
      b[k] = mk * ut[k];
      for (var j = 0u; j <= k; j++) {
        a[tri(k, j)] = mk * ridge_reg[reg + DIM * DIM + j] * xtx[tri(k, j)] + ridge_reg[reg + k * DIM + j];
      }
    }
    solve_spd(&a, &b);
    out[base + 2u] = dot_q(xq, b);
    for (var k = 0u; k < DIM; k++) { ridge_w[t * DIM + k] = b[k]; }

    // OLS.
    if (ev.n_ctx >= DIM) {
      a = xtx;
      b = ut;
      solve_spd(&a, &b);
      out[base + 3u] = dot_q(xq, b);
    } else {
      out[base + 3u] = 0.0; // not read: OLS needs n ≥ d here
    }

    // Debiased GD direction: x_qᵀ (u − ȳ x̄).
    var deb = 0.0;
    for (var k = 0u; k < DIM; k++) { deb += xq[k] * (ut[k] - ysum[t] * xsum[k] * inv_n) * inv_n; }
    out[base + 4u] = deb;

    // k-step GD.
    for (var r = 0u; r < NUM_GD; r++) {
      let run = gd_runs[t * NUM_GD + r];
      let steps = u32(run.x);
      let eta = run.y;
      // Explicitly zeroed: some compilers hoist a loop-body var without re-zeroing it.
      var wg = array<f32, DIM>();
      for (var s = 0u; s < steps; s++) {
        var grad = array<f32, DIM>();
        for (var k = 0u; k < DIM; k++) {
          var sw = 0.0;
          for (var j = 0u; j < DIM; j++) { sw += xtx[tri(max(j, k), min(j, k))] * wg[j]; }
          grad[k] = (ut[k] - sw) * inv_n;
        }
        for (var k = 0u; k < DIM; k++) { wg[k] += eta * grad[k]; }
      }
      out[base + FIXED_COLS + r] = dot_q(xq, wg);
    }

    // One-step predictors.
    for (var g = 0u; g < NUM_GAMMAS; g++) {
      let go = (t * NUM_GAMMAS + g) * DIM * DIM;
      var pred = 0.0;
      for (var i = 0u; i < DIM; i++) {
        var gu = 0.0;
        for (var j = 0u; j < DIM; j++) { gu += gammas[go + i * DIM + j] * ut[j]; }
        pred += xq[i] * gu;
      }
      out[base + FIXED_COLS + NUM_GD + g] = pred * inv_n;
    }
  }

  if (DMMSE) {
    // g_t = Xᵀy_t − XᵀX c_t, per output.
    var gres: array<f32, NT * DIM>;
    for (var t = 0u; t < NT; t++) {
      for (var k = 0u; k < DIM; k++) {
        var sc = 0.0;
        for (var j = 0u; j < DIM; j++) { sc += xtx[tri(max(j, k), min(j, k))] * ridge_w[t * DIM + j]; }
        gres[t * DIM + k] = u[t * DIM + k] - sc;
      }
    }
    let inv2s = 0.5 / task_mats[2];
    var mx = -3.0e38;
    var den = 0.0;
    var num: array<f32, NT>;
    for (var e = 0u; e < pool_size(); e++) {
      var lw = 0.0;
      var pq: array<f32, NT>;
      for (var t = 0u; t < NT; t++) {
        let o = POOL_OFFSET + (e * NT + t) * DIM;
        var delta: array<f32, DIM>;
        var lin = 0.0;
        var q = 0.0;
        for (var k = 0u; k < DIM; k++) {
          delta[k] = task_mats[o + k] - ridge_w[t * DIM + k];
          lin += delta[k] * gres[t * DIM + k];
          q += task_mats[o + k] * xq[k];
        }
        var quad = 0.0;
        for (var k = 0u; k < DIM; k++) {
          var sd = 0.5 * xtx[tri(k, k)] * delta[k];
          for (var j = 0u; j < k; j++) { sd += xtx[tri(k, j)] * delta[j]; }
          quad += 2.0 * delta[k] * sd;
        }
        lw += (2.0 * lin - quad) * inv2s;
        pq[t] = q;
      }
      if (lw > mx) {
        let shrink = exp(mx - lw);
        den *= shrink;
        for (var t = 0u; t < NT; t++) { num[t] *= shrink; }
        mx = lw;
      }
      let a = exp(lw - mx);
      den += a;
      for (var t = 0u; t < NT; t++) { num[t] += a * pq[t]; }
    }
    for (var t = 0u; t < NT; t++) { out[(row * NT + t) * OUT_STRIDE + 5u] = num[t] / den; }
  } else {
    for (var t = 0u; t < NT; t++) { out[(row * NT + t) * OUT_STRIDE + 5u] = 0.0; }
  }
}
