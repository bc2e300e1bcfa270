// Picking another optimizer in the page's control: the new optimizer gets its
// source's published settings, the learning rate and the rest of the spec stay,
// the note names the source and exactly the fields that moved, and the spec
// passed in is left as it was.
import { describe, expect, it } from 'vitest';
import { assertValidSpec, decodeSpec, defaultSpec, encodeSpec, OPTIMIZER_SOURCES, OPTIMIZERS } from '../src/spec/index.ts';
import { switchOptimizer } from '../src/store/optimizerSwitch.ts';

describe('switchOptimizer', () => {
  it('Muon from the default Adam: momentum 0.95 with Nesterov, named with its source', () => {
    const spec = defaultSpec();
    spec.optimizer.lr = 0.0123;
    const before = structuredClone(spec);
    const { spec: out, note } = switchOptimizer(spec, 'muon');
    expect(spec).toEqual(before);
    expect(out.optimizer.kind).toBe('muon');
    expect(out.optimizer.momentum).toBe(0.95);
    expect(out.optimizer.nesterov).toBe(true);
    expect(out.optimizer.lr).toBe(0.0123);
    expect(note).toBe('Muon (Jordan et al. 2024, KellerJordan/Muon): mom = 0.95, nest = 1');
    // Nothing outside the optimizer's published settings moved.
    const { kind: _k, momentum: _m, nesterov: _n, ...rest } = out.optimizer;
    const { kind: _k0, momentum: _m0, nesterov: _n0, ...rest0 } = before.optimizer;
    expect(rest).toEqual(rest0);
    expect({ ...out, optimizer: null }).toEqual({ ...before, optimizer: null });
  });

  it('SOAP and Lion set their β₁, β₂ (and SOAP its precondition frequency); only changed fields are listed', () => {
    const soap = switchOptimizer(defaultSpec(), 'soap');
    expect(soap.spec.optimizer).toMatchObject({ kind: 'soap', beta1: 0.95, beta2: 0.95, eps: 1e-8, precondFreq: 10 });
    // The default spec already has ε = 1e-8 and precondFreq = 10: not listed.
    expect(soap.note).toBe('SOAP (Vyas et al. 2024, nikhilvyas/SOAP): b1 = 0.95, b2 = 0.95');
    const lion = switchOptimizer(soap.spec, 'lion');
    expect(lion.spec.optimizer).toMatchObject({ kind: 'lion', beta1: 0.9, beta2: 0.99 });
    expect(lion.note).toBe('Lion (Chen et al. 2023, google/automl): b1 = 0.9, b2 = 0.99');
  });

  it('no note where the spec already has every published setting', () => {
    const spec = defaultSpec();
    expect(spec.optimizer.kind).toBe('adam');
    const { spec: out, note } = switchOptimizer(spec, 'adamw');
    expect(out.optimizer.kind).toBe('adamw');
    expect(note).toBeNull();
    expect(switchOptimizer(out, 'adamw').note).toBeNull();
  });

  it('every optimizer: a valid spec that round-trips through its link, carrying the source defaults and the learning rate', () => {
    for (const from of OPTIMIZERS)
      for (const to of OPTIMIZERS) {
        const start = switchOptimizer(defaultSpec(), from).spec;
        start.optimizer.lr = 0.0042;
        const { spec: out, note } = switchOptimizer(start, to);
        expect(() => assertValidSpec(out)).not.toThrow();
        expect(out.optimizer.lr).toBe(0.0042);
        expect(out.optimizer).toMatchObject({ kind: to, ...OPTIMIZER_SOURCES[to].defaults });
        if (note !== null) expect(note.startsWith(`${OPTIMIZER_SOURCES[to].source}: `)).toBe(true);
        const decoded = decodeSpec(encodeSpec(out));
        expect(decoded.errors).toEqual([]);
        expect(decoded.spec).toEqual(out);
      }
  });
});
