// Prompt sampling for in-context linear regression (DESIGN.md §2), shared by the
// training, evaluation and test kernels. Mirrored by src/tasks/sampler.ts, which
// draws the same normals from the same records: w_t (record t < k), the query
// x_q and its noises (record k), context pair i (record k + 1 + i).
// With k > 1 outputs (multi-task) every token carries k labels, each from its
// own task vector, which is zero outside that task's window of x.
//
// Needs from the prelude: DIM (d), NT (k), ISO_COV (Σ = I), RESPONSE
// (0 identity, 1 tanh, 2 relu, 3 cubic), QUERY_NOISE, POOL_DRAW (tasks from
// the pool), UNIFORM_X (uniform covariates).
//
// task_mats layout: [noise_std, pool size M, dMMSE noise variance, 0,
// covariance factor L (d×d, row-major, lower), then per output t: resp_scale,
// resp_norm, 0, 0, prior factor F_t (d×d), then the pool: entry m, output t at
// POOL_OFFSET + (m·k + t)·d].
@group(0) @binding(2) var<storage, read> task_mats: array<f32>;

const COV_OFFSET: u32 = 4u;
const OUT_OFFSET: u32 = 4u + DIM * DIM;
const OUT_SIZE: u32 = 4u + DIM * DIM;
const QUERY_REC: u32 = NT;
const CTX_REC: u32 = NT + 1u;
const POOL_OFFSET: u32 = OUT_OFFSET + NT * OUT_SIZE;

fn noise_std() -> f32 { return task_mats[0]; }
fn pool_size() -> u32 { return u32(task_mats[1]); }

// w_t = F_t g, g ~ N(0, I): the first d normals of record t; w_t at [t·d, t·d + d).
// With a pool, the k vectors of the entry the prompt picks.
fn task_w(key: vec3u) -> array<f32, NT * DIM> {
  var w: array<f32, NT * DIM>;
  if (POOL_DRAW) {
    let o = POOL_OFFSET + pool_pick(key, pool_size()) * NT * DIM;
    // @unroll
    for (var i = 0u; i < NT * DIM; i++) { w[i] = task_mats[o + i]; }
  } else {
    // @unroll
    for (var t = 0u; t < NT; t++) {
      let g = record_normals(key, t);
      let f = OUT_OFFSET + t * OUT_SIZE + 4u;
      // @unroll
      for (var i = 0u; i < DIM; i++) {
        var s = 0.0;
        // @unroll
        for (var j = 0u; j < DIM; j++) { s += task_mats[f + i * DIM + j] * g[j / 4u][j % 4u]; }
        w[t * DIM + i] = s;
      }
    }
  }
  return w;
}

// A covariate x = L g (L lower triangular) and its label noises ε/σ: record r.
struct Point {
  x: array<f32, DIM>,
  noise: array<f32, NT>,
}

fn task_point(key: vec3u, r: u32) -> Point {
  let g = record_normals(key, r);
  var p: Point;
  // Uniform covariates draw their own numbers; the Gaussian path is kept
  // apart (not a copy into a shared array) so that it costs what it did.
  if (UNIFORM_X) {
    let v = record_uniforms(key, r);
    // @unroll
    for (var i = 0u; i < DIM; i++) {
      if (ISO_COV) {
        p.x[i] = v[i / 4u][i % 4u];
      } else {
        var s = 0.0;
        // @unroll
        for (var j = 0u; j < DIM; j++) {
          if (j <= i) { s += task_mats[COV_OFFSET + i * DIM + j] * v[j / 4u][j % 4u]; }
        }
        p.x[i] = s;
      }
    }
  } else {
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
  }
  // @unroll
  for (var t = 0u; t < NT; t++) { p.noise[t] = g[(DIM + t) / 4u][(DIM + t) % 4u]; }
  return p;
}

// Response f(s) of output t, scaled so that nonlinear shapes keep the signal's variance.
fn respond(s: f32, t: u32) -> f32 {
  if (RESPONSE == 0u) { return s; }
  let o = OUT_OFFSET + t * OUT_SIZE;
  let scale = task_mats[o];
  let u = s / scale;
  var g = u;
  if (RESPONSE == 1u) { g = tanh(u); }
  else if (RESPONSE == 2u) { g = max(u, 0.0); }
  else { g = u * u * u; }
  return scale * g / task_mats[o + 1u];
}

// The k labels of a covariate; the noise is dropped when `noisy` is false (a clean query).
fn labels(w: array<f32, NT * DIM>, x: array<f32, DIM>, noise: array<f32, NT>, noisy: bool) -> array<f32, NT> {
  var y: array<f32, NT>;
  // @unroll
  for (var t = 0u; t < NT; t++) {
    var s = 0.0;
    // @unroll
    for (var i = 0u; i < DIM; i++) { s += w[t * DIM + i] * x[i]; }
    y[t] = respond(s, t) + select(0.0, noise_std() * noise[t], noisy);
  }
  return y;
}
