// Specs beyond the GPU's limits are refused before allocation, with the limit
// and the largest setting that fits.
import { describe, expect, it } from 'vitest';
import { checkTrainingLimits, evalChunkPrompts, ResourceLimitError, type EngineLimits } from '../src/engine/limits.ts';
import { modelFor } from '../src/models/index.ts';
import { decodeSpec } from '../src/spec/index.ts';

const SMALL: EngineLimits = { maxStorageBufferBindingSize: 2 ** 20, maxBufferSize: 2 ** 28, maxComputeWorkgroupsPerDimension: 65535 };

describe('resource limits', () => {
  it('a batch whose gradient rows exceed the storage limit is refused with the largest batch that fits', () => {
    const spec = decodeSpec('v=1&model=softmax&H=8&d=20&n=10&B=4096').spec;
    const model = modelFor(spec);
    const fits = Math.floor(2 ** 20 / (model.contribStride * 4));
    expect(() => checkTrainingLimits(spec, model, SMALL, 100)).toThrow(ResourceLimitError);
    expect(() => checkTrainingLimits(spec, model, SMALL, 100)).toThrow(new RegExp(`largest batch that fits is ${fits}\\.`));
    expect(() => checkTrainingLimits(spec, model, SMALL, 100)).toThrow(/1\.0 MiB per buffer/);
    spec.train.batch = fits;
    expect(() => checkTrainingLimits(spec, model, SMALL, 100)).not.toThrow();
    spec.train.batch = fits + 1;
    expect(() => checkTrainingLimits(spec, model, SMALL, 100)).toThrow(ResourceLimitError);
  });

  it('the workgroup count of one dispatch is checked too', () => {
    const spec = decodeSpec('v=1&d=2&n=2&B=65536').spec;
    expect(() => checkTrainingLimits(spec, modelFor(spec), { ...SMALL, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 100 }, 10)).toThrow(
      /largest batch that fits is 6400\./,
    );
  });

  it('evaluation chunks fit one buffer and one dispatch', () => {
    expect(evalChunkPrompts(SMALL, 100)).toBe(Math.floor(2 ** 20 / 100));
    expect(evalChunkPrompts({ ...SMALL, maxComputeWorkgroupsPerDimension: 10 }, 4)).toBe(640);
  });
});
