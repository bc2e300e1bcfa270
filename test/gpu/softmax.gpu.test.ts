// Multi-head softmax attention kernels against the float64 reference, on fresh
// random parameters and prompts, over the grid H × d × n, and with logits
// large enough to overflow a naive exp.
import { describe, expect, it } from 'vitest';
import { PRIVATE_FLOAT_LIMIT, privateFloats } from '../../src/engine/limits.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { gpuSamplePrompts } from '../../src/engine/sampleDump.ts';
import { STREAM } from '../../src/rng/rng.ts';
import { headsKernelShape, softmaxForward, softmaxKernelOf, softmaxLayout, type SoftmaxKernel } from '../../src/models/softmax.ts';
import { decodeSpec, defaultSpec, type ExperimentSpec } from '../../src/spec/index.ts';
import type { Prompt } from '../../src/tasks/sampler.ts';
import { referenceGradient, relError, testDevice } from './device.ts';

const seed = () => (Math.random() * 2 ** 32) >>> 0;

function softmaxSpec(d: number, n: number, H: number, init: 'default' | 'gaussian', scale: number): ExperimentSpec {
  const s = defaultSpec();
  Object.assign(s.task, { d, n, noiseVar: 0.1 });
  Object.assign(s.model, { type: 'softmax', heads: H, init, initScale: scale });
  s.train.initSeed = seed();
  s.train.dataSeed = seed();
  s.train.batch = 80; // a ragged last workgroup
  return s;
}

async function check(spec: ExperimentSpec, softmaxKernel?: SoftmaxKernel) {
  const { device } = await testDevice();
  const trainer = await Trainer.create(device, spec, { chunkSteps: 2, softmaxKernel });
  try {
    const theta0 = trainer.initialParams;
    const ev = await trainer.evaluate({ prompts: 96 });
    const prompts = await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 96 });
    const forward = relError(ev.model, prompts.map((p) => trainer.model.predict(theta0, p)[0]));
    await trainer.run({ steps: 1 });
    const gpu = await trainer.readLastGradient();
    const ref = await referenceGradient(device, trainer, theta0, 0);
    return { forward, gradient: relError(gpu.grad, ref.grad), loss: Math.abs(gpu.loss - ref.loss) / ref.loss, finite: gpu.grad.every(Number.isFinite) };
  } finally {
    trainer.destroy();
  }
}

describe('softmax attention kernels vs float64 reference', () => {
  for (const H of [1, 2, 3, 8])
    for (const d of [2, 5, 12])
      it(`H=${H} d=${d}, n ∈ {1, 40, 200}: forward, gradient and loss`, async () => {
        for (const n of [1, 40, 200]) {
          const r = await check(softmaxSpec(d, n, H, 'default', 0));
          console.info(`H=${H} d=${d} n=${n}: relative error forward ${r.forward.toExponential(1)}, gradient ${r.gradient.toExponential(1)}, loss ${r.loss.toExponential(1)}`);
          expect(r.forward).toBeLessThan(1e-4);
          expect(r.gradient).toBeLessThan(1e-4);
          expect(r.loss).toBeLessThan(1e-4);
        }
      });

  it('d = 64 with H = 16 heads, once refused on CPU adapters, trains: forward (its evaluation split in two kernels), gradient (its heads split across threads) and loss match', async () => {
    const spec = softmaxSpec(64, 6, 16, 'default', 0);
    spec.train.batch = 12;
    const p = privateFloats(spec);
    expect(softmaxKernelOf(64, 16, 1)).toBe('heads');
    expect(p.splitEvaluation).toBe(true);
    expect(Math.max(p.train, p.evaluate)).toBeLessThanOrEqual(PRIVATE_FLOAT_LIMIT);
    const r = await check(spec);
    console.info(`H=16 d=64 n=6: relative error forward ${r.forward.toExponential(1)}, gradient ${r.gradient.toExponential(1)}, loss ${r.loss.toExponential(1)}`);
    expect(r.finite).toBe(true);
    expect(r.forward).toBeLessThan(1e-4);
    expect(r.gradient).toBeLessThan(1e-4);
    expect(r.loss).toBeLessThan(1e-4);
  });

  it('a batch of 601 (three partial sums, a ragged last vec4 of prompts) matches too', async () => {
    const spec = softmaxSpec(3, 10, 2, 'default', 0);
    spec.train.batch = 601;
    const r = await check(spec);
    expect(r.gradient).toBeLessThan(1e-4);
    expect(r.loss).toBeLessThan(1e-4);
  });

  it('logits near the fixed shift\'s limit (±40): prompts that need the second pass sit beside ones that do not, and all match', async () => {
    // The max logit per head and prompt, from the float64 forward pass's pieces.
    const maxLogits = (spec: ExperimentSpec, theta: ArrayLike<number>, prompts: Prompt[]) => {
      const L = softmaxLayout(spec.task.d, spec.model.heads, spec.task.tasks);
      return prompts.map((p) => {
        const f = softmaxForward(theta, p, L);
        let worst = 0;
        f.heads.forEach((hd, h) => {
          let mx = -Infinity;
          for (let i = 0; i < f.n; i++) {
            let l = 0;
            for (let j = 0; j < L.D; j++) {
              let kz = 0;
              for (let k = 0; k < L.D; k++) kz += theta[L.k(h) + j * L.D + k] * f.z(i, k);
              l += hd.q[j] * kz;
            }
            mx = Math.max(mx, l / Math.sqrt(L.D));
          }
          worst = Math.max(worst, Math.abs(mx));
        });
        return worst;
      });
    };
    const { device } = await testDevice();
    let mixed: { scale: number; beyond: number } | null = null;
    for (const scale of [0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]) {
      const spec = softmaxSpec(5, 40, 2, 'gaussian', scale);
      const trainer = await Trainer.create(device, spec, { chunkSteps: 2 });
      const prompts = await gpuSamplePrompts(device, trainer.task, { seed: spec.train.dataSeed, stepWord: STREAM.EVAL, count: 96 });
      const beyond = maxLogits(spec, trainer.initialParams, prompts).filter((m) => m > 40).length / prompts.length;
      trainer.destroy();
      if (beyond >= 0.2 && beyond <= 0.8) {
        mixed = { scale, beyond };
        // The heads kernel redoes a workgroup's pass where any of its prompts needs it, and only those prompts keep it.
        for (const kernel of ['thread', 'heads'] as const) {
          const r = await check(spec, kernel);
          console.info(`init scale ${scale}, ${kernel} kernel: ${(beyond * 100).toFixed(0)}% of prompts beyond ±40; forward ${r.forward.toExponential(1)}, gradient ${r.gradient.toExponential(1)}`);
          expect(r.finite).toBe(true);
          expect(r.forward).toBeLessThan(1e-4);
          expect(r.gradient).toBeLessThan(1e-4);
        }
        break;
      }
    }
    expect(mixed).not.toBeNull();
  });

  it('large logits (hundreds): no overflow, no NaN, still matches', async () => {
    for (const [d, n, H, kernel] of [[5, 40, 2, 'thread'], [12, 200, 3, 'thread'], [12, 200, 3, 'heads']] as const) {
      const r = await check(softmaxSpec(d, n, H, 'gaussian', 2.5), kernel);
      console.info(`large logits H=${H} d=${d} n=${n}, ${kernel} kernel: forward ${r.forward.toExponential(1)}, gradient ${r.gradient.toExponential(1)}`);
      expect(r.finite).toBe(true);
      expect(r.forward).toBeLessThan(1e-4);
      expect(r.gradient).toBeLessThan(1e-4);
    }
  });
});

