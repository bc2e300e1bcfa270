// Writes sampled prompts to a buffer, for checking the GPU sampler against the
// CPU one and the kernels against the float64 reference on the same inputs.
// Row per prompt: w_t for each output (k·d), x_q (d), y_q (k),
// then n × (x_i (d), y_i (k)).

struct DumpParams {
  seed: u32,
  step_word: u32,
  n_ctx: u32,
  count: u32,
}

@group(0) @binding(0) var<uniform> dp: DumpParams;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x;
  if (prompt >= dp.count) { return; }
  let stride = (NT + 1u) * DIM + NT + dp.n_ctx * (DIM + NT);
  var o = prompt * stride;
  let key = prompt_key(dp.seed, dp.step_word, prompt);
  let w = task_w(key);
  for (var k = 0u; k < NT * DIM; k++) { out[o] = w[k]; o++; }
  let qp = task_point(key, QUERY_REC);
  var x = qp.x;
  for (var k = 0u; k < DIM; k++) { out[o] = x[k]; o++; }
  let yq = labels(w, x, qp.noise, QUERY_NOISE);
  for (var t = 0u; t < NT; t++) { out[o] = yq[t]; o++; }
  for (var i = 0u; i < dp.n_ctx; i++) {
    let pt = task_point(key, CTX_REC + i);
    x = pt.x;
    let y = labels(w, x, pt.noise, true);
    for (var k = 0u; k < DIM; k++) { out[o] = x[k]; o++; }
    for (var t = 0u; t < NT; t++) { out[o] = y[t]; o++; }
  }
}
