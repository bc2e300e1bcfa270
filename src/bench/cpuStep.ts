// The same training step on the CPU, for the GPU/CPU ratio of the benchmark:
// - float64: the reference path the kernels are tested against (CPU sampler,
//   the model's float64 forward and gradient, the float64 optimizer);
// - float32: a tight single-output port of the kernels' streaming algebra on
//   Float32Array state with Math.fround accumulation, no allocation per prompt.
// Both draw the prompts' normals from the same records (recordNormals). A large
// batch is timed on a subset of its prompts and scaled to the whole batch.
import { modelFor } from '../models/index.ts';
import { newOptimizerState, optimizerStep, specBlocks } from '../engine/optimizer.ts';
import { promptKey, recordNormals } from '../rng/rng.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { samplePrompt } from '../tasks/sampler.ts';
import { buildTask, type TaskContext } from '../tasks/task.ts';

export interface CpuTiming {
  /** Steps per second, scaled from the prompts timed to the whole batch. */
  stepsPerSecond: number;
  promptsTimed: number;
}

/** Times `prompts` prompts of one step plus the optimizer, scaled to the batch. */
function timeStep(spec: ExperimentSpec, promptsTimed: number, perPrompt: (p: number) => void, finish: () => void): CpuTiming {
  const t0 = performance.now();
  for (let p = 0; p < promptsTimed; p++) perPrompt(p);
  const t1 = performance.now();
  finish();
  const t2 = performance.now();
  const seconds = ((t1 - t0) * (spec.train.batch / promptsTimed) + (t2 - t1)) / 1000;
  return { stepsPerSecond: 1 / seconds, promptsTimed };
}

export function cpuStepFloat64(spec: ExperimentSpec, promptsTimed: number): CpuTiming {
  const task = buildTask(spec.task);
  const model = modelFor(spec);
  const params = Float64Array.from(model.init(spec));
  const grad = new Float64Array(model.paramCount);
  const blocks = specBlocks(spec);
  const state = newOptimizerState(model.paramCount, spec.optimizer, blocks);
  return timeStep(
    spec,
    promptsTimed,
    (p) => {
      const g = model.lossGrad(params, samplePrompt(task, spec.train.dataSeed, 0, p)).grad;
      for (let i = 0; i < g.length; i++) grad[i] += g[i];
    },
    // Step 1, not 0: SOAP's first step only sets up its preconditioner.
    () => optimizerStep(spec.optimizer, params, grad, state, 1, spec.train.steps, blocks),
  );
}

const f = Math.fround;

/** A prompt's covariates and labels drawn into preallocated float32 arrays. */
function promptSampler(task: TaskContext, seed: number) {
  const { d, n } = task;
  const rec = d + 1;
  const L = Float32Array.from(task.covFactor);
  const F = Float32Array.from(task.priorFactor);
  const sd = f(Math.sqrt(task.noiseVar));
  const w = new Float32Array(d);
  const xq = new Float32Array(d);
  const xs = new Float32Array(n * d);
  const ys = new Float32Array(n);
  const point = (key: [number, number, number], r: number, out: Float32Array, o: number): number => {
    const g = recordNormals(key, r, rec);
    for (let i = 0; i < d; i++) {
      let s = 0;
      if (task.isotropic) s = g[i];
      else for (let j = 0; j <= i; j++) s = f(s + f(L[i * d + j] * g[j]));
      out[o + i] = s;
    }
    return g[d];
  };
  const label = (x: Float32Array, o: number, noise: number) => {
    let s = 0;
    for (let i = 0; i < d; i++) s = f(s + f(w[i] * x[o + i]));
    return f(s + f(sd * noise));
  };
  return {
    w,
    xq,
    xs,
    ys,
    draw(p: number): number {
      const key = promptKey(seed, 0, p);
      const g = recordNormals(key, 0, rec);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s = f(s + f(F[i * d + j] * g[j]));
        w[i] = s;
      }
      const qn = point(key, 1, xq, 0);
      for (let i = 0; i < n; i++) ys[i] = label(xs, i * d, point(key, 2 + i, xs, i * d));
      return label(xq, 0, task.queryNoise ? qn : 0);
    },
  };
}

