// He et al.'s pattern matrices per head (patternMatrices): zero outside the
// x-block diagonal of KQ and the own-label entries of OV, ω_h on that diagonal,
// μ_h on those entries, the learned maps' shapes; and for weights that follow
// the pattern exactly, the pattern matrices are the learned ones.
import { describe, expect, it } from 'vitest';
import { patternMatrices, readSoftmax, softmaxMatrices } from '../src/analysis/softmax.ts';
import { softmaxLayout } from '../src/models/softmax.ts';
import { uniforms } from './helpers.ts';

const CASES = [
  { d: 5, H: 2, K: 1 },
  { d: 3, H: 1, K: 1 },
  { d: 6, H: 4, K: 2 },
  { d: 4, H: 3, K: 3 },
];

describe('patternMatrices', () => {
  for (const { d, H, K } of CASES) {
    it(`d = ${d}, H = ${H}, k = ${K}: shapes, zeros, ω_h on the x-diagonal, μ_h on the own-label entries`, () => {
      const L = softmaxLayout(d, H, K);
      const r = uniforms(100 * d + 10 * H + K);
      const params = Float64Array.from({ length: L.paramCount }, () => 2 * r() - 1);
      const reading = readSoftmax(params, d, H, K);
      const pattern = patternMatrices(reading, d);
      const learned = softmaxMatrices(reading, d);
      const D = d + K;
      expect(pattern).toHaveLength(2 * H);
      for (let h = 0; h < H; h++) {
        const [kq, ov] = [pattern[2 * h], pattern[2 * h + 1]];
        const tag = H > 1 ? `^${h + 1}` : '';
        expect(kq.name).toBe(`pattern KQ${tag}`);
        expect(ov.name).toBe(`pattern OV${tag}`);
        // The learned maps' shapes.
        expect([kq.rows, kq.cols, kq.data.length, kq.noGradient.length]).toEqual([D, D, D * D, D * D]);
        expect([ov.rows, ov.cols, ov.data.length, ov.noGradient.length]).toEqual([D, K, D * K, D * K]);
        expect([learned[2 * h].rows, learned[2 * h].cols, learned[2 * h + 1].rows, learned[2 * h + 1].cols]).toEqual([D, D, D, K]);
        const omega = reading.omega[h];
        expect(omega).not.toBe(0);
        for (let a = 0; a < D; a++)
          for (let b = 0; b < D; b++) expect(kq.data[a * D + b]).toBe(a === b && a < d ? omega : 0);
        for (let row = 0; row < D; row++)
          for (let t = 0; t < K; t++) {
            const mu = reading.muByOutput[t][h];
            expect(mu).not.toBe(0);
            expect(ov.data[row * K + t]).toBe(row === d + t ? mu : 0);
          }
        // The per-output μ the table shows are the learned OV^h's own-label entries.
        for (let t = 0; t < K; t++) expect(reading.muByOutput[t][h]).toBe(learned[2 * h + 1].data[(d + t) * K + t]);
      }
    });

    it(`d = ${d}, H = ${H}, k = ${K}: weights that follow the pattern exactly read back as their own pattern`, () => {
      const L = softmaxLayout(d, H, K);
      const { D } = L;
      const r = uniforms(7 + 100 * d + 10 * H + K);
      const params = new Float64Array(L.paramCount);
      const omega = Array.from({ length: H }, () => (2 * r() - 1) * 2);
      const mu = Array.from({ length: K }, () => Array.from({ length: H }, () => (2 * r() - 1) * 3));
      for (let h = 0; h < H; h++) {
        // Q^h, K^h diagonal on the x-block with per-coordinate scales whose products give ω_h·√D:
        // KQ^h = Q^hᵀK^h/√D = ω_h·I on the x-block, 0 elsewhere.
        for (let i = 0; i < d; i++) {
          const a = 0.5 + r();
          params[L.q(h) + i * D + i] = a;
          params[L.k(h) + i * D + i] = (omega[h] * Math.sqrt(D)) / a;
        }
        // V^h copies each label coordinate (scaled), O^h reads output t's label only:
        // OV^h[d + t, t] = μ_{h,t}, 0 elsewhere.
        for (let t = 0; t < K; t++) {
          const c = 0.5 + r();
          params[L.v(h) + (d + t) * D + (d + t)] = c;
          params[L.oh(t, h) + (d + t)] = mu[t][h] / c;
        }
      }
      const reading = readSoftmax(params, d, H, K);
      const learned = softmaxMatrices(reading, d);
      const pattern = patternMatrices(reading, d);
      expect(pattern).toHaveLength(learned.length);
      for (let i = 0; i < learned.length; i++) {
        expect([pattern[i].rows, pattern[i].cols]).toEqual([learned[i].rows, learned[i].cols]);
        for (let j = 0; j < learned[i].data.length; j++) expect(pattern[i].data[j]).toBeCloseTo(learned[i].data[j], 12);
      }
      for (let h = 0; h < H; h++) {
        expect(reading.omega[h]).toBeCloseTo(omega[h], 12);
        expect(reading.heads[h].diagonalHomogeneity).toBeCloseTo(1, 12);
        expect(reading.heads[h].lastEntryOnly).toBeCloseTo(1, 12);
        for (let t = 0; t < K; t++) expect(reading.muByOutput[t][h]).toBeCloseTo(mu[t][h], 12);
      }
    });
  }
});
