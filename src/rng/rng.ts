// CPU mirror of shaders/rng.wgsl. The u32 hash is reproduced exactly; the
// normals are computed in float64 from the same integers, so they agree with
// the GPU's float32 normals to float32 rounding.

/** Reserved values of the `step` counter word, kept apart from training steps (< 2^31). */
export const STREAM = {
  /** Test prompts: step word = EVAL + evaluation batch index. */
  EVAL: 0x80000000,
  /** Parameter initialization (keyed by the init seed). */
  INIT: 0xc0000000,
  /** Random rotation of Σ (keyed by the rotation seed). */
  ROTATION: 0xd0000000,
  /** Monte Carlo constants of the task (response scaling). */
  RESPONSE: 0xe0000000,
  /** A fixed training set: prompt i of the set is prompt i of (data seed, TRAINSET). */
  TRAINSET: 0xb0000000,
  /** A finite task pool: entry m holds the task vectors of prompt m of (pool seed, POOL). */
  POOL: 0xf0000000,
} as const;

/**
 * Counter words of a prompt's stream outside its records (records use
 * counters r·NB + j, far below 2^31): the pool entry's pick, and the base of
 * the uniform covariates' own counters (so uniform draws never reuse the hash
 * words of the normals).
 */
export const COUNTER = {
  POOL_PICK: 0xfffffffe,
  UNIFORM: 0x80000000,
} as const;

export function pcg4d(x: number, y: number, z: number, w: number): [number, number, number, number] {
  let a = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  let b = (Math.imul(y, 1664525) + 1013904223) >>> 0;
  let c = (Math.imul(z, 1664525) + 1013904223) >>> 0;
  let d = (Math.imul(w, 1664525) + 1013904223) >>> 0;
  a = (a + Math.imul(b, d)) >>> 0;
  b = (b + Math.imul(c, a)) >>> 0;
  c = (c + Math.imul(a, b)) >>> 0;
  d = (d + Math.imul(b, c)) >>> 0;
  a = (a ^ (a >>> 16)) >>> 0;
  b = (b ^ (b >>> 16)) >>> 0;
  c = (c ^ (c >>> 16)) >>> 0;
  d = (d ^ (d >>> 16)) >>> 0;
  a = (a + Math.imul(b, d)) >>> 0;
  b = (b + Math.imul(c, a)) >>> 0;
  c = (c + Math.imul(a, b)) >>> 0;
  d = (d + Math.imul(b, c)) >>> 0;
  return [a, b, c, d];
}

const TWO_PI = 2 * Math.PI;

export function normals4(x: number, y: number, z: number, w: number): [number, number, number, number] {
  const h = pcg4d(x, y, z, w);
  const u1a = ((h[0] >>> 8) + 1) / 16777216;
  const u1b = ((h[2] >>> 8) + 1) / 16777216;
  const u2a = (h[1] >>> 8) / 16777216;
  const u2b = (h[3] >>> 8) / 16777216;
  const ra = Math.sqrt(-2 * Math.log(u1a));
  const rb = Math.sqrt(-2 * Math.log(u1b));
  return [ra * Math.cos(TWO_PI * u2a), ra * Math.sin(TWO_PI * u2a), rb * Math.cos(TWO_PI * u2b), rb * Math.sin(TWO_PI * u2b)];
}

/**
 * A stream of standard normals for one (seed, step, prompt), for CPU-side draws
 * (initialization, rotations): the three key words are hashed once (pcg4d alone
 * mixes top bits weakly), then a counter advances once per four normals.
 */
export class NormalStream {
  private counter = 0;
  private buf: [number, number, number, number] = [0, 0, 0, 0];
  private idx = 4;
  private readonly base: [number, number, number, number];
  constructor(seed: number, step: number, prompt: number) {
    this.base = pcg4d(seed >>> 0, step >>> 0, prompt >>> 0, 0x9e3779b9);
  }