export function cpuStepFloat32(spec: ExperimentSpec, promptsTimed: number): CpuTiming {
  if (spec.task.tasks !== 1) throw new Error('the float32 CPU step covers single-output prompts');
  if (spec.task.response !== 'identity') throw new Error('the float32 CPU step covers the identity response');
  const task = buildTask(spec.task);
  const model = modelFor(spec);
  const params = Float32Array.from(model.init(spec));
  const grad = new Float32Array(model.paramCount);
  const m = new Float32Array(model.paramCount);
  const v = new Float32Array(model.paramCount);
  const { d, n } = task;
  const D = d + 1;
  const sampler = promptSampler(task, spec.train.dataSeed);
  const z = new Float32Array(D);
  const finish = () => {
    const { lr, beta1, beta2, eps } = spec.optimizer;
    for (let i = 0; i < params.length; i++) {
      const g = f(grad[i] / spec.train.batch);
      m[i] = f(f(beta1 * m[i]) + f((1 - beta1) * g));
      v[i] = f(f(beta2 * v[i]) + f((1 - beta2) * g * g));
      params[i] = f(params[i] - f(lr * f(m[i] / f(Math.sqrt(v[i]) + eps))));
    }
  };
  const loadZ = (i: number) => {
    for (let k = 0; k < d; k++) z[k] = sampler.xs[i * d + k];
    z[d] = sampler.ys[i];
  };
  if (spec.model.type === 'lsa') {
    const q = new Float32Array(D);
    const s = new Float32Array(D);
    const vv = new Float32Array(D);
    const pvLast = D * D + d * D;
    return timeStep(
      spec,
      promptsTimed,
      (p) => {
        const yq = sampler.draw(p);
        for (let j = 0; j < D; j++) {
          let acc = 0;
          for (let k = 0; k < d; k++) acc = f(acc + f(params[j * D + k] * sampler.xq[k]));
          q[j] = acc;
        }
        s.fill(0);
        vv.fill(0);
        let yhat = 0;
        for (let i = 0; i < n; i++) {
          loadZ(i);
          let a = 0;
          let b = 0;
          for (let k = 0; k < D; k++) {
            a = f(a + f(params[pvLast + k] * z[k]));
            b = f(b + f(q[k] * z[k]));
          }
          yhat = f(yhat + f(a * b));
          for (let k = 0; k < D; k++) {
            vv[k] = f(vv[k] + f(z[k] * b));
            s[k] = f(s[k] + f(z[k] * a));
          }
        }
        const g = f(f(2 * f(f(yhat / n) - yq)) / n);
        for (let j = 0; j < D; j++) {
          for (let k = 0; k < d; k++) grad[j * D + k] = f(grad[j * D + k] + f(f(g * s[j]) * sampler.xq[k]));
          grad[pvLast + j] = f(grad[pvLast + j] + f(g * vv[j]));
        }
      },
      finish,
    );
  }
  // Softmax attention: per-step constants, then a streaming online softmax per head.
  const H = spec.model.heads;
  const head = 3 * D * D;
  const O = H * head;
  const scale = f(1 / Math.sqrt(D));
  const M = new Float32Array(H * D * d);
  const ov = new Float32Array(H * D);
  for (let h = 0; h < H; h++)
    for (let j = 0; j < D; j++) {
      for (let k = 0; k < d; k++) {
        let acc = 0;
        for (let r = 0; r < D; r++) acc = f(acc + f(params[h * head + D * D + r * D + j] * params[h * head + r * D + k]));
        M[(h * D + j) * d + k] = f(acc * scale);
      }
      let acc = 0;
      for (let r = 0; r < D; r++) acc = f(acc + f(params[O + h * D + r] * params[h * head + 2 * D * D + r * D + j]));
      ov[h * D + j] = acc;
    }
  const kt = new Float32Array(H * D);
  const c = new Float32Array(H * D);
  const e = new Float32Array(H * D);
  const l = new Float32Array(H);
  const ss = new Float32Array(H);
  const mx = new Float32Array(H);
  const u = new Float32Array(H * D);
  const P = new Float32Array(H * D * D);
  return timeStep(
    spec,
    promptsTimed,
    (p) => {
      const yq = sampler.draw(p);
      for (let h = 0; h < H; h++)
        for (let j = 0; j < D; j++) {
          let acc = 0;
          for (let k = 0; k < d; k++) acc = f(acc + f(M[(h * D + j) * d + k] * sampler.xq[k]));
          kt[h * D + j] = acc;
        }
      c.fill(0);
      e.fill(0);
      l.fill(0);
      ss.fill(0);
      mx.fill(-3e38);
      for (let i = 0; i < n; i++) {
        loadZ(i);
        for (let h = 0; h < H; h++) {
          let logit = 0;
          let sv = 0;
          for (let k = 0; k < D; k++) {
            logit = f(logit + f(kt[h * D + k] * z[k]));
            sv = f(sv + f(ov[h * D + k] * z[k]));
          }
          if (logit > mx[h] + 16) {
            const r = f(Math.exp(mx[h] - logit));
            l[h] = f(l[h] * r);
            ss[h] = f(ss[h] * r);
            for (let k = 0; k < D; k++) {
              c[h * D + k] = f(c[h * D + k] * r);
              e[h * D + k] = f(e[h * D + k] * r);
            }
            mx[h] = logit;
          }
          const a = f(Math.exp(logit - mx[h]));
          l[h] = f(l[h] + a);
          ss[h] = f(ss[h] + f(a * sv));
          for (let k = 0; k < D; k++) {
            c[h * D + k] = f(c[h * D + k] + f(a * z[k]));
            e[h * D + k] = f(e[h * D + k] + f(f(a * sv) * z[k]));
          }
        }
      }
      let yhat = 0;
      for (let h = 0; h < H; h++) yhat = f(yhat + f(ss[h] / l[h]));
      const g = f(2 * f(yhat - yq));
      // Batch sums u^h = Σ g c^h and P^h = Σ (g e^h) x_qᵀ, as in softmax_sums.wgsl.
      for (let h = 0; h < H; h++) {
        const il = f(1 / l[h]);
        const sbar = f(ss[h] * il);
        for (let k = 0; k < D; k++) {
          const ck = f(c[h * D + k] * il);
          u[h * D + k] = f(u[h * D + k] + f(g * ck));
          const ek = f(g * f(f(e[h * D + k] * il) - f(sbar * ck)));
          for (let j = 0; j < d; j++) P[(h * D + k) * D + j] = f(P[(h * D + k) * D + j] + f(ek * sampler.xq[j]));
        }
      }
    },
    () => {
      // Parameter gradients from u and P (softmax_grad.wgsl), then Adam.
      for (let h = 0; h < H; h++)
        for (let j = 0; j < D; j++)
          for (let k = 0; k < D; k++) {
            let gq = 0;
            let gk = 0;
            for (let r = 0; r < D; r++) {
              gq = f(gq + f(params[h * head + D * D + j * D + r] * P[(h * D + r) * D + k]));
              gk = f(gk + f(params[h * head + j * D + r] * P[(h * D + k) * D + r]));
            }
            grad[h * head + j * D + k] = f(gq * scale);
            grad[h * head + D * D + j * D + k] = f(gk * scale);
            grad[h * head + 2 * D * D + j * D + k] = f(params[O + h * D + j] * u[h * D + k]);
          }
      finish();
    },
  );
}
