// The optimizer step per weight matrix: one workgroup per block of the
// parameter vector (W_KQ and W_PV; Q^h, K^h, V^h and O), run after
// shaders/update.wgsl has left the batch-summed gradient in work[]. It serves
// the matrix optimizers (Muon, PolarGrad, SOAP) and any optimizer with
// gradient clipping, whose global norm every workgroup sums alike. The matrix
// functions are those of src/linalg/matrixFunctions.ts, the float64 reference
// (same iterations, same orders). Matrices live in `scratch`, row-major, at
// offsets within the block's region. Needs from the prelude: NP, OPT_KIND
// (as RunParams.optimizer), CLIP, NESTEROV, POLAR_NUCLEAR, SOAP_MAX_DIM.

@group(0) @binding(0) var<uniform> run: RunParams;
@group(0) @binding(1) var<uniform> stepi: StepInfo;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
// m (NP), v (NP), then SOAP's L, R, Q_L, Q_R per block.
@group(0) @binding(5) var<storage, read_write> opt_state: array<f32>;
@group(0) @binding(7) var<storage, read> work: array<f32>;
@group(0) @binding(8) var<storage, read_write> scratch: array<f32>;
// Two vec4s per block: (offset, rows, cols, scratch offset), (SOAP state offset, 0, 0, 0).
@group(0) @binding(9) var<storage, read> blocks: array<vec4u>;

const WGO: u32 = 64u;
var<workgroup> red: array<f32, 64>;
var<workgroup> rot_c: array<f32, 64>;
var<workgroup> rot_s: array<f32, 64>;
var<workgroup> rank: array<u32, 128>;
var<workgroup> sig: array<f32, 128>;
// PolarGrad's nuclear norm of the part kept, set by polar_jacobi().
var<private> polar_nuclear: f32;

fn block_sync() {
  storageBarrier();
  workgroupBarrier();
}

/** The workgroup's sum of v, the same value in every thread (a fixed tree: reproducible). */
fn wg_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WGO / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = workgroupUniformLoad(&red[0]);
  workgroupBarrier();
  return r;
}

/**
 * C (m×n) = op(A) op(B) over inner size k: op(A)[i][l] = A[i·k + l], or
 * A[l·m + i] when ta; op(B)[l][j] = B[l·n + j], or B[j·k + l] when tb.
 */
fn mm(lid: u32, c: u32, a: u32, b: u32, m: u32, n: u32, k: u32, ta: bool, tb: bool) {
  for (var e = lid; e < m * n; e += WGO) {
    let i = e / n;
    let j = e % n;
    var s = 0.0;
    for (var l = 0u; l < k; l++) {
      var av = scratch[a + i * k + l];
      if (ta) { av = scratch[a + l * m + i]; }
      var bv = scratch[b + l * n + j];
      if (tb) { bv = scratch[b + j * k + l]; }
      s += av * bv;
    }
    scratch[c + e] = s;
  }
  block_sync();
}

/** Y ← aX + (bA + cA²)X with A = XXᵀ, X m×M at x; A at ta_, B at tb_ (m×m each). */
fn poly_step(lid: u32, x: u32, y: u32, ta_: u32, tb_: u32, m: u32, bigm: u32, a: f32, b: f32, c: f32) {
  mm(lid, ta_, x, x, m, m, bigm, false, true);
  if (c != 0.0) {
    mm(lid, tb_, ta_, ta_, m, m, m, false, false);
    for (var e = lid; e < m * m; e += WGO) { scratch[tb_ + e] = b * scratch[ta_ + e] + c * scratch[tb_ + e]; }
  } else {
    for (var e = lid; e < m * m; e += WGO) { scratch[tb_ + e] = b * scratch[ta_ + e]; }
  }
  block_sync();
  mm(lid, y, tb_, x, m, bigm, m, false, false);
  for (var e = lid; e < m * bigm; e += WGO) { scratch[y + e] = a * scratch[x + e] + scratch[y + e]; }
  block_sync();
}