// The heads kernel (softmax_train_heads.wgsl): a prompt's heads on the threads
// of a workgroup, its context in workgroup memory a tile at a time.
describe('softmax attention, heads split across threads, vs float64 reference', () => {
  it('H ∈ {2, 3, 8}, k ∈ {1, 2}, contexts of one token to several tiles, a ragged last workgroup: forward, gradient and loss', async () => {
    for (const [d, n, H, K] of [[5, 40, 2, 1], [5, 1, 3, 1], [12, 200, 3, 1], [4, 150, 8, 2], [20, 60, 8, 1]]) {
      const spec = softmaxSpec(d, n, H, 'default', 0);
      spec.task.tasks = K;
      const shape = headsKernelShape(d, H, K, n);
      const r = await check(spec, 'heads');
      console.info(`heads kernel H=${H} d=${d} k=${K} n=${n} (${shape.PPW} prompts a workgroup, tiles of ${shape.TILE}): forward ${r.forward.toExponential(1)}, gradient ${r.gradient.toExponential(1)}, loss ${r.loss.toExponential(1)}`);
      expect(r.finite).toBe(true);
      expect(r.forward).toBeLessThan(1e-4);
      expect(r.gradient).toBeLessThan(1e-4);
      expect(r.loss).toBeLessThan(1e-4);
    }
  });

  it('its evaluation column (eval_model_heads.wgsl) equals the one-thread predictor\'s bit for bit on this adapter, at the training length and at other lengths', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&T=5&B=64&d=7&n=30&model=softmax&H=4&K=2&init=gaussian&iscale=0.6&opt=adam&lr=0.01').spec;
    const t = await Trainer.create(device, spec, { chunkSteps: 2, softmaxKernel: 'heads' });
    try {
      await t.run({ steps: 3 });
      const { TILE } = headsKernelShape(7, 4, 2, 30);
      for (const nCtx of [30, 1, 2 * TILE + 3, 97]) {
        const heads = await t.evaluate({ prompts: 150, nCtx });
        const thread = await t.evaluate({ prompts: 150, nCtx, splitModel: false });
        for (const [o, out] of heads.outputs.entries()) {
          expect(Array.from(out.model), `n = ${nCtx}, output ${o}`).toEqual(Array.from(thread.outputs[o].model));
          expect(Array.from(out.ridge)).toEqual(Array.from(thread.outputs[o].ridge));
        }
        // A column of predictions, not of zeros.
        expect(heads.outputs[0].model.some((v) => v !== 0)).toBe(true);
      }
    } finally {
      t.destroy();
    }
  });

  it('adds the same terms in the same order as the one-thread kernel: five steps of SGD and Adam give the same bits on this adapter', async () => {
    const { device } = await testDevice();
    for (const q of ['v=1&T=5&B=64&d=5&n=40&model=softmax&H=2&init=default', 'v=1&T=5&B=100&d=12&n=70&model=softmax&H=4&K=2&init=default&opt=adam&lr=0.003']) {
      const spec = decodeSpec(q).spec;
      const runs = [];
      for (const kernel of ['thread', 'heads'] as const) {
        const t = await Trainer.create(device, spec, { chunkSteps: 2, softmaxKernel: kernel });
        const losses: number[] = [];
        await t.run({ steps: 5, onReadback: (r) => losses.push(...r.losses) });
        runs.push({ losses, init: Array.from(t.initialParams), params: Array.from((await t.snapshot()).params) });
        t.destroy();
      }
      expect(runs[1].losses, q).toEqual(runs[0].losses);
      expect(runs[1].params, q).toEqual(runs[0].params);
      // The steps moved the parameters (equal bits would otherwise say nothing).
      expect(runs[0].params).not.toEqual(runs[0].init);
      expect(runs[0].losses).toHaveLength(5);
    }
  });
});
