// Linear self-attention's query prediction as a streaming accumulator over the
// context, for the evaluation kernel: ŷ = (1/n) Σ_i (pᵀz_i)(z_iᵀq), with p the
// last row of W_PV and q = W_KQ z_q. Same algebra as lsa_train.wgsl.

struct ModelAcc {
  p: array<f32, D>,
  q: array<f32, D>,
  sum: f32,
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc {
  var m: ModelAcc;
  // @unroll
  for (var j = 0u; j < D; j++) {
    m.p[j] = params[D * D + (D - 1u) * D + j];
    var acc = 0.0;
    // @unroll
    for (var k = 0u; k < DIM; k++) { acc += params[j * D + k] * xq[k]; }
    m.q[j] = acc;
  }
  m.sum = 0.0;
  return m;
}

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: f32) {
  var a = (*m).p[DIM] * y;
  var b = (*m).q[DIM] * y;
  // @unroll
  for (var k = 0u; k < DIM; k++) { a += (*m).p[k] * x[k]; b += (*m).q[k] * x[k]; }
  (*m).sum += a * b;
}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> f32 {
  return (*m).sum / f32(n);
}
