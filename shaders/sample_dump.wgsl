// Writes sampled prompts to a buffer, for checking the GPU sampler against the
// CPU one and the kernels against the float64 reference on the same inputs.
// Row per prompt: w (d), x_q (d), y_q, then n × (x_i (d), y_i).

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
  let stride = 2u * DIM + 1u + dp.n_ctx * (DIM + 1u);
  var o = prompt * stride;
  var rng = rng_new(dp.seed, dp.step_word, prompt);
  var w: array<f32, DIM>;
  var x: array<f32, DIM>;
  sample_w(&rng, &w);
  for (var k = 0u; k < DIM; k++) { out[o] = w[k]; o++; }
  sample_x(&rng, &x);
  let qn = rng_normal(&rng);
  for (var k = 0u; k < DIM; k++) { out[o] = x[k]; o++; }
  out[o] = label(&w, &x, select(0.0, qn, QUERY_NOISE)); o++;
  for (var i = 0u; i < dp.n_ctx; i++) {
    sample_x(&rng, &x);
    let y = label(&w, &x, rng_normal(&rng));
    for (var k = 0u; k < DIM; k++) { out[o] = x[k]; o++; }
    out[o] = y; o++;
  }
}
