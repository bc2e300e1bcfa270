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

// A stream of normals for one (seed, step, prompt): the counter (key.w) advances
// once per four normals. The (seed, step, prompt) words are hashed once first:
// pcg4d alone mixes an input's top bits weakly, and reserved streams differ
// from training steps only there.
struct Rng {
  key: vec4u,
  buf: vec4f,
  idx: u32,
}

fn rng_new(seed: u32, step: u32, prompt: u32) -> Rng {
  let base = pcg4d(vec4u(seed, step, prompt, 0x9e3779b9u));
  return Rng(vec4u(base.xyz, 0u), vec4f(0.0), 4u);
}

fn rng_normal(r: ptr<function, Rng>) -> f32 {
  if ((*r).idx == 4u) {
    (*r).buf = normals4((*r).key);
    (*r).key.w += 1u;
    (*r).idx = 0u;
  }
  let z = (*r).buf[(*r).idx];
  (*r).idx += 1u;
  return z;
}
