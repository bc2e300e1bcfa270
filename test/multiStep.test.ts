// The multi-step predictors against direct token-level simulations, their
// Jacobian against finite differences, and the fits against what they must
// reach: Γ*'s closed-form loss at L = 1, known parameters recovered, and the
// nesting of the families (more freedom never fits worse).
import { describe, expect, it } from 'vitest';
import { buildTask } from '../src/tasks/task.ts';
import { samplePrompt, type Prompt } from '../src/tasks/sampler.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { kStepGd } from '../src/theory/predictors.ts';
import { oneStepGdTheory } from '../src/theory/closedForms.ts';
import { momentView } from '../src/tasks/task.ts';
import {
  fitGdPlusPlus,
  fitPreconditionedSteps,
  fitScaledSteps,
  fitStats,
  gdPlusPlus,
  gdSteps,
  levenbergMarquardt,
  preconditionedSteps,
  preconditionedStepsJacobian,
  promptStats,
  sigmaInverse,
} from '../src/theory/multiStep.ts';
import { THEORY_STREAM } from '../src/theory/monteCarlo.ts';

function taskOf(patch: (s: ReturnType<typeof defaultSpec>) => void) {
  const spec = defaultSpec();
  spec.task.d = 4;
  spec.task.n = 12;
  spec.task.noiseVar = 0.1;
  patch(spec);
  return buildTask(spec.task);
}

/** GD++ by moving every token explicitly (the LSA layers' residual stream). */
function gdPlusPlusTokens(p: Prompt, gamma: number[], eta: number[]): number {
  const d = p.xq.length;
  const n = p.ys.length;
  let xs = Array.from({ length: n }, (_, i) => Array.from(p.xs.subarray(i * d, (i + 1) * d)));
  let xq = Array.from(p.xq);
  let r = Array.from(p.ys);
  let rq = 0;
  for (let l = 0; l < gamma.length; l++) {
    const S = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => xs.reduce((s, x) => s + (x[a] * x[b]) / n, 0)));
    const dotx = (x: number[], z: number[]) => x.reduce((s, v, a) => s + v * z[a], 0);
    const nr = r.map((ri, j) => ri - (eta[l] / n) * xs.reduce((s, x, i) => s + r[i] * dotx(x, xs[j]), 0));
    const nrq = rq - (eta[l] / n) * xs.reduce((s, x, i) => s + r[i] * dotx(x, xq), 0);
    const move = (x: number[]) => x.map((v, a) => v - gamma[l] * S[a].reduce((s, sab, b) => s + sab * x[b], 0));
    xs = xs.map(move);
    xq = move(xq);
    r = nr;
    rq = nrq;
  }
  return -rq;
}

