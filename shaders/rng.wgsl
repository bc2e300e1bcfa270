// Counter-based random numbers: every value is a pure function of
// (seed, step, prompt, counter), so a run is reproducible whatever the chunking,
// the workgroup size or the order the GPU schedules threads in.
// Mirrored bit for bit by src/engine/rng.ts.

// PCG-derived 4D hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering").
fn pcg4d(key: vec4u) -> vec4u {
  var v = key * 1664525u + 1013904223u;
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  v = v ^ (v >> vec4u(16u));
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  return v;
}

const TWO_PI: f32 = 6.283185307179586;

// Four standard normals from one hash (Box-Muller on two pairs).
// u1 ∈ (0, 1] so log(u1) is finite; u2 ∈ [0, 1).
fn normals4(key: vec4u) -> vec4f {
  let h = pcg4d(key);
  let u1 = (vec2f(h.xz >> vec2u(8u)) + 1.0) * (1.0 / 16777216.0);
  let u2 = vec2f(h.yw >> vec2u(8u)) * (1.0 / 16777216.0);
  let r = sqrt(-2.0 * log(u1));
  let t = TWO_PI * u2;
  return vec4f(r.x * cos(t.x), r.x * sin(t.x), r.y * cos(t.y), r.y * sin(t.y));
}

// The key of one prompt's stream: (seed, step, prompt) hashed once, since pcg4d
// alone mixes an input's top bits weakly and reserved streams differ from
// training steps only there.
fn prompt_key(seed: u32, step: u32, prompt: u32) -> vec3u {
  return pcg4d(vec4u(seed, step, prompt, 0x9e3779b9u)).xyz;
}

// A prompt is drawn as records of REC = d + k normals (x and one label noise
// per output; w_t uses the first d of record t). Record r takes the counters
// r·NB … r·NB + NB − 1, four normals each, so every record is a fixed,
// straight-line computation with no stream state to carry. Needs DIM and NT
// (outputs k) from the prelude.
const REC: u32 = DIM + NT;
const NB: u32 = (REC + 3u) / 4u;

fn record_normals(key: vec3u, r: u32) -> array<vec4f, NB> {
  var g: array<vec4f, NB>;
  // @unroll
  for (var j = 0u; j < NB; j++) { g[j] = normals4(vec4u(key, r * NB + j)); }
  return g;
}

// Uniform covariates: record r's d draws from their own counters
// (UNIFORM_BASE + r·NBU + j), never the hash words of the normals. Each 23-bit
// draw k gives (2k + 1 − 2^23)/2^23 ∈ (−1, 1), exact in f32, times √3 for
// unit variance. Mirrored by recordUniforms in src/rng/rng.ts.
const UNIFORM_BASE: u32 = 0x80000000u;
const NBU: u32 = (DIM + 3u) / 4u;
const SQRT3: f32 = 1.7320508075688772;

fn record_uniforms(key: vec3u, r: u32) -> array<vec4f, NBU> {
  var g: array<vec4f, NBU>;
  // @unroll
  for (var j = 0u; j < NBU; j++) {
    let h = pcg4d(vec4u(key, UNIFORM_BASE + r * NBU + j));
    g[j] = SQRT3 * (vec4f(vec4i(2u * (h >> vec4u(9u)) + 1u) - vec4i(8388608)) * (1.0 / 8388608.0));
  }
  return g;
}

// The pool entry a prompt draws its tasks from (mirrored by poolPick).
const POOL_PICK: u32 = 0xfffffffeu;

fn pool_pick(key: vec3u, size: u32) -> u32 {
  return pcg4d(vec4u(key, POOL_PICK)).x % size;
}
