// The speed floor of a training step: draw every normal one step consumes
// (the same records of the same prompts as the training kernel) and write
// each once, with nothing else. One thread per prompt.
// Needs from the prelude: DIM, NT, N_CTX, BATCH, WG.

struct FloorParams {
  seed: u32,
  step: u32,
}

@group(0) @binding(0) var<uniform> fp: FloorParams;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;

const RECORDS: u32 = NT + 1u + N_CTX;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let prompt = gid.x;
  if (prompt >= BATCH) { return; }
  let key = prompt_key(fp.seed, fp.step, prompt);
  var o = prompt * RECORDS * NB;
  for (var r = 0u; r < RECORDS; r++) {
    let g = record_normals(key, r);
    // @unroll
    for (var j = 0u; j < NB; j++) { out[o + j] = g[j]; }
    o += NB;
  }
}