/** The rotation making rows p and q orthogonal from α, β, γ, as orthogonalizingRotation() in matrixFunctions.ts. */
fn orth_rotation(a: f32, b: f32, c: f32) -> vec2f {
  if (abs(c) <= 1e-30 + 5.9604645e-8 * sqrt(a * b)) { return vec2f(1.0, 0.0); }
  let zeta = (b - a) / (2.0 * c);
  var sg = 1.0;
  if (zeta < 0.0) { sg = -1.0; }
  let t = sg / (abs(zeta) + sqrt(1.0 + zeta * zeta));
  let cs = 1.0 / sqrt(1.0 + t * t);
  return vec2f(cs, cs * t);
}

/**
 * The polar factor of X (m×M at x, m ≤ M) into dst by one-sided Jacobi, as
 * polarFactor() in matrixFunctions.ts: the rows rotated pairwise until
 * orthogonal (W, m×m at wm, accumulates the rotations), then U = Σ w_i ŷ_iᵀ
 * over singular values above POLAR_CUTOFF·σ_max; polar_nuclear = Σ σ_i kept.
 */
fn polar_jacobi(lid: u32, x: u32, dst: u32, wm: u32, m: u32, bigm: u32) {
  for (var e = lid; e < m * m; e += WGO) { scratch[wm + e] = select(0.0, 1.0, e / m == e % m); }
  block_sync();
  let m_even = m + (m % 2u);
  let pairs = m_even / 2u;
  if (m > 1u) {
    for (var sweep = 0u; sweep < JACOBI_SWEEPS; sweep++) {
      for (var r = 0u; r + 1u < m_even; r++) {
        if (lid < pairs) {
          let pq = rr_pair(r, lid, m_even);
          var cs = vec2f(1.0, 0.0);
          if (pq.y < m) {
            var a = 0.0;
            var b = 0.0;
            var c = 0.0;
            for (var k = 0u; k < bigm; k++) {
              let xp = scratch[x + pq.x * bigm + k];
              let xq = scratch[x + pq.y * bigm + k];
              a += xp * xp;
              b += xq * xq;
              c += xp * xq;
            }
            cs = orth_rotation(a, b, c);
          }
          rot_c[lid] = cs.x;
          rot_s[lid] = cs.y;
        }
        block_sync();
        for (var e = lid; e < pairs * (bigm + m); e += WGO) {
          let pi = e / (bigm + m);
          let k = e % (bigm + m);
          let pq = rr_pair(r, pi, m_even);
          if (pq.y < m) {
            let c = rot_c[pi];
            let s = rot_s[pi];
            if (k < bigm) {
              let xp = scratch[x + pq.x * bigm + k];
              let xq = scratch[x + pq.y * bigm + k];
              scratch[x + pq.x * bigm + k] = c * xp - s * xq;
              scratch[x + pq.y * bigm + k] = s * xp + c * xq;
            } else {
              let kk = k - bigm;
              let wp = scratch[wm + kk * m + pq.x];
              let wq = scratch[wm + kk * m + pq.y];
              scratch[wm + kk * m + pq.x] = c * wp - s * wq;
              scratch[wm + kk * m + pq.y] = s * wp + c * wq;
            }
          }
        }
        block_sync();
      }
    }
  }
  for (var i = lid; i < m; i += WGO) {
    var t = 0.0;
    for (var k = 0u; k < bigm; k++) { t += scratch[x + i * bigm + k] * scratch[x + i * bigm + k]; }
    sig[i] = sqrt(t);
  }
  workgroupBarrier();
  var smax = 0.0;
  var nuc = 0.0;
  for (var i = 0u; i < m; i++) { smax = max(smax, sig[i]); }
  for (var i = 0u; i < m; i++) { if (sig[i] > POLAR_CUTOFF * smax) { nuc += sig[i]; } }
  polar_nuclear = nuc;
  for (var e = lid; e < m * bigm; e += WGO) {
    let a = e / bigm;
    let k = e % bigm;
    var t = 0.0;
    for (var i = 0u; i < m; i++) {
      if (sig[i] > POLAR_CUTOFF * smax) { t += scratch[wm + a * m + i] * scratch[x + i * bigm + k] / sig[i]; }
    }
    scratch[dst + e] = t;
  }
  block_sync();
}

