// Prompt sampling for in-context linear regression (DESIGN.md §2), shared by the
// training, evaluation and test kernels. Mirrored by src/tasks/sampler.ts, which
// draws the same normals in the same order: w, x_q, the query noise, then each
// context pair (x_i, noise_i).
//
// Needs from the prelude: DIM (d), ISO_COV (Σ = I), RESPONSE (0 identity,
// 1 tanh, 2 relu, 3 cubic), QUERY_NOISE.
//
// task_mats layout: [noise_std, resp_scale, resp_norm, 0,
//                    covariance factor L (d×d, row-major, lower),
//                    prior factor F (d×d, row-major)].
@group(0) @binding(2) var<storage, read> task_mats: array<f32>;

const COV_OFFSET: u32 = 4u;
const PRIOR_OFFSET: u32 = 4u + DIM * DIM;

fn noise_std() -> f32 { return task_mats[0]; }

// w = F g, g ~ N(0, I).
fn sample_w(r: ptr<function, Rng>, w: ptr<function, array<f32, DIM>>) {
  var g: array<f32, DIM>;
  // @unroll
  for (var i = 0u; i < DIM; i++) { g[i] = rng_normal(r); }
  // @unroll
  for (var i = 0u; i < DIM; i++) {
    var s = 0.0;
    // @unroll
    for (var j = 0u; j < DIM; j++) { s += task_mats[PRIOR_OFFSET + i * DIM + j] * g[j]; }
    (*w)[i] = s;
  }
}

// x = L g, g ~ N(0, I), L lower triangular.
fn sample_x(r: ptr<function, Rng>, x: ptr<function, array<f32, DIM>>) {
  if (ISO_COV) {
    // @unroll
    for (var i = 0u; i < DIM; i++) { (*x)[i] = rng_normal(r); }
    return;
  }
  var g: array<f32, DIM>;
  // @unroll
  for (var i = 0u; i < DIM; i++) { g[i] = rng_normal(r); }
  // @unroll
  for (var i = 0u; i < DIM; i++) {
    var s = 0.0;
    for (var j = 0u; j <= i; j++) { s += task_mats[COV_OFFSET + i * DIM + j] * g[j]; }
    (*x)[i] = s;
  }
}

// Response f(t), scaled so that nonlinear shapes keep the signal's variance.
fn respond(t: f32) -> f32 {
  if (RESPONSE == 0u) { return t; }
  let s = task_mats[1];
  let u = t / s;
  var g = u;
  if (RESPONSE == 1u) { g = tanh(u); }
  else if (RESPONSE == 2u) { g = max(u, 0.0); }
  else { g = u * u * u; }
  return s * g / task_mats[2];
}

fn label(w: ptr<function, array<f32, DIM>>, x: ptr<function, array<f32, DIM>>, noise: f32) -> f32 {
  var t = 0.0;
  // @unroll
  for (var i = 0u; i < DIM; i++) { t += (*w)[i] * (*x)[i]; }
  return respond(t) + noise_std() * noise;
}
