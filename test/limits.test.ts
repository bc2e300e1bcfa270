// Specs beyond the GPU's limits are refused before allocation, with the limit
// and the largest setting that fits.
import { describe, expect, it } from 'vitest';
import { checkTrainingLimits, evalChunkPrompts, isCpuAdapter, PRIVATE_FLOAT_LIMIT, privateFloats, ResourceLimitError, type EngineLimits } from '../src/engine/limits.ts';
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

  it('models whose per-thread private memory would crash an emulated GPU are refused, naming the cap; every softmax the fields allow now fits', () => {
    const roomy: EngineLimits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
    // Past the field table (d ≤ 64): the baselines' XᵀX and its factor at d = 100.
    const beyond = decodeSpec('v=1&model=softmax&init=default&d=64&H=16&K=4&B=64').spec;
    beyond.task.d = 100;
    expect(privateFloats(beyond).evaluate).toBeGreaterThan(PRIVATE_FLOAT_LIMIT);
    expect(() => checkTrainingLimits(beyond, modelFor(beyond), roomy, 10)).toThrow(/engine allows 5000, past which it crashes.*Use a smaller d or fewer tasks\./);
    // The largest softmax and LSA the fields allow fit: many heads are split across threads, in training and in evaluation.
    for (const q of ['v=1&model=softmax&init=default&d=64&H=16&K=4', 'v=1&model=softmax&d=64&H=4', 'v=1&model=softmax&d=48&H=16', 'v=1&d=64&K=4', 'v=1&model=softmax&d=24&H=16&K=4', 'v=1&model=softmax&d=56&H=8&K=2', 'v=1&model=softmax&d=64&H=1&K=4']) {
      const spec = decodeSpec(q).spec;
      expect(Math.max(privateFloats(spec).train, privateFloats(spec).evaluate), q).toBeLessThanOrEqual(PRIVATE_FLOAT_LIMIT);
      expect(() => checkTrainingLimits(spec, modelFor(spec), roomy, 10), q).not.toThrow();
    }
  });

  it('a batch of a kernel with several prompts a workgroup is checked against the workgroup count at its prompts a workgroup', () => {
    const spec = decodeSpec('v=1&model=softmax&init=default&d=64&H=16&B=65536').spec;
    const model = modelFor(spec);
    expect(model.promptsPerWorkgroup).toBe(4);
    expect(() => checkTrainingLimits(spec, model, { ...SMALL, maxStorageBufferBindingSize: 2 ** 34, maxBufferSize: 2 ** 34, maxComputeWorkgroupsPerDimension: 100 }, 10, { cpu: false })).toThrow(
      /needs 16384 workgroups.*largest batch that fits is 400\./,
    );
  });

  it('the private-memory cap guards CPU adapters only; a hardware GPU takes what its buffers allow', () => {
    const roomy: EngineLimits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
    const big = decodeSpec('v=1&model=softmax&init=default&d=64&H=16&K=4&B=64').spec;
    big.task.d = 100;
    expect(() => checkTrainingLimits(big, modelFor(big), roomy, 10, { cpu: true })).toThrow(/CPU-emulated GPU/);
    expect(() => checkTrainingLimits(big, modelFor(big), roomy, 10, { cpu: false })).not.toThrow();
    // Buffer limits still hold on hardware.
    expect(() => checkTrainingLimits(big, modelFor(big), SMALL, 10, { cpu: false })).toThrow(/largest batch that fits/);
  });

  it('d = 64 with 16 heads fits a CPU adapter: its evaluation runs the model, heads across threads, apart from the baselines', () => {
    const spec = decodeSpec('v=1&model=softmax&init=default&d=64&H=16&B=16').spec;
    const p = privateFloats(spec);
    expect(p.splitEvaluation).toBe(true);
    // Fused with one thread's every head, the evaluation would pass the cap.
    const fusedModel = 16 * 65 * 2 + 16 * 3;
    expect(p.evaluateBaselines + fusedModel).toBeGreaterThan(PRIVATE_FLOAT_LIMIT);
    expect(p.evaluateModel).toBeLessThan(500);
    expect(p.evaluate).toBe(Math.max(p.evaluateBaselines, p.evaluateModel));
    const roomy: EngineLimits = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
    expect(() => checkTrainingLimits(spec, modelFor(spec), roomy, 10, { cpu: true })).not.toThrow();
    // Small models evaluate fused.
    expect(privateFloats(decodeSpec('v=1&model=softmax&d=5&H=2').spec).splitEvaluation).toBe(false);
  });

  it('CPU adapters are recognised by the fallback flag or by name; an adapter that says nothing counts as one', () => {
    expect(isCpuAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' })).toBe(true);
    expect(isCpuAdapter({ vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isCpuAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isCpuAdapter({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: true })).toBe(true);
    expect(isCpuAdapter(undefined)).toBe(true);
    expect(isCpuAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false })).toBe(false);
    expect(isCpuAdapter({ vendor: 'apple', architecture: 'metal-3', description: '' })).toBe(false);
    expect(isCpuAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770 (Hardware)' })).toBe(false);
  });

  it('evaluation chunks fit one buffer and one dispatch', () => {
    expect(evalChunkPrompts(SMALL, 100)).toBe(Math.floor(2 ** 20 / 100));
    expect(evalChunkPrompts({ ...SMALL, maxComputeWorkgroupsPerDimension: 10 }, 4)).toBe(640);
    // The heads evaluation kernel (4 prompts a workgroup at 16 heads): a quarter as many prompts fit one dispatch.
    expect(evalChunkPrompts({ ...SMALL, maxComputeWorkgroupsPerDimension: 10 }, 4, 4)).toBe(40);
  });
});