/** The rotation (c, s) zeroing a_pq, as jacobiRotation() in matrixFunctions.ts. */
fn jacobi_rotation(app: f32, aqq: f32, apq: f32, floor: f32) -> vec2f {
  if (abs(apq) <= floor) { return vec2f(1.0, 0.0); }
  let theta = (aqq - app) / (2.0 * apq);
  var sg = 1.0;
  if (theta < 0.0) { sg = -1.0; }
  let t = sg / (abs(theta) + sqrt(theta * theta + 1.0));
  let c = 1.0 / sqrt(t * t + 1.0);
  return vec2f(c, t * c);
}

fn rr_pair(r: u32, i: u32, n_even: u32) -> vec2u {
  let last = n_even - 1u;
  var p = r;
  var q = last;
  if (i != 0u) {
    p = (r + i) % last;
    q = (r + last - i) % last;
  }
  return vec2u(min(p, q), max(p, q));
}

/**
 * Eigenvectors of the symmetric n×n matrix in opt_state at src, by cyclic
 * Jacobi in round-robin order (ja: the working copy, jv: the rotations), as
 * columns at dst in descending order of eigenvalue.
 */
fn jacobi_eigen(lid: u32, src: u32, n: u32, ja: u32, jv: u32, dst: u32) {
  var ss = 0.0;
  for (var e = lid; e < n * n; e += WGO) {
    let a = opt_state[src + e];
    scratch[ja + e] = a;
    scratch[jv + e] = select(0.0, 1.0, e / n == e % n);
    ss += a * a;
  }
  let floor = 1e-30 + JACOBI_TOL * sqrt(wg_sum(lid, ss));
  block_sync();
  let n_even = n + (n % 2u);
  let pairs = n_even / 2u;
  for (var sweep = 0u; sweep < JACOBI_SWEEPS; sweep++) {
    for (var r = 0u; r + 1u < n_even; r++) {
      if (lid < pairs) {
        let pq = rr_pair(r, lid, n_even);
        var cs = vec2f(1.0, 0.0);
        if (pq.y < n) { cs = jacobi_rotation(scratch[ja + pq.x * n + pq.x], scratch[ja + pq.y * n + pq.y], scratch[ja + pq.x * n + pq.y], floor); }
        rot_c[lid] = cs.x;
        rot_s[lid] = cs.y;
      }
      block_sync();
      for (var e = lid; e < pairs * n; e += WGO) {
        let pi = e / n;
        let k = e % n;
        let pq = rr_pair(r, pi, n_even);
        if (pq.y < n) {
          let c = rot_c[pi];
          let s = rot_s[pi];
          let ap = scratch[ja + pq.x * n + k];
          let aq = scratch[ja + pq.y * n + k];
          scratch[ja + pq.x * n + k] = c * ap - s * aq;
          scratch[ja + pq.y * n + k] = s * ap + c * aq;
        }
      }
      block_sync();
      for (var e = lid; e < pairs * n; e += WGO) {
        let pi = e / n;
        let k = e % n;
        let pq = rr_pair(r, pi, n_even);
        if (pq.y < n) {
          let c = rot_c[pi];
          let s = rot_s[pi];
          let ap = scratch[ja + k * n + pq.x];
          let aq = scratch[ja + k * n + pq.y];
          scratch[ja + k * n + pq.x] = c * ap - s * aq;
          scratch[ja + k * n + pq.y] = s * ap + c * aq;
          let vp = scratch[jv + k * n + pq.x];
          let vq = scratch[jv + k * n + pq.y];
          scratch[jv + k * n + pq.x] = c * vp - s * vq;
          scratch[jv + k * n + pq.y] = s * vp + c * vq;
        }
      }
      block_sync();
    }
  }
  // A stable descending sort: eigenvalue i goes to the place of its rank.
  for (var i = lid; i < n; i += WGO) {
    let li = scratch[ja + i * n + i];
    var k = 0u;
    for (var j = 0u; j < n; j++) {
      let lj = scratch[ja + j * n + j];
      if (lj > li || (lj == li && j < i)) { k++; }
    }
    rank[i] = k;
  }
  workgroupBarrier();
  for (var e = lid; e < n * n; e += WGO) {
    let k = e / n;
    let i = e % n;
    scratch[dst + k * n + rank[i]] = scratch[jv + e];
  }
  block_sync();
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[2u * wg.x];
  let ext = blocks[2u * wg.x + 1u];
  let off = blk.x;
  let rows = blk.y;
  let cols = blk.z;
  let base = blk.w;
  let rc = rows * cols;
  let nmax = max(rows, cols);
  let prec_l = rows <= SOAP_MAX_DIM;
  let prec_r = cols <= SOAP_MAX_DIM;
  // The block's scratch (scratchSize() in optimizerKernel.ts): G, GP, N, T, O (rows×cols each), SOAP's
  // Q_L and Q_R, then two w×w work matrices (w: min(rows, cols) for Newton–Schulz, the largest
  // preconditioned side for SOAP's Jacobi).
  var w = min(rows, cols);
  if (OPT_KIND == 6u) { w = max(select(0u, rows, prec_l), select(0u, cols, prec_r)); }
  let sg = base;
  let sgp = base + rc;
  let sn = base + 2u * rc;
  let st = base + 3u * rc;
  let so = base + 4u * rc;
  let sql = base + 5u * rc;
  let sqr = sql + select(0u, rows * rows, prec_l);
  let sja = sqr + select(0u, cols * cols, prec_r);
  let sjv = sja + w * w;

  var gscale = run.inv_batch;
  if (CLIP) {
    var ss = 0.0;
    for (var i = lid; i < NP; i += WGO) {
      let g = work[i] * run.inv_batch;
      ss += g * g;
    }
    let total = wg_sum(lid, ss);
    gscale = run.inv_batch * min(1.0, run.clip / (sqrt(total) + 1e-6));
  }
  let lr = stepi.lr;
  let wd = run.weight_decay;

  if (OPT_KIND < 4u) {
    for (var i = lid; i < rc; i += WGO) { opt_elementwise(off + i, work[off + i] * gscale); }
    return;
  }

  if (OPT_KIND == 4u || OPT_KIND == 5u) {
    // Momentum as an EMA, m ← μm + (1 − μ)g; the step along m, or (1 − μ)g + μm with Nesterov.
    let mu = run.momentum;
    let tr = rows > cols;
    let m = min(rows, cols);
    let bigm = nmax;
    var ss = 0.0;
    for (var i = lid; i < rc; i += WGO) {
      let g = work[off + i] * gscale;
      let mm_ = mu * opt_state[off + i] + (1.0 - mu) * g;
      opt_state[off + i] = mm_;
      var u = mm_;
      if (NESTEROV) { u = (1.0 - mu) * g + mu * mm_; }
      scratch[sg + i] = u;
      let r = i / cols;
      let c = i % cols;
      scratch[sgp + select(i, c * bigm + r, tr)] = u;
      ss += u * u;
    }
    // Other threads read these entries next (the transposed layout mixes them): make the writes visible.
    block_sync();
    let norm = sqrt(wg_sum(lid, ss));
    var x = sgp;
    var y = sn;
    var s = 0.0;
    if (OPT_KIND == 4u) {
      for (var e = lid; e < rc; e += WGO) { scratch[x + e] = scratch[x + e] / (norm + NS5_EPS); }
      block_sync();
      for (var k = 0u; k < 5u; k++) {
        poly_step(lid, x, y, sja, sjv, m, bigm, NS5_A, NS5_B, NS5_C);
        let t = x;
        x = y;
        y = t;
      }
      s = sqrt(max(1.0, f32(rows) / f32(cols)));
    } else if (norm > 0.0) {
      polar_jacobi(lid, x, y, sja, m, bigm);
      x = y;
      s = sqrt(max(1.0, f32(rows) / f32(cols)));
      if (POLAR_NUCLEAR) { s = polar_nuclear; }
    }
    for (var i = lid; i < rc; i += WGO) {
      let r = i / cols;
      let c = i % cols;
      var dir = 0.0;
      if (OPT_KIND == 4u || norm > 0.0) { dir = scratch[x + select(i, c * bigm + r, tr)]; }
      params[off + i] = params[off + i] * (1.0 - lr * wd) - lr * s * dir;
    }
    return;
  }

  // SOAP: Adam on G' = Q_Lᵀ G Q_R, applied back as Q_L N' Q_Rᵀ (Q = I on a side past SOAP_MAX_DIM);
  // then L, R and, on a refresh, the eigenbases, with the first moment carried into the new basis.
  let at_l = ext.x;
  let at_r = at_l + select(0u, rows * rows, prec_l);
  let at_ql = at_r + select(0u, cols * cols, prec_r);
  let at_qr = at_ql + select(0u, rows * rows, prec_l);
  let init = (stepi.opt_flags & 1u) != 0u;
  let refresh = (stepi.opt_flags & 2u) != 0u;
  for (var i = lid; i < rc; i += WGO) { scratch[sg + i] = work[off + i] * gscale; }
  if (prec_l) { for (var e = lid; e < rows * rows; e += WGO) { scratch[sql + e] = opt_state[at_ql + e]; } }
  if (prec_r) { for (var e = lid; e < cols * cols; e += WGO) { scratch[sqr + e] = opt_state[at_qr + e]; } }
  block_sync();
  if (!init) {
    soap_rotate(lid, sg, sgp, st, sql, sqr, rows, cols, prec_l, prec_r, true);
    for (var i = lid; i < rc; i += WGO) {
      let gp = scratch[sgp + i];
      let m = run.beta1 * opt_state[off + i] + (1.0 - run.beta1) * gp;
      let v = run.beta2 * opt_state[NP + off + i] + (1.0 - run.beta2) * gp * gp;
      opt_state[off + i] = m;
      opt_state[NP + off + i] = v;
      scratch[sn + i] = m / (sqrt(v) + run.eps);
    }
    block_sync();
    soap_rotate(lid, sn, so, st, sql, sqr, rows, cols, prec_l, prec_r, false);
    let step_size = lr * stepi.bias1;
    for (var i = lid; i < rc; i += WGO) {
      var p = params[off + i] - step_size * scratch[so + i];
      p = p - lr * wd * p;
      params[off + i] = p;
    }
  }
  let beta = run.beta2;
  if (prec_l) {
    for (var e = lid; e < rows * rows; e += WGO) {
      let i = e / rows;
      let j = e % rows;
      var s = 0.0;
      for (var k = 0u; k < cols; k++) { s += scratch[sg + i * cols + k] * scratch[sg + j * cols + k]; }
      opt_state[at_l + e] = beta * opt_state[at_l + e] + (1.0 - beta) * s;
    }
  }
  if (prec_r) {
    for (var e = lid; e < cols * cols; e += WGO) {
      let i = e / cols;
      let j = e % cols;
      var s = 0.0;
      for (var k = 0u; k < rows; k++) { s += scratch[sg + k * cols + i] * scratch[sg + k * cols + j]; }
      opt_state[at_r + e] = beta * opt_state[at_r + e] + (1.0 - beta) * s;
    }
  }
  block_sync();
  if (!refresh) { return; }
  if (!init) {
    // The first moment back in the original coordinates (at so).
    for (var i = lid; i < rc; i += WGO) { scratch[sn + i] = opt_state[off + i]; }
    block_sync();
    soap_rotate(lid, sn, so, st, sql, sqr, rows, cols, prec_l, prec_r, false);
    // The second moment reordered: each old direction's entry goes where its Rayleigh quotient ranks.
    if (prec_l) {
      rayleigh_ranks(lid, sql, at_l, rows, sja);
      for (var i = lid; i < rc; i += WGO) { scratch[st + i] = opt_state[NP + off + i]; }
      block_sync();
      for (var i = lid; i < rc; i += WGO) { opt_state[NP + off + rank[i / cols] * cols + i % cols] = scratch[st + i]; }
      block_sync();
    }
    if (prec_r) {
      rayleigh_ranks(lid, sqr, at_r, cols, sja);
      for (var i = lid; i < rc; i += WGO) { scratch[st + i] = opt_state[NP + off + i]; }
      block_sync();
      for (var i = lid; i < rc; i += WGO) { opt_state[NP + off + (i / cols) * cols + rank[i % cols]] = scratch[st + i]; }
      block_sync();
    }
  }
  if (prec_l) {
    jacobi_eigen(lid, at_l, rows, sja, sjv, sql);
    for (var e = lid; e < rows * rows; e += WGO) { opt_state[at_ql + e] = scratch[sql + e]; }
  }
  if (prec_r) {
    jacobi_eigen(lid, at_r, cols, sja, sjv, sqr);
    for (var e = lid; e < cols * cols; e += WGO) { opt_state[at_qr + e] = scratch[sqr + e]; }
  }
  block_sync();
  if (!init) {
    soap_rotate(lid, so, sgp, st, sql, sqr, rows, cols, prec_l, prec_r, true);
    for (var i = lid; i < rc; i += WGO) { opt_state[off + i] = scratch[sgp + i]; }
  }
}

