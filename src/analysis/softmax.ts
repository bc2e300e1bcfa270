// Reading trained multi-head softmax attention the way He et al. do
// (DESIGN.md §3): per head
//   KQ^h = Q^hᵀ K^h / √D   (logit_i = z_qᵀ KQ^h z_i; rows: query coords, cols: key coords),
//   OV^h = (O^h V^h)ᵀ      (head h adds Σ_i a_i OV^hᵀ z_i),
// ω_h = mean of KQ^h's x-block diagonal, μ_h = OV^h's last entry, and the
// scores of the emergent pattern: diagonal-homogeneous KQ, last-entry-only
// OV, zero-sum μ, and which heads are dormant.
import { softmaxLayout } from '../models/softmax.ts';
import type { NamedMatrix } from '../models/types.ts';

export interface HeadReading {
  /** KQ^h, D×D row-major. */
  kq: number[];
  /** OV^h, D×k row-major (a column per output; one column with a single output). */
  ov: number[];
  omega: number;
  /** μ_h of the first output. */
  mu: number;
  /** μ_h of each output: OV^h[d + t, t]. */
  muByOutput: number[];
  /** Share of the x-block's squared norm on its best multiple of I (1 = ω·I exactly). */
  diagonalHomogeneity: number;
  /** Share of KQ^h's squared norm in its x-block (the rest: the label rows and columns). */
  xBlockShare: number;
  /** Share of OV^h's squared norm on its own-label entries OV[d + t, t]. */
  lastEntryOnly: number;
  /** ‖OV^h‖ relative to the largest head's. */
  relativeOutput: number;
  dormant: boolean;
}

export interface SoftmaxReading {
  heads: HeadReading[];
  omega: number[];
  /** μ_h of the first output. */
  mu: number[];
  /** muByOutput[t][h]. */
  muByOutput: number[][];
  /** |Σ_h μ_h| / Σ_h |μ_h| (first output): 0 when the μ cancel exactly. */
  zeroSum: number;
  /** Indices of dormant heads. */
  dormant: number[];
}

/** A head is dormant when its output map is under this share of the largest head's. */
export const DORMANT_THRESHOLD = 0.1;

export function readSoftmax(params: ArrayLike<number>, d: number, H: number, K = 1): SoftmaxReading {
  const L = softmaxLayout(d, H, K);
  const { D } = L;
  const scale = 1 / Math.sqrt(D);
  const raw = Array.from({ length: H }, (_, h) => {
    const kq: number[] = [];
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) {
        let s = 0;
        for (let m = 0; m < D; m++) s += params[L.q(h) + m * D + a] * params[L.k(h) + m * D + b];
        kq.push(s * scale);
      }
    // OV^h[k, t] = (O_t^h V^h)_k.
    const ov: number[] = [];
    for (let k = 0; k < D; k++)
      for (let t = 0; t < K; t++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += params[L.oh(t, h) + j] * params[L.v(h) + j * D + k];
        ov.push(s);
      }
    return { kq, ov };
  });
  const ovNorms = raw.map(({ ov }) => Math.hypot(...ov));
  const maxOv = Math.max(...ovNorms, 1e-300);
  const heads = raw.map(({ kq, ov }, h): HeadReading => {
    let tr = 0;
    let xFro2 = 0;
    let allFro2 = 0;
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) {
        const v = kq[a * D + b] ** 2;
        allFro2 += v;
        if (a < d && b < d) {
          xFro2 += v;
          if (a === b) tr += kq[a * D + b];
        }
      }
    const ov2 = ov.reduce((s, v) => s + v * v, 0);
    const muByOutput = Array.from({ length: K }, (_, t) => ov[(d + t) * K + t]);
    const own2 = muByOutput.reduce((s, v) => s + v * v, 0);
    const relativeOutput = ovNorms[h] / maxOv;
    return {
      kq,
      ov,
      omega: tr / d,
      mu: muByOutput[0],
      muByOutput,
      diagonalHomogeneity: xFro2 > 0 ? (tr * tr) / d / xFro2 : 0,
      xBlockShare: allFro2 > 0 ? xFro2 / allFro2 : 0,
      lastEntryOnly: ov2 > 0 ? own2 / ov2 : 0,
      relativeOutput,
      dormant: relativeOutput < DORMANT_THRESHOLD,
    };
  });
  const muByOutput = Array.from({ length: K }, (_, t) => heads.map((h) => h.muByOutput[t]));
  const mu = muByOutput[0];
  const absSum = mu.reduce((s, v) => s + Math.abs(v), 0);
  return {
    heads,
    omega: heads.map((h) => h.omega),
    mu,
    muByOutput,
    zeroSum: absSum > 0 ? Math.abs(mu.reduce((s, v) => s + v, 0)) / absSum : 0,
    dormant: heads.flatMap((h, i) => (h.dormant ? [i] : [])),
  };
}

