// Multi-head softmax attention's query predictions as a streaming accumulator
// over the context (online softmax per head), for the evaluation kernel.
// Same algebra as softmax_train.wgsl.

const HEAD_SIZE: u32 = 3u * D * D;
const O_OFF: u32 = H * HEAD_SIZE;
const RESCALE_MARGIN: f32 = 16.0;

struct ModelAcc {
  kt: array<f32, H * D>,
  ov: array<f32, H * NT * D>,
  mx: array<f32, H>,
  l: array<f32, H>,
  s: array<f32, H * NT>,
}

// Head h's k̃ = Kᵀ Q x_q / √D and ov_t = Vᵀ O_tᵀ (one per output t): what it
// reads each context token with (eval_model_heads.wgsl runs one head a thread).
struct HeadMaps {
  kt: array<f32, D>,
  ov: array<f32, NT * D>,
}

fn head_maps(h: u32, xq: array<f32, DIM>) -> HeadMaps {
  var r: HeadMaps;
  let inv_sqrt_d = inverseSqrt(f32(D));
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
    // @unroll
    for (var j = 0u; j < D; j++) { a += params[ko + j * D + k] * q[j]; }
    r.kt[k] = a * inv_sqrt_d;
    // @unroll
    for (var t = 0u; t < NT; t++) {
      var b = 0.0;
      // @unroll
      for (var j = 0u; j < D; j++) { b += params[O_OFF + t * H * D + h * D + j] * params[vo + j * D + k]; }
      r.ov[t * D + k] = b;
    }
  }
  return r;
}

fn model_begin(xq: array<f32, DIM>) -> ModelAcc {
  var m: ModelAcc;
  // @unroll
  for (var h = 0u; h < H; h++) {
    let maps = head_maps(h, xq);
    // @unroll
    for (var k = 0u; k < D; k++) {
      m.kt[h * D + k] = maps.kt[k];
      // @unroll
      for (var t = 0u; t < NT; t++) { m.ov[(h * NT + t) * D + k] = maps.ov[t * D + k]; }
    }
    m.mx[h] = -3.0e38;
  }
  return m;
}

fn model_accumulate(m: ptr<function, ModelAcc>, x: array<f32, DIM>, y: array<f32, NT>) {
  var z: array<f32, D>;
  // @unroll
  for (var k = 0u; k < DIM; k++) { z[k] = x[k]; }
  // @unroll
  for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
  // @unroll
  for (var h = 0u; h < H; h++) {
    var logit = 0.0;
    // @unroll
    for (var k = 0u; k < D; k++) { logit += (*m).kt[h * D + k] * z[k]; }
    if (logit > (*m).mx[h] + RESCALE_MARGIN) {
      let f = exp((*m).mx[h] - logit);
      (*m).l[h] *= f;
      // @unroll
      for (var t = 0u; t < NT; t++) { (*m).s[h * NT + t] *= f; }
      (*m).mx[h] = logit;
    }
    let a = exp(logit - (*m).mx[h]);
    (*m).l[h] += a;
    // @unroll
    for (var t = 0u; t < NT; t++) {
      var s = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { s += (*m).ov[(h * NT + t) * D + k] * z[k]; }
      (*m).s[h * NT + t] += a * s;
    }
  }
}

fn model_finish(m: ptr<function, ModelAcc>, n: u32) -> array<f32, NT> {
  var y: array<f32, NT>;
  // @unroll
  for (var h = 0u; h < H; h++) {
    // @unroll
    for (var t = 0u; t < NT; t++) { y[t] += (*m).s[h * NT + t] / (*m).l[h]; }
  }
  return y;
}