/** rank[k]: the place of column q_k of Q (n×n at q in scratch) in the stable descending order of q_kᵀ A q_k (A in opt_state; n floats of scratch at tmp). */
fn rayleigh_ranks(lid: u32, q: u32, a: u32, n: u32, tmp: u32) {
  for (var k = lid; k < n; k += WGO) {
    var s = 0.0;
    for (var i = 0u; i < n; i++) {
      var t = 0.0;
      for (var j = 0u; j < n; j++) { t += opt_state[a + i * n + j] * scratch[q + j * n + k]; }
      s += scratch[q + i * n + k] * t;
    }
    scratch[tmp + k] = s;
  }
  block_sync();
  for (var k = lid; k < n; k += WGO) {
    let e = scratch[tmp + k];
    var r = 0u;
    for (var j = 0u; j < n; j++) {
      let f = scratch[tmp + j];
      if (f > e || (f == e && j < k)) { r++; }
    }
    rank[k] = r;
  }
  workgroupBarrier();
}

/** dst = Q_Lᵀ X Q_R (into the basis) or Q_L X Q_Rᵀ (back), X rows×cols at src, through tmp; Q = I on a side not preconditioned. */
fn soap_rotate(lid: u32, src: u32, dst: u32, tmp: u32, ql: u32, qr: u32, rows: u32, cols: u32, prec_l: bool, prec_r: bool, into: bool) {
  let rc = rows * cols;
  if (prec_l) {
    mm(lid, tmp, ql, src, rows, cols, rows, into, false);
  } else {
    for (var e = lid; e < rc; e += WGO) { scratch[tmp + e] = scratch[src + e]; }
    block_sync();
  }
  if (prec_r) {
    mm(lid, dst, tmp, qr, rows, cols, cols, false, !into);
  } else {
    for (var e = lid; e < rc; e += WGO) { scratch[dst + e] = scratch[tmp + e]; }
    block_sync();
  }
}
