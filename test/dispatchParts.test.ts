// How a step's training dispatch is split: not at all for any preset or
// benchmark configuration; at the largest shapes, into parts of at most about
// TRAIN_DISPATCH_FLOPS each that cover every workgroup once.
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../src/engine/shaders.ts';
import { MAX_STEP_SLOTS, PROMPT_BASE_WORD, stepsPerSubmission, SUBMISSION_FLOPS, TRAIN_DISPATCH_FLOPS, trainDispatchParts } from '../src/engine/dispatchParts.ts';
import { trainWorkPerPrompt } from '../src/engine/cost.ts';
import { modelFor } from '../src/models/index.ts';
import { PRESETS, presetSpec } from '../src/spec/presets.ts';
import { BENCH_GRID, benchSpec } from '../src/bench/grid.ts';
import { decodeSpec } from '../src/spec/index.ts';
import type { ExperimentSpec } from '../src/spec/types.ts';

const groupsOf = (spec: ExperimentSpec) => Math.ceil(spec.train.batch / (modelFor(spec).promptsPerWorkgroup ?? 64));

describe('training dispatch parts', () => {
  it('every preset and benchmark configuration trains in one dispatch a step', () => {
    for (const spec of [...PRESETS.map(presetSpec), ...BENCH_GRID.map(benchSpec)]) expect(trainDispatchParts(spec, groupsOf(spec)).parts).toBe(1);
  });

  it('the largest shapes split into parts of about the budget that cover every workgroup once', () => {
    for (const q of ['v=1&model=softmax&init=default&d=64&H=16&n=1024&B=65536', 'v=1&model=lsa&d=64&n=1024&B=65536', 'v=1&model=lsa&d=14&n=1024&B=65536&H=4&param=separate&rank=3&layers=4&tied=0']) {
      const spec = decodeSpec(q).spec;
      const groups = groupsOf(spec);
      const ppw = modelFor(spec).promptsPerWorkgroup ?? 64;
      const { parts, groupsPerPart } = trainDispatchParts(spec, groups);
      expect(parts, q).toBeGreaterThan(1);
      // Every workgroup once; the last part is not empty.
      expect((parts - 1) * groupsPerPart).toBeLessThan(groups);
      expect(parts * groupsPerPart).toBeGreaterThanOrEqual(groups);
      // Each part's work is within the budget, give or take a workgroup's rounding.
      const perPart = groupsPerPart * ppw * trainWorkPerPrompt(spec);
      expect(perPart, q).toBeLessThanOrEqual(TRAIN_DISPATCH_FLOPS + ppw * trainWorkPerPrompt(spec));
      expect(perPart, q).toBeGreaterThan(TRAIN_DISPATCH_FLOPS / 2);
    }
  });

  it('batched runs split by their summed work; a forced count is kept within the workgroups', () => {
    const spec = decodeSpec('v=1&model=softmax&init=default&d=32&H=8&n=256&B=4096').spec;
    const groups = groupsOf(spec);
    const one = trainDispatchParts(spec, groups).parts;
    expect(trainDispatchParts(spec, groups, 64).parts).toBeGreaterThan(one);
    expect(trainDispatchParts(spec, groups, 1, 3)).toEqual({ parts: 3, groupsPerPart: Math.ceil(groups / 3) });
    expect(trainDispatchParts(spec, 2, 1, 50)).toEqual({ parts: 2, groupsPerPart: 1 });
  });
});

describe('steps per submission', () => {
  it('every preset keeps the steps it asks for; a heavy step takes fewer, never none', () => {
    for (const spec of PRESETS.map(presetSpec)) expect(stepsPerSubmission(spec, 100, 1)).toBe(100);
    const heavy = decodeSpec('v=1&model=softmax&init=default&d=32&n=512&B=1024&H=4').spec;
    const work = heavy.train.batch * trainWorkPerPrompt(heavy);
    expect(stepsPerSubmission(heavy, 100, 1)).toBe(Math.floor(SUBMISSION_FLOPS / work));
    expect(stepsPerSubmission(heavy, 100, 1)).toBeLessThan(100);
    expect(stepsPerSubmission(heavy, 5, 1)).toBe(5);
    const huge = decodeSpec('v=1&model=softmax&init=default&d=64&H=16&n=1024&B=65536').spec;
    expect(stepsPerSubmission(huge, 100, trainDispatchParts(huge, 16384).parts)).toBe(1);
    // A split step's slots: at most MAX_STEP_SLOTS across its parts.
    const light = decodeSpec('v=1&d=2&n=2&B=8').spec;
    expect(stepsPerSubmission(light, 1000, 40)).toBe(Math.floor(MAX_STEP_SLOTS / 40));
  });
});

describe('StepInfo.prompt_base', () => {
  it('sits at the word the trainers write', () => {
    // Every field of StepInfo is one 4-byte word, so a field's word is its place in the struct.
    const body = /struct StepInfo \{([^}]*)\}/.exec(SOURCES.common)![1];
    const fields = [...body.matchAll(/^\s*(\w+): (\w+),/gm)].map((m) => [m[1], m[2]]);
    expect(fields.every(([, type]) => type === 'u32' || type === 'f32')).toBe(true);
    expect(fields).toHaveLength(8);
    expect(fields.findIndex(([name]) => name === 'prompt_base')).toBe(PROMPT_BASE_WORD);
  });
});