describe('multi-step GD predictors', () => {
  const task = taskOf((s) => {
    s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 5, rotate: true };
  });
  const prompts = Array.from({ length: 20 }, (_, i) => samplePrompt(task, 3, THEORY_STREAM, i));

  it('L steps with Γ_ℓ = η I are L steps of GD; GD++ with γ = 0 too', () => {
    for (const p of prompts) {
      const st = promptStats(p);
      for (const L of [1, 2, 3]) {
        const g = new Float64Array(L * 16);
        for (let l = 0; l < L; l++) for (let a = 0; a < 4; a++) g[l * 16 + a * 5] = 0.3;
        const ref = kStepGd(p, 0.3, L);
        expect(Math.abs(preconditionedSteps(st, g, L) - ref)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref)));
        expect(Math.abs(gdPlusPlus(st, new Array(L).fill(0), new Array(L).fill(0.3)) - ref)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref)));
        expect(Math.abs(gdSteps(st, new Array(L).fill(0.3)) - ref)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref)));
      }
    }
  });

  it('GD++ on the sufficient statistics equals moving every token', () => {
    for (const p of prompts.slice(0, 8)) {
      const st = promptStats(p);
      const gamma = [0.2, -0.1, 0.15];
      const eta = [0.4, 0.3, 0.5];
      const ref = gdPlusPlusTokens(p, gamma, eta);
      expect(Math.abs(gdPlusPlus(st, gamma, eta) - ref)).toBeLessThan(1e-11 * Math.max(1, Math.abs(ref)));
    }
  });

  it('the preconditioned-steps Jacobian matches central differences', () => {
    const L = 3;
    const gammas = Float64Array.from({ length: L * 16 }, (_, i) => 0.1 * Math.sin(i + 1) + (i % 5 === 0 ? 0.3 : 0));
    for (const p of prompts.slice(0, 5)) {
      const st = promptStats(p);
      const jac = new Float64Array(L * 16);
      const y = preconditionedStepsJacobian(st, gammas, L, jac);
      expect(y).toBe(preconditionedSteps(st, gammas, L));
      const h = 1e-6;
      for (let idx = 0; idx < L * 16; idx++) {
        const up = Float64Array.from(gammas);
        up[idx] += h;
        const down = Float64Array.from(gammas);
        down[idx] -= h;
        const fd = (preconditionedSteps(st, up, L) - preconditionedSteps(st, down, L)) / (2 * h);
        expect(Math.abs(jac[idx] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe('fitting the multi-step families', () => {
  it('Levenberg–Marquardt recovers GD++ parameters from noiseless targets', () => {
    const task = taskOf(() => {});
    const stats = fitStats(task, 600);
    const gamma = [0.3, 0.1];
    const eta = [0.6, 0.9];
    for (const st of stats) st.yq = gdPlusPlus(st, gamma, eta);
    const fit = fitGdPlusPlus(stats, 2);
    expect(fit.loss).toBeLessThan(1e-16);
    // The last layer's γ moves only tokens nothing reads: it is not identifiable and stays 0.
    expect(fit.gamma[0]).toBeCloseTo(gamma[0], 6);
    expect(fit.gamma[1]).toBe(0);
    fit.eta.forEach((e, i) => expect(e).toBeCloseTo(eta[i], 6));
  });

  it('one step with a fitted Γ reaches the closed-form Γ* loss (Monte Carlo, 4 SE)', () => {
    const task = taskOf((s) => {
      s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 4, rotate: true };
    });
    const stats = fitStats(task, 6000);
    const fit = fitPreconditionedSteps(stats, 1);
    const theory = oneStepGdTheory(momentView(task));
    // Held-out loss of the fitted Γ on other prompts.
    const held = Array.from({ length: 6000 }, (_, i) => promptStats(samplePrompt(task, 99, THEORY_STREAM, i)));
    const errs = held.map((st) => (preconditionedSteps(st, fit.gammas, 1) - st.yq) ** 2);
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    const se = Math.sqrt(errs.reduce((a, b) => a + (b - mean) ** 2, 0) / (errs.length - 1) / errs.length);
    // The fit overfits 16 parameters a little: held-out ≥ Γ*'s loss − 4 SE, and within 2% of it.
    expect(mean).toBeGreaterThan(theory.gammaLoss - 4 * se);
    expect(Math.abs(mean - theory.gammaLoss) / theory.gammaLoss).toBeLessThan(0.02);
  });

  it('more freedom fits no worse: per-step GD ≥ Ahn et al.\'s a_ℓ Σ⁻¹ ≥ full Γ_ℓ, and more steps help', () => {
    const task = taskOf((s) => {
      s.task.covariance = { ...s.task.covariance, kind: 'geometric', kappa: 8, rotate: true };
    });
    const stats = fitStats(task, 2000);
    const losses: number[] = [];
    for (const L of [1, 2, 3]) {
      const plain = fitScaledSteps(stats, L, null);
      const ahn = fitScaledSteps(stats, L, sigmaInverse(task));
      const full = fitPreconditionedSteps(stats, L, plain.gammas);
      const pp = fitGdPlusPlus(stats, L, plain.scales);
      expect(full.loss).toBeLessThanOrEqual(plain.loss * (1 + 1e-9));
      expect(pp.loss).toBeLessThanOrEqual(plain.loss * (1 + 1e-9));
      // Σ⁻¹ corrects the anisotropy that plain GD cannot.
      expect(ahn.loss).toBeLessThan(plain.loss);
      losses.push(full.loss);
    }
    expect(losses[1]).toBeLessThan(losses[0]);
    expect(losses[2]).toBeLessThan(losses[1]);
  });

  it('an LM start at the optimum stays there', () => {
    const task = taskOf(() => {});
    const stats = fitStats(task, 300);
    const a = fitScaledSteps(stats, 2, null);
    const again = levenbergMarquardt(stats, (st, th, jac) => {
      const h = 1e-6;
      const f = (x: Float64Array) => preconditionedSteps(st, Float64Array.from({ length: 32 }, (_, i) => ((i % 16) % 5 === 0 ? x[Math.floor(i / 16)] : 0)), 2);
      if (!jac) return f(th);
      for (let i = 0; i < 2; i++) {
        const u = Float64Array.from(th);
        u[i] += h;
        const dn = Float64Array.from(th);
        dn[i] -= h;
        jac![i] = (f(u) - f(dn)) / (2 * h);
      }
      return f(th);
    }, Float64Array.from(a.scales));
    expect(again.loss).toBeLessThanOrEqual(a.loss * (1 + 1e-12));
    again.theta.forEach((x, i) => expect(x).toBeCloseTo(a.scales[i], 6));
  });
});
