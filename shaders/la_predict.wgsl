// Linear attention's query predictions for the evaluation kernel: the context
// moment C = (1/n) Σ z_i z_iᵀ accumulates over the stream, then the layers run
// on it (la_common.wgsl).

struct ModelAcc {
  c: array<f32, DD>,
  xq: array<f32, DIM>,
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc {
  var m: ModelAcc;
  m.xq = xq;
  return m;
}

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: array<f32, NT>) {
  var z: array<f32, D>;
  // @unroll
  for (var k = 0u; k < DIM; k++) { z[k] = x[k]; }
  // @unroll
  for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
  for (var a = 0u; a < D; a++) {
    // @unroll
    for (var b = 0u; b < D; b++) { (*m).c[a * D + b] += z[a] * z[b]; }
  }
}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> array<f32, NT> {
  let inv_n = 1.0 / f32(n);
  for (var i = 0u; i < DD; i++) { cs[i] = (*m).c[i] * inv_n; }
  for (var k = 0u; k < D; k++) { qs[k] = 0.0; }
  // @unroll
  for (var k = 0u; k < DIM; k++) { qs[k] = (*m).xq[k]; }
  return la_forward();
}
