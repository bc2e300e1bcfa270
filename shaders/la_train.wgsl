// One training step of linear attention with heads, separate key–query
// weights or layers (la_common.wgsl has the forward): one thread per prompt
// samples it, runs the layers and backpropagates through them, writing its
// whole gradient (NP numbers) and its loss, entry-major (entry e of prompt b
// at e·BATCH_PAD + b), for la_reduce.wgsl to sum in a fixed order.
// The reverse pass (src/models/linearAttention.ts): with T̄ the gradient with
// respect to layer ℓ's map and C̄ that with respect to C_{ℓ+1},
//   T̄ = q̄ q_ℓᵀ + (C̄ + C̄ᵀ) T C_ℓ,  q̄ ← Tᵀ q̄,  C̄ ← Tᵀ C̄ T + Σ_h W_PV^hᵀ T̄ W_KQ^hᵀ,
//   ∂/∂W_PV^h = T̄ W_KQ^hᵀ C_ℓ,  ∂/∂W_KQ^h = C_ℓ W_PV^hᵀ T̄,
//   separate: ∂/∂W_Q = W_K ∂/∂W_KQ, ∂/∂W_K = W_Q (∂/∂W_KQ)ᵀ.
// Tied layers add their gradients over the layers.
// Needs from the prelude: DIM, NT, D, N_CTX, WG, BATCH, BATCH_PAD, NP and la_common.wgsl's.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> contrib: array<f32>;

var<private> tb: array<f32, DD>;
var<private> cb: array<f32, DD>;
var<private> cb2: array<f32, DD>;
var<private> t2: array<f32, DD>;
var<private> qb: array<f32, D>;
var<private> prompt_id: u32;

// Adds v to gradient entry e of this prompt (the first layer to reach it writes).
fn put(e: u32, v: f32, first: bool) {
  let idx = e * BATCH_PAD + prompt_id;
  if (first) { contrib[idx] = v; } else { contrib[idx] += v; }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x + stepi.prompt_base;
  let step = run.base_step + stepi.local;
  if (prompt >= BATCH) { return; }
  prompt_id = prompt;

  let key = train_key(step, prompt);
  let w = task_w(key);
  let qp = task_point(key, QUERY_REC);
  let yq = labels(w, qp.x, qp.noise, QUERY_NOISE);
  var z: array<f32, D>;
  for (var i = 0u; i < N_CTX; i++) {
    let pt = task_point(key, CTX_REC + i);
    let y = labels(w, pt.x, pt.noise, true);
    // @unroll
    for (var k = 0u; k < DIM; k++) { z[k] = pt.x[k]; }
    // @unroll
    for (var t = 0u; t < NT; t++) { z[DIM + t] = y[t]; }
    for (var a = 0u; a < D; a++) {
      // @unroll
      for (var b = 0u; b < D; b++) { cs[a * D + b] += z[a] * z[b]; }
    }
  }
  let inv_n = 1.0 / f32(N_CTX);
  for (var i = 0u; i < DD; i++) { cs[i] *= inv_n; }
  // @unroll
  for (var k = 0u; k < DIM; k++) { qs[k] = qp.x[k]; }
  let yhat = la_forward();

  var loss = 0.0;
  // @unroll
  for (var t = 0u; t < NT; t++) {
    let r = yhat[t] - yq[t];
    loss += r * r;
    qb[DIM + t] = 2.0 * r / f32(NT);
  }
  contrib[NP * BATCH_PAD + prompt] = loss / f32(NT);

  for (var step_back = 0u; step_back < LAYERS; step_back++) {
    let l = LAYERS - 1u - step_back;
    let first = PLAYERS == LAYERS || step_back == 0u;
    let c0 = l * DD;
    layer_map(l);
    // T̄ = (C̄ + C̄ᵀ) T C_ℓ + q̄ q_ℓᵀ (t1 = T C_ℓ).
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
        var acc = qb[i] * qs[l * D + j];
        // @unroll
        for (var k = 0u; k < D; k++) { acc += (cb[i * D + k] + cb[k * D + i]) * t1[k * D + j]; }
        tb[i * D + j] = acc;
      }
    }
    // C̄ ← Tᵀ C̄ T (t1 = C̄ T), q̄ ← Tᵀ q̄ (t2[0..D) holds it meanwhile).
    for (var i = 0u; i < D; i++) {
      for (var j = 0u; j < D; j++) {
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += cb[i * D + k] * tm[k * D + j]; }
        t1[i * D + j] = acc;
      }
    }
    for (var i = 0u; i < D; i++) {
      for (var j = 0u; j < D; j++) {
        var acc = 0.0;
        // @unroll
        for (var k = 0u; k < D; k++) { acc += tm[k * D + i] * t1[k * D + j]; }
        cb2[i * D + j] = acc;
      }
      var acc = 0.0;
      // @unroll
      for (var k = 0u; k < D; k++) { acc += tm[k * D + i] * qb[k]; }
      t2[i] = acc;
    }
    for (var i = 0u; i < D; i++) { qb[i] = t2[i]; }

    for (var h = 0u; h < H; h++) {
      load_head(l, h);
      let o = head_offset(l, h);
      // t2 = W_PVᵀ T̄; C̄ += t2 W_KQᵀ; ∂/∂W_KQ = C_ℓ t2 (into t1).
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) { acc += pv[k * D + i] * tb[k * D + j]; }
          t2[i * D + j] = acc;
        }
      }
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          var g = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) {
            acc += t2[i * D + k] * kq[j * D + k];
            g += cs[c0 + i * D + k] * t2[k * D + j];
          }
          cb2[i * D + j] += acc;
          t1[i * D + j] = g;
        }
      }
      if (SEPARATE) {
        for (var a = 0u; a < RANK; a++) {
          for (var j = 0u; j < D; j++) {
            var gk = 0.0;
            var gq = 0.0;
            // @unroll
            for (var i = 0u; i < D; i++) {
              gq += params[o + a * D + i] * t1[i * D + j];
              gk += params[o + RANK * D + a * D + i] * t1[j * D + i];
            }
            put(o + a * D + j, gk, first);
            put(o + RANK * D + a * D + j, gq, first);
          }
        }
      } else {
        for (var i = 0u; i < DD; i++) { put(o + i, t1[i], first); }
      }
      // ∂/∂W_PV = (T̄ W_KQᵀ) C_ℓ (t2 = T̄ W_KQᵀ).
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) { acc += tb[i * D + k] * kq[j * D + k]; }
          t2[i * D + j] = acc;
        }
      }
      var pvo = o + DD;
      if (SEPARATE) { pvo = o + 2u * RANK * D; }
      for (var i = 0u; i < D; i++) {
        for (var j = 0u; j < D; j++) {
          var acc = 0.0;
          // @unroll
          for (var k = 0u; k < D; k++) { acc += t2[i * D + k] * cs[c0 + k * D + j]; }
          put(pvo + i * D + j, acc, first);
        }
      }
    }
    for (var i = 0u; i < DD; i++) { cb[i] = cb2[i]; }
  }
}
