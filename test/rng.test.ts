// The counter-based generator (src/rng/rng.ts, mirror of shaders/rng.wgsl):
// exact agreement with an independent BigInt transcription of the WGSL hash,
// normal moments and shape, uniform top bits, and no correlation between
// streams with neighbouring keys.
//
// Tolerances are 5 standard errors of each statistic under the null
// hypothesis (p ≈ 6e-7 per check), so with fixed keys a pass is stable and a
// failure means a real defect, not bad luck.
import { describe, expect, it } from 'vitest';
import { NormalStream, normals4, pcg4d, setIndex, STREAM } from '../src/rng/rng.ts';
import { trainingStream } from '../src/tasks/sampler.ts';
import { uniforms } from './helpers.ts';

const M32 = (1n << 32n) - 1n;

/** shaders/rng.wgsl's pcg4d, transcribed with BigInt arithmetic mod 2^32. */
function pcg4dReference(key: [number, number, number, number]): [number, number, number, number] {
  const v = key.map((k) => (BigInt(k >>> 0) * 1664525n + 1013904223n) & M32);
  const mix = () => {
    v[0] = (v[0] + v[1] * v[3]) & M32;
    v[1] = (v[1] + v[2] * v[0]) & M32;
    v[2] = (v[2] + v[0] * v[1]) & M32;
    v[3] = (v[3] + v[1] * v[2]) & M32;
  };
  mix();
  for (let i = 0; i < 4; i++) v[i] ^= v[i] >> 16n;
  mix();
  return v.map(Number) as [number, number, number, number];
}

/** Box-Muller exactly as rng.wgsl's normals4 specifies, from the reference hash. */
function normals4Reference(key: [number, number, number, number]): number[] {
  const [hx, hy, hz, hw] = pcg4dReference(key);
  const out: number[] = [];
  for (const [a, b] of [
    [hx, hy],
    [hz, hw],
  ]) {
    const u1 = (Math.floor(a / 256) + 1) / 2 ** 24;
    const u2 = Math.floor(b / 256) / 2 ** 24;
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2));
  }
  return out;
}

function moments(xs: Float64Array): { mean: number; variance: number; skewness: number; kurtosis: number } {
  const n = xs.length;
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const c = x - mean;
    const c2 = c * c;
    m2 += c2;
    m3 += c2 * c;
    m4 += c2 * c2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Standard normal CDF via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7: far below the bin counts' noise). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Pearson chi-square statistic of counts against equal expected frequencies. */
function chiSquare(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const e = total / counts.length;
  let x2 = 0;
  for (let i = 0; i < counts.length; i++) x2 += (counts[i] - e) ** 2 / e;
  return x2;
}

/** 5-sigma upper bound of a chi-square statistic with k degrees of freedom (mean k, sd √(2k)). */
const chiBound = (k: number) => k + 5 * Math.sqrt(2 * k);

describe('known answers', () => {
  it('pcg4d equals the BigInt transcription of the WGSL hash', () => {
    const fixed: [number, number, number, number][] = [
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [1, 2, 3, 4],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [1, STREAM.EVAL, 0, 0],
      [7, STREAM.ROTATION, 0, 3],
      [0x80000000, 0x7fffffff, 12345, 0xdeadbeef],
    ];
    const u = uniforms(99);
    const random = Array.from({ length: 2000 }, () => [0, 0, 0, 0].map(() => Math.floor(u() * 2 ** 32)) as [number, number, number, number]);
    for (const key of [...fixed, ...random]) {
      expect(pcg4d(...key), key.join(',')).toEqual(pcg4dReference(key));
    }
    // The hash output is u32 (no sign bit leakage from Math.imul).
    for (const key of fixed) for (const h of pcg4d(...key)) expect(h >>> 0).toBe(h);
  });

  it('normals4 and NormalStream follow the WGSL layout: key hashed once, then counter = key.w, four normals per hash', () => {
    const u = uniforms(5);
    for (let t = 0; t < 50; t++) {
      const key = [0, 0, 0].map(() => Math.floor(u() * 2 ** 32)) as [number, number, number];
      const stream = new NormalStream(...key);
      const base = pcg4dReference([...key, 0x9e3779b9]).slice(0, 3) as [number, number, number];
      for (let c = 0; c < 5; c++) {
        const ref = normals4Reference([...base, c]);
        const got = normals4(...base, c);
        for (let i = 0; i < 4; i++) {
          expect(got[i]).toBeCloseTo(ref[i], 12);
          expect(stream.next()).toBe(got[i]);
        }
      }
    }
  });

  it('normals are finite and bounded by √(−2 ln 2^-24) ≈ 5.77', () => {
    // u1 ∈ (0, 1] with 24-bit resolution keeps log(u1) finite and |z| bounded.
    const zmax = Math.sqrt(-2 * Math.log(2 ** -24));
    const s = new NormalStream(3, 4, 5);
    let worst = 0;
    let finite = true;
    for (let i = 0; i < 100_000; i++) {
      const z = s.next();
      finite &&= Number.isFinite(z);
      worst = Math.max(worst, Math.abs(z));
    }
    expect(finite).toBe(true);
    expect(worst).toBeLessThanOrEqual(zmax + 1e-12);
    expect(worst).toBeGreaterThan(3.5); // the tails are actually reached
  });
});

describe('normal distribution (10^6 draws)', () => {
  const N = 1 << 20;
  const zs = new Float64Array(N);
  {
    // 256 prompts × 4096 normals: many keys, long streams.
    let k = 0;
    for (let p = 0; p < 256; p++) {
      const s = new NormalStream(42, 17, p);
      for (let i = 0; i < 4096; i++) zs[k++] = s.next();
    }
  }

  it('mean 0, variance 1, skewness 0, kurtosis 3', () => {
    const m = moments(zs);
    // Standard errors for N(0,1): mean 1/√N, variance √(2/N), skewness √(6/N), kurtosis √(24/N).
    expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m.skewness)).toBeLessThan(5 * Math.sqrt(6 / N));
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / N));
  });

  it('chi-square against the normal CDF in 64 equiprobable bins', () => {
    const bins = new Float64Array(64);
    for (const z of zs) bins[Math.min(63, Math.floor(normalCdf(z) * 64))]++;
    expect(chiSquare(bins)).toBeLessThan(chiBound(63));
  });

  it('tail frequencies P(|z| > 2), P(|z| > 3), P(|z| > 4)', () => {
    for (const [t, p] of [
      [2, 0.0455002638963584],
      [3, 0.0026997960632601],
      [4, 0.0000633424836662],
    ]) {
      let c = 0;
      for (const z of zs) if (Math.abs(z) > t) c++;
      // Binomial count: 5 standard deviations of √(N p (1 − p)).
      expect(Math.abs(c - N * p), `|z| > ${t}`).toBeLessThan(5 * Math.sqrt(N * p * (1 - p)) + 1);
    }
  });
});