/** KQ^h and OV^h as named matrices for display (KQ's label rows multiply z_q's zero entries: no effect). */
export function softmaxMatrices(reading: SoftmaxReading, d: number): NamedMatrix[] {
  const H = reading.heads.length;
  const K = reading.muByOutput.length;
  const D = d + K;
  return reading.heads.flatMap((head, h) => {
    const tag = H > 1 ? `^${h + 1}` : '';
    return [
      {
        name: `KQ${tag}`,
        rows: D,
        cols: D,
        data: head.kq,
        noGradient: head.kq.map((_, i) => Math.floor(i / D) >= d),
        caption: `Head ${h + 1}: logit_i = z_qᵀ KQ z_i (rows: query, columns: key). The label row${K > 1 ? 's multiply' : ' multiplies'} z_q's zero entr${K > 1 ? 'ies' : 'y'} and cannot affect ŷ.`,
      },
      {
        name: `OV${tag}`,
        rows: D,
        cols: K,
        data: head.ov,
        noGradient: head.ov.map(() => false),
        caption:
          K > 1
            ? `Head ${h + 1}: adds Σ_i a_i OVᵀ z_i to ŷ (a column per output); the pattern to look for is μ on each output's own label entry.`
            : `Head ${h + 1}: adds Σ_i a_i OVᵀ z_i to ŷ; the pattern to look for is μ e_{d+1}.`,
      },
    ];
  });
}

/**
 * He et al.'s pattern for each head, built with that head's own ω_h and μ_h:
 * KQ = ω_h·I on the x-block and 0 elsewhere ("diagonal and homogeneous"),
 * OV = μ_h of output t at (d + t, t) and 0 elsewhere ("last-entry-only"). These
 * are the nearest matrices of the pattern's form to the learned KQ^h, OV^h
 * (ω_h, the mean x-diagonal, is the least-squares multiple of I on the x-block;
 * μ_h is the entry itself), so diagonalHomogeneity and lastEntryOnly are
 * 1 − (squared distance to them) / (squared norm) on the x-block and on OV^h.
 * Same order, names (prefixed "pattern ") and shapes as softmaxMatrices: per
 * head, KQ (D×D) then OV (D×k), D = d + k.
 */
export function patternMatrices(reading: SoftmaxReading, d: number): NamedMatrix[] {
  const H = reading.heads.length;
  const K = reading.muByOutput.length;
  const D = d + K;
  return reading.heads.flatMap((head, h) => {
    const tag = H > 1 ? `^${h + 1}` : '';
    const kq = new Array<number>(D * D).fill(0);
    for (let i = 0; i < d; i++) kq[i * D + i] = head.omega;
    const ov = new Array<number>(D * K).fill(0);
    for (let t = 0; t < K; t++) ov[(d + t) * K + t] = head.muByOutput[t];
    return [
      {
        name: `pattern KQ${tag}`,
        rows: D,
        cols: D,
        data: kq,
        noGradient: kq.map(() => false),
        caption: `Head ${h + 1}'s pattern: ω_h·I on the x-block (ω_h = KQ's mean x-diagonal), 0 elsewhere.`,
      },
      {
        name: `pattern OV${tag}`,
        rows: D,
        cols: K,
        data: ov,
        noGradient: ov.map(() => false),
        caption:
          K > 1
            ? `Head ${h + 1}'s pattern: μ_h of output t on its own label entry (y_t, ŷ_t), 0 elsewhere.`
            : `Head ${h + 1}'s pattern: μ_h·e_{d+1}, 0 elsewhere.`,
      },
    ];
  });
}
