// Every optimizer's GPU step against its float64 reference (src/engine/optimizer.ts),
// over several steps on gradients the test chooses: for the matrix optimizers,
// ill-conditioned matrices (singular values spread over κ = 2·10³) with fresh
// singular vectors each step, on a square block, a row vector and a tall block
// (Newton–Schulz on the transpose). Each comparison is also run against a
// perturbed reference, which it must tell apart.
import { describe, expect, it } from 'vitest';
import { newOptimizerState, optimizerStep, type ParamBlock } from '../../src/engine/optimizer.ts';
import { defaultSpec } from '../../src/spec/index.ts';
import type { OptimizerSpec } from '../../src/spec/types.ts';
import { gpuOptimizerRun } from './optimizerProbe.ts';
import { relError, testDevice } from './device.ts';

const BLOCKS: ParamBlock[] = [
  { offset: 0, rows: 6, cols: 6 },
  { offset: 36, rows: 1, cols: 12 },
  { offset: 48, rows: 7, cols: 3 },
];
const KAPPA = 2000;

function rng(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}

/** An n×n orthogonal matrix (Gram–Schmidt of a Gaussian one), row-major. */
function orthogonal(n: number, normal: () => number): Float64Array {
  const q = Float64Array.from({ length: n * n }, normal);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

/**
 * U diag(s) Vᵀ with condition number κ (rows×cols): s log-spaced from 1 to 1/κ
 * ('spread'), or 1, 0.8, 0.6, … with the last one 1/κ ('separated').
 */
function illConditioned(rows: number, cols: number, normal: () => number, scale: number, spectrum: 'spread' | 'separated'): Float64Array {
  const m = Math.min(rows, cols);
  const U = orthogonal(rows, normal);
  const V = orthogonal(cols, normal);
  const g = new Float64Array(rows * cols);
  for (let k = 0; k < m; k++) {
    const s = scale * (spectrum === 'spread' ? Math.pow(KAPPA, -k / Math.max(1, m - 1)) : k === m - 1 ? 1 / KAPPA : 1 - k / m);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g[i * cols + j] += s * U[i * rows + k] * V[j * cols + k];
  }
  return g;
}

function gradients(blocks: ParamBlock[], steps: number, seed: number, spectrum: 'spread' | 'separated'): Float32Array[] {
  const normal = rng(seed);
  const np = blocks.reduce((n, b) => n + b.rows * b.cols, 0);
  return Array.from({ length: steps }, (_, t) => {
    const g = new Float32Array(np);
    for (const b of blocks) g.set(illConditioned(b.rows, b.cols, normal, 0.5 + 0.1 * t, spectrum), b.offset);
    return g;
  });
}

function reference(opt: OptimizerSpec, blocks: ParamBlock[], params0: Float32Array, grads: Float32Array[], total: number): Float64Array {
  const p = Float64Array.from(params0);
  const state = newOptimizerState(p.length, opt, blocks);
  grads.forEach((g, t) => optimizerStep(opt, p, g, state, t, total, blocks));
  return p;
}

/**
 * SOAP's update depends on its eigenbases, which float32 resolves only to
 * ε·λ_max/gap: square blocks with full-rank gradients whose singular values
 * are separated (κ = 2000 still), so the bases are defined and resolvable.
 * (A side whose L or R is rank-deficient, e.g. a 1×c row at its first step,
 * has a null space with no preferred basis, in any implementation.)
 */
const SOAP_BLOCKS: ParamBlock[] = [
  { offset: 0, rows: 6, cols: 6 },
  { offset: 36, rows: 4, cols: 4 },
];

const delta = (p: ArrayLike<number>, p0: ArrayLike<number>) => Float64Array.from(p, (v, i) => v - p0[i]);

const CASES: { name: string; opt: Partial<OptimizerSpec>; perturb: Partial<OptimizerSpec> }[] = [
  { name: 'SGD, heavy ball', opt: { kind: 'sgd', momentum: 0.9, lr: 0.05 }, perturb: { momentum: 0.901 } },
  { name: 'SGD, Nesterov, weight decay', opt: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.1, lr: 0.05 }, perturb: { nesterov: false } },
  { name: 'Adam', opt: { kind: 'adam', lr: 0.02 }, perturb: { beta1: 0.901 } },
  { name: 'AdamW', opt: { kind: 'adamw', lr: 0.02, weightDecay: 0.1 }, perturb: { weightDecay: 0.101 } },
  { name: 'Lion', opt: { kind: 'lion', lr: 0.01, beta1: 0.9, beta2: 0.99, weightDecay: 0.1 }, perturb: { beta1: 0.95 } },
  { name: 'Adam with gradient clipping', opt: { kind: 'adam', lr: 0.02, clip: 0.3 }, perturb: { clip: 0 } },
  { name: 'SGD with clipping, cosine warmup', opt: { kind: 'sgd', momentum: 0.5, lr: 0.1, clip: 0.5, schedule: 'warmup-cosine', warmup: 3 }, perturb: { warmup: 2 } },
  { name: 'Muon (Nesterov)', opt: { kind: 'muon', lr: 0.05, momentum: 0.95, nesterov: true, weightDecay: 0.1 }, perturb: { momentum: 0.951 } },
  { name: 'Muon, plain momentum, clipped', opt: { kind: 'muon', lr: 0.05, momentum: 0.9, clip: 0.5 }, perturb: { momentum: 0.901 } },
  { name: 'PolarGrad (nuclear norm)', opt: { kind: 'polargrad', lr: 0.02, momentum: 0.9 }, perturb: { polarScale: 'muon' } },
  { name: 'PolarGrad, no momentum', opt: { kind: 'polargrad', lr: 0.02, momentum: 0 }, perturb: { momentum: 0.001 } },
  { name: 'PolarGrad, Muon scale, Nesterov', opt: { kind: 'polargrad', lr: 0.05, momentum: 0.9, nesterov: true, polarScale: 'muon' }, perturb: { nesterov: false } },
  { name: 'SOAP', opt: { kind: 'soap', lr: 0.02, beta1: 0.95, beta2: 0.95, precondFreq: 3, weightDecay: 0.01 }, perturb: { precondFreq: 4 } },
  { name: 'SOAP, refresh every step', opt: { kind: 'soap', lr: 0.02, beta1: 0.9, beta2: 0.99, precondFreq: 1 }, perturb: { beta2: 0.991 } },
];

