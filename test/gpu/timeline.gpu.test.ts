// The runner's timeline: submissions end at the log-spaced steps, which
// changes no number, and each kept snapshot is bit for bit the parameters a
// run stopped at that step has.
import { describe, expect, it } from 'vitest';
import { Trainer } from '../../src/engine/trainer.ts';
import { runExperiment } from '../../src/orchestration/run.ts';
import { timelineSteps } from '../../src/orchestration/timeline.ts';
import { decodeSpec } from '../../src/spec/index.ts';
import { testDevice } from './device.ts';

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('the runner’s timeline', () => {
  it('keeps the log-spaced steps, each bit for bit the parameters of a run stopped there, and the final ones unchanged by the extra readbacks', async () => {
    const { device } = await testDevice();
    const spec = decodeSpec('v=1&model=softmax&init=default&H=2&d=3&n=10&B=64&T=300&lr=0.01&sched=cosine&ds=4&is=6&ep=512').spec;
    const result = await runExperiment(device, spec, { adapter: 'test', chunkSteps: 50, timeline: true, lengths: [10] });
    const tl = result.timeline!;
    expect(tl.step).toEqual(timelineSteps(300));
    const plain = await runExperiment(device, spec, { adapter: 'test', chunkSteps: 50, lengths: [10] });
    expect(plain.timeline).toBeUndefined();
    // The same losses and final parameters with or without the timeline's readbacks.
    expect(result.lossHistory).toEqual(plain.lossHistory);
    const finalOf = (r: typeof result) => Object.values(r.matrices).flatMap((m) => m.data);
    expect(bits(finalOf(result))).toEqual(bits(finalOf(plain)));
    expect(bits(tl.params[tl.params.length - 1])).toEqual(bits((await paramsAt(device, spec, 300))));
    for (const i of [0, 1, 7, Math.floor(tl.step.length / 2)]) expect(bits(tl.params[i])).toEqual(bits(await paramsAt(device, spec, tl.step[i])));
  });
});

async function paramsAt(device: GPUDevice, spec: Parameters<typeof Trainer.create>[1], step: number): Promise<Float32Array> {
  const t = await Trainer.create(device, spec, { chunkSteps: 37 });
  try {
    if (step === 0) return t.initialParams;
    await t.run({ steps: step });
    return await t.readParams();
  } finally {
    t.destroy();
  }
}
