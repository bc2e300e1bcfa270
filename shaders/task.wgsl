// Prompt sampling for in-context linear regression (DESIGN.md §2), shared by the
// training, evaluation and test kernels. Mirrored by src/tasks/sampler.ts, which
// draws the same normals from the same records: w (record 0), the query x_q and
// its noise (record 1), context pair i (record 2 + i).
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

// w = F g, g ~ N(0, I): the first d normals of record 0.
fn task_w(key: vec3u) -> array<f32, DIM> {
  let g = record_normals(key, 0u);
  var w: array<f32, DIM>;
  // @unroll
  for (var i = 0u; i < DIM; i++) {
    var s = 0.0;
    // @unroll
    for (var j = 0u; j < DIM; j++) { s += task_mats[PRIOR_OFFSET + i * DIM + j] * g[j / 4u][j % 4u]; }
    w[i] = s;
  }
  return w;
}

// A covariate x = L g (L lower triangular) and its label noise ε/σ: record r.
// Record 1 is the query; record 2 + i is context pair i.
struct Point {
  x: array<f32, DIM>,
  noise: f32,
}

fn task_point(key: vec3u, r: u32) -> Point {
  let g = record_normals(key, r);
  var p: Point;
  // @unroll
  for (var i = 0u; i < DIM; i++) {
    if (ISO_COV) {
      p.x[i] = g[i / 4u][i % 4u];
    } else {
      var s = 0.0;
      // @unroll
      for (var j = 0u; j < DIM; j++) {
        if (j <= i) { s += task_mats[COV_OFFSET + i * DIM + j] * g[j / 4u][j % 4u]; }
      }
      p.x[i] = s;
    }
  }
  p.noise = g[DIM / 4u][DIM % 4u];
  return p;
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

fn label(w: array<f32, DIM>, x: array<f32, DIM>, noise: f32) -> f32 {
  var t = 0.0;
  // @unroll
  for (var i = 0u; i < DIM; i++) { t += w[i] * x[i]; }
  return respond(t) + noise_std() * noise;
}