describe('optimizer steps on the GPU against float64', () => {
  const STEPS = 7;
  const normal = rng(3);

  for (const c of CASES) {
    it(`${c.name}: the parameters' change over ${STEPS} steps within 1e-5, and a perturbed reference is told apart`, async () => {
      const { device } = await testDevice();
      const opt: OptimizerSpec = { ...defaultSpec().optimizer, ...c.opt };
      const soap = opt.kind === 'soap';
      const blocks = soap ? SOAP_BLOCKS : BLOCKS;
      const grads = gradients(blocks, STEPS, 17, soap ? 'separated' : 'spread');
      const params0 = Float32Array.from({ length: grads[0].length }, () => 0.3 * normal());
      const gpu = await gpuOptimizerRun(device, opt, blocks, params0, grads, 10);
      const ref = reference(opt, blocks, params0, grads, 10);
      const moved = delta(ref, params0);
      const err = relError(delta(gpu.params, params0), moved);
      expect(Math.hypot(...moved)).toBeGreaterThan(0.05);
      if (process.env.SHOW_ERRORS) console.log(`OPTERR ${c.name}: ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-5);
      const perturbed = reference({ ...opt, ...c.perturb }, blocks, params0, grads, 10);
      expect(relError(delta(gpu.params, params0), delta(perturbed, params0))).toBeGreaterThan(1e-5);
    });
  }
});