describe('independence of neighbouring keys', () => {
  const KEYS = 1 << 15;
  const PER = 8;
  const N = KEYS * PER;
  const bound = 5 / Math.sqrt(N); // correlation of independent samples has sd 1/√N

  function streams(key: (i: number) => [number, number, number], skip = 0): Float64Array {
    const out = new Float64Array(N);
    for (let i = 0; i < KEYS; i++) {
      const s = new NormalStream(...key(i));
      for (let j = 0; j < skip; j++) s.next();
      for (let j = 0; j < PER; j++) out[i * PER + j] = s.next();
    }
    return out;
  }
  const sq = (a: Float64Array) => a.map((x) => x * x);

  const cases: [string, (i: number) => [number, number, number], (i: number) => [number, number, number]][] = [
    ['adjacent prompts', (i) => [11, 3, i], (i) => [11, 3, i + 1]],
    ['adjacent steps', (i) => [11, i, 5], (i) => [11, i + 1, 5]],
    ['adjacent seeds', (i) => [i, 3, 5], (i) => [i + 1, 3, 5]],
    ['step and prompt swapped', (i) => [11, i, (i * 7 + 1) & 0xffff], (i) => [11, (i * 7 + 1) & 0xffff, i]],
    ['seed and step swapped', (i) => [i, 1000 + i, 0], (i) => [1000 + i, i, 0]],
    ['seeds 2^16 apart', (i) => [i, 3, 5], (i) => [i + 65536, 3, 5]],
  ];

  for (const [name, ka, kb] of cases) {
    it(name, () => {
      const a = streams(ka);
      const b = streams(kb);
      expect(Math.abs(correlation(a, b))).toBeLessThan(bound);
      expect(Math.abs(correlation(sq(a), sq(b)))).toBeLessThan(bound);
    });
  }

  // Regression: pcg4d alone mixes top input bits weakly, and the reserved
  // streams differ from training steps only there; the stream key is hashed
  // once before use so these keys are independent.
  it('keys that differ only in their top bits (reserved streams vs training steps)', () => {
    const highBitCases: [string, (i: number) => [number, number, number], (i: number) => [number, number, number]][] = [
      ['EVAL', (i) => [11, i, 0], (i) => [11, (STREAM.EVAL + i) >>> 0, 0]],
      ['INIT', (i) => [11, i, i >>> 4], (i) => [11, (STREAM.INIT + i) >>> 0, i >>> 4]],
      ['ROTATION', (i) => [11, i, 0], (i) => [11, (STREAM.ROTATION + i) >>> 0, 0]],
      ['seed top bit', (i) => [i, 3, 5], (i) => [(i ^ 0x80000000) >>> 0, 3, 5]],
    ];
    for (const [name, ka, kb] of highBitCases) {
      const a = streams(ka);
      const b = streams(kb);
      expect(Math.abs(correlation(a, b)), name).toBeLessThan(bound);
      expect(Math.abs(correlation(sq(a), sq(b))), name).toBeLessThan(bound);
    }
  });

  it('adjacent counters within one stream, and the four lanes of one hash', () => {
    const a = streams((i) => [11, 3, i]);
    const b = streams((i) => [11, 3, i], 4); // the next counter's four normals
    expect(Math.abs(correlation(a, b))).toBeLessThan(bound);
    expect(Math.abs(correlation(sq(a), sq(b)))).toBeLessThan(bound);
    // Lanes: the cos/sin pair shares a radius yet is independent for exact Box-Muller.
    const lanes = Array.from({ length: 4 }, () => new Float64Array(N));
    for (let i = 0; i < N; i++) {
      const z = normals4(11, 3, i >>> 3, i & 7);
      for (let l = 0; l < 4; l++) lanes[l][i] = z[l];
    }
    for (let l = 0; l < 4; l++)
      for (let m = l + 1; m < 4; m++) {
        expect(Math.abs(correlation(lanes[l], lanes[m])), `lanes ${l},${m}`).toBeLessThan(bound);
        expect(Math.abs(correlation(sq(lanes[l]), sq(lanes[m]))), `squared lanes ${l},${m}`).toBeLessThan(bound);
      }
  });
});

