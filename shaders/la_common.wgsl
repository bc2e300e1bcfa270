// Linear attention's layers on one prompt's (d + k)×(d + k) moments, shared by
// the training kernel (la_train.wgsl) and the evaluation (la_predict.wgsl);
// the algebra and its float64 reference are in src/models/linearAttention.ts.
// Every token moves by the same map T_ℓ = I + Σ_h W_PV^h C_ℓ W_KQ^h, so a
// layer updates the context moment C ← T C Tᵀ and the query q ← T q.
// Parameter layout: layer p (PLAYERS of them: 1 when tied), head h at
// (p·H + h)·HEAD_SIZE: merged W_KQ (D×D), W_PV (D×D); separate W_K (r×D),
// W_Q (r×D), W_V (D×D). Needs from the prelude: DIM, NT, D, H, LAYERS,
// PLAYERS, SEPARATE, RANK, HEAD_SIZE; `params` from the including kernel.

const DD: u32 = D * D;

// C_ℓ and q_ℓ entering each layer.
var<private> cs: array<f32, LAYERS * DD>;
var<private> qs: array<f32, LAYERS * D>;
// The layer's map T, head h's effective W_KQ and W_PV, and scratch.
var<private> tm: array<f32, DD>;
var<private> kq: array<f32, DD>;
var<private> pv: array<f32, DD>;
var<private> t1: array<f32, DD>;

fn head_offset(layer: u32, h: u32) -> u32 {
  var p = layer;
  if (PLAYERS == 1u) { p = 0u; }
  return (p * H + h) * HEAD_SIZE;
}

// kq, pv ← head h's W_KQ (= W_Kᵀ W_Q when separate) and W_PV of the layer's weights.
fn load_head(layer: u32, h: u32) {
  let o = head_offset(layer, h);
  if (SEPARATE) {
    for (var i = 0u; i < D; i++) {
      for (var j = 0u; j < D; j++) {
        var acc = 0.0;
        // @unroll
        for (var a = 0u; a < RANK; a++) { acc += params[o + a * D + i] * params[o + RANK * D + a * D + j]; }
        kq[i * D + j] = acc;
      }
    }
    for (var i = 0u; i < DD; i++) { pv[i] = params[o + 2u * RANK * D + i]; }
  } else {
    for (var i = 0u; i < DD; i++) {
      kq[i] = params[o + i];
      pv[i] = params[o + DD + i];
    }
  }
}

// tm ← I + Σ_h W_PV^h C_ℓ W_KQ^h.
fn layer_map(layer: u32) {
  let c0 = layer * DD;
  for (var i = 0u; i < DD; i++) { tm[i] = 0.0; }
  for (var i = 0u; i < D; i++) { tm[i * D + i] = 1.0; }
  for (var h = 0u; h < H; h++) {
    load_head(layer, h);
    for (var i = 0u; i < D; i++) {
      for (var j = 0u; j < D; j++) {
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += cs[c0 + i * D + k] * kq[k * D + j]; }
        t1[i * D + j] = acc;
      }
    }
    for (var i = 0u; i < D; i++) {
      for (var j = 0u; j < D; j++) {
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += pv[i * D + k] * t1[k * D + j]; }
        tm[i * D + j] += acc;
      }
    }
  }
}

// With cs[0] and qs[0] set, runs the layers; returns the query's label slots after the last.
fn la_forward() -> array<f32, NT> {
  var y: array<f32, NT>;
  for (var l = 0u; l < LAYERS; l++) {
    layer_map(l);
    let c0 = l * DD;
    if (l + 1u < LAYERS) {
      // C_{ℓ+1} = T C Tᵀ, q_{ℓ+1} = T q.
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) { acc += tm[i * D + k] * cs[c0 + k * D + j]; }
          t1[i * D + j] = acc;
        }
      }
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) { acc += t1[i * D + k] * tm[j * D + k]; }
          cs[c0 + DD + i * D + j] = acc;
        }
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += tm[i * D + k] * qs[l * D + k]; }
        qs[l * D + D + i] = acc;
      }
    } else {
      for (var t = 0u; t < NT; t++) {
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += tm[(DIM + t) * D + k] * qs[l * D + k]; }
        y[t] = acc;
      }
    }
  }
  return y;
}