  next(): number {
    if (this.idx === 4) {
      this.buf = normals4(this.base[0], this.base[1], this.base[2], this.counter >>> 0);
      this.counter++;
      this.idx = 0;
    }
    return this.buf[this.idx++];
  }

  fill(out: Float64Array | number[], count = out.length): void {
    for (let i = 0; i < count; i++) out[i] = this.next();
  }
}

/** The key of one prompt's stream, as prompt_key in WGSL: (seed, step, prompt) hashed once. */
export function promptKey(seed: number, step: number, prompt: number): [number, number, number] {
  const h = pcg4d(seed >>> 0, step >>> 0, prompt >>> 0, 0x9e3779b9);
  return [h[0], h[1], h[2]];
}

/**
 * Record r of a prompt's stream, as record_normals in WGSL: ceil(size/4) hashes
 * at counters r·nb …, four normals each; the first `size` are returned.
 */
export function recordNormals(key: [number, number, number], r: number, size: number): Float64Array {
  const nb = Math.ceil(size / 4);
  const out = new Float64Array(size);
  for (let j = 0; j < nb; j++) {
    const g = normals4(key[0], key[1], key[2], (r * nb + j) >>> 0);
    for (let k = 0; k < 4 && 4 * j + k < size; k++) out[4 * j + k] = g[k];
  }
  return out;
}

/**
 * Record r of a prompt's stream as uniform covariates, as record_uniforms in
 * WGSL: ceil(d/4) hashes at counters UNIFORM + r·nb …; each 23-bit draw k
 * gives (2k + 1 − 2^23)/2^23 ∈ (−1, 1), symmetric about 0 and exact in
 * float32, times √3 for unit variance.
 */
export function recordUniforms(key: [number, number, number], r: number, d: number): Float64Array {
  const nb = Math.ceil(d / 4);
  const out = new Float64Array(d);
  for (let j = 0; j < nb; j++) {
    const h = pcg4d(key[0], key[1], key[2], (COUNTER.UNIFORM + r * nb + j) >>> 0);
    for (let k = 0; k < 4 && 4 * j + k < d; k++) out[4 * j + k] = Math.sqrt(3) * ((2 * (h[k] >>> 9) + 1 - 8388608) / 8388608);
  }
  return out;
}

/** The pool entry a prompt draws its task from: the hash at counter POOL_PICK, modulo the pool size. */
export function poolPick(key: [number, number, number], poolSize: number): number {
  return pcg4d(key[0], key[1], key[2], COUNTER.POOL_PICK)[0] % poolSize;
}

/** Half-width in bits of the Feistel permutation over a training set of `size` prompts: 2^(2·half) ≥ size. */
export function setHalfBits(size: number): number {
  return Math.max(1, Math.ceil(Math.ceil(Math.log2(Math.max(2, size))) / 2));
}

/**
 * Position p of epoch `epoch` of a fixed training set of `size` prompts: a
 * seeded permutation of 0 … size − 1 for every epoch, as set_index in WGSL. A
 * four-round Feistel network on 2·half bits is a bijection of [0, 4^half);
 * walking its cycle until the value falls below `size` restricts it to a
 * bijection of [0, size) (fewer than four rounds of walking on average).
 */
export function setIndex(p: number, epoch: number, seed: number, size: number): number {
  const half = setHalfBits(size);
  const mask = 2 ** half - 1;
  let x = p >>> 0;
  do {
    let l = (x >>> half) & mask;
    let r = x & mask;
    for (let round = 0; round < 4; round++) {
      const f = pcg4d(r, seed >>> 0, epoch >>> 0, round)[0] & mask;
      const t = r;
      r = (l ^ f) >>> 0;
      l = t;
    }
    x = ((l * 2 ** half) + r) >>> 0;
  } while (x >= size);
  return x;
}

/** Where batch prompt b of training step `step` sits in a fixed set of `size` prompts: its epoch and position. */
export function setPosition(step: number, batch: number, b: number, size: number): { epoch: number; position: number } {
  const g = step * batch + b;
  return { epoch: Math.floor(g / size), position: g % size };
}