describe('uniformity of the hash bits', () => {
  const N = 1 << 18;

  const walks: [string, (i: number) => [number, number, number, number]][] = [
    ['counter', (i) => [1, 2, 3, i]],
    ['prompt', (i) => [1, 2, i, 0]],
    ['step', (i) => [1, i, 0, 0]],
    ['seed', (i) => [i, 0, 0, 0]],
  ];

  for (const [name, key] of walks) {
    it(`top 8 bits of each lane, 256 bins, walking the ${name}`, () => {
      const counts = Array.from({ length: 4 }, () => new Float64Array(256));
      const joint = new Float64Array(256);
      const low = new Float64Array(256); // bits 8..15: the lowest bits Box-Muller uses
      for (let i = 0; i < N; i++) {
        const h = pcg4d(...key(i));
        for (let l = 0; l < 4; l++) counts[l][h[l] >>> 24]++;
        joint[((h[0] >>> 28) << 4) | (h[1] >>> 28)]++;
        low[(h[2] >>> 8) & 0xff]++;
      }
      for (let l = 0; l < 4; l++) expect(chiSquare(counts[l]), `lane ${l}`).toBeLessThan(chiBound(255));
      expect(chiSquare(joint), 'joint top nibbles of lanes 0 and 1').toBeLessThan(chiBound(255));
      expect(chiSquare(low), 'bits 8..15 of lane 2').toBeLessThan(chiBound(255));
    });
  }
});

describe('the seeded order of a fixed training set', () => {
  it('each epoch is a permutation of 0 … N − 1, and epochs differ', () => {
    for (const size of [1, 2, 3, 5, 37, 64, 1000, 5000]) {
      const orders: number[][] = [];
      for (const epoch of [0, 1, 2]) {
        const seen = new Uint8Array(size);
        const order = Array.from({ length: size }, (_, p) => setIndex(p, epoch, 77, size));
        for (const i of order) {
          expect(i).toBeGreaterThanOrEqual(0);
          expect(i).toBeLessThan(size);
          seen[i]++;
        }
        expect(seen.every((c) => c === 1)).toBe(true);
        orders.push(order);
      }
      if (size >= 5) expect(orders[0].join()).not.toBe(orders[1].join());
    }
  });

  it('full batch (B = N) takes every set prompt once per step; B < N walks the epochs in order', () => {
    const train = { batch: 37, set: 37, steps: 10, dataSeed: 3, initSeed: 1 };
    for (const step of [0, 1, 5]) {
      const idx = Array.from({ length: 37 }, (_, b) => trainingStream(train, step, b).prompt).sort((a, b) => a - b);
      expect(idx).toEqual(Array.from({ length: 37 }, (_, i) => i));
    }
    const small = { ...train, batch: 10 };
    // Steps 0-3 hold prompts 0…39 of the stream: epoch 0 whole, then 3 of epoch 1.
    const firstEpoch = Array.from({ length: 37 }, (_, g) => trainingStream(small, Math.floor(g / 10), g % 10).prompt);
    expect(new Set(firstEpoch).size).toBe(37);
    expect(trainingStream(small, 3, 7)).toEqual({ stepWord: STREAM.TRAINSET, prompt: setIndex(0, 1, 3, 37) });
    expect(trainingStream({ ...small, set: 0 }, 3, 7)).toEqual({ stepWord: 3, prompt: 7 });
  });
});
