// Multi-head softmax attention's query prediction as a streaming accumulator
// over the context (online softmax per head), for the evaluation kernel.
// Same algebra as softmax_train.wgsl.

const HEAD_SIZE: u32 = 3u * D * D;
const O_OFF: u32 = H * HEAD_SIZE;
const RESCALE_MARGIN: f32 = 16.0;

struct ModelAcc {
  kt: array<f32, H * D>,
  ov: array<f32, H * D>,
  mx: array<f32, H>,
  l: array<f32, H>,
  s: array<f32, H>,
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc {
  var m: ModelAcc;
  let inv_sqrt_d = inverseSqrt(f32(D));
  // @unroll
  for (var h = 0u; h < H; h++) {
    let qo = h * HEAD_SIZE;
    let ko = qo + D * D;
    let vo = ko + D * D;
    var q: array<f32, D>;
    // @unroll
    for (var j = 0u; j < D; j++) {
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < DIM; k++) { acc += params[qo + j * D + k] * xq[k]; }
      q[j] = acc;
    }
    // @unroll
    for (var k = 0u; k < D; k++) {
      var a = 0.0;
      var b = 0.0;
      // @unroll
      for (var j = 0u; j < D; j++) {
        a += params[ko + j * D + k] * q[j];
        b += params[O_OFF + h * D + j] * params[vo + j * D + k];
      }
      m.kt[h * D + k] = a * inv_sqrt_d;
      m.ov[h * D + k] = b;
    }
    m.mx[h] = -3.0e38;
  }
  return m;
}

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: f32) {
  // @unroll
  for (var h = 0u; h < H; h++) {
    var logit = (*m).kt[h * D + DIM] * y;
    var s = (*m).ov[h * D + DIM] * y;
    // @unroll
    for (var k = 0u; k < DIM; k++) {
      logit += (*m).kt[h * D + k] * x[k];
      s += (*m).ov[h * D + k] * x[k];
    }
    if (logit > (*m).mx[h] + RESCALE_MARGIN) {
      let f = exp((*m).mx[h] - logit);
      (*m).l[h] *= f;
      (*m).s[h] *= f;
      (*m).mx[h] = logit;
    }
    let a = exp(logit - (*m).mx[h]);
    (*m).l[h] += a;
    (*m).s[h] += a * s;
  }
}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> f32 {
  var y = 0.0;
  // @unroll
  for (var h = 0u; h < H; h++) { y += (*m).s[h] / (*m).l[h]; }
  return y;
}
