// Linear self-attention's query predictions as a streaming accumulator over the
// context, for the evaluation kernel: ŷ_t = (1/n) Σ_i (p_tᵀz_i)(z_iᵀq), with
// p_t row d + t of W_PV and q = W_KQ z_q. Same algebra as lsa_train.wgsl.

struct ModelAcc {
  p: array<f32, NT * D>,
  q: array<f32, D>,
  sum: array<f32, NT>,
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc {
  var m: ModelAcc;
  // @unroll
  for (var j = 0u; j < D; j++) {
    // @unroll
    for (var t = 0u; t < NT; t++) { m.p[t * D + j] = params[D * D + (DIM + t) * D + j]; }
    var acc = 0.0;
    // @unroll
    for (var k = 0u; k < DIM; k++) { acc += params[j * D + k] * xq[k]; }
    m.q[j] = acc;
  }
  return m;
}

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: array<f32, NT>) {
  var z: array<f32, D>;
  // @unroll
  for (var k = 0u; k < DIM; k++) { z[k] = x[k]; }
  // @unroll
  for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
  var b = 0.0;
  // @unroll
  for (var k = 0u; k < D; k++) { b += (*m).q[k] * z[k]; }
  // @unroll
  for (var t = 0u; t < NT; t++) {
    var a = 0.0;
    // @unroll
    for (var k = 0u; k < D; k++) { a += (*m).p[t * D + k] * z[k]; }
    (*m).sum[t] += a * b;
  }
}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> array<f32, NT> {
  var y: array<f32, NT>;
  // @unroll
  for (var t = 0u; t < NT; t++) { y[t] = (*m).sum[t] / f32(n); }
  return y;
}
