import { describe, expect, it } from 'vitest';
import { titleParts } from '../src/models/matrixTitle.ts';

const render = (name: string) => titleParts(name).map((p) => (p.kind === 'plain' ? p.text : `<${p.kind}>${p.text}</${p.kind}>`)).join('');

describe('matrix titles', () => {
  it('set every subscript and superscript of a name, and leave plain names alone', () => {
    expect(render('W_KQ')).toBe('W<sub>KQ</sub>');
    expect(render('W_K^1')).toBe('W<sub>K</sub><sup>1</sup>');
    expect(render('W_KᵀW_Q^2·ℓ3')).toBe('W<sub>K</sub>ᵀW<sub>Q</sub><sup>2</sup>·ℓ3');
    expect(render('W_PV·ℓ2')).toBe('W<sub>PV</sub>·ℓ2');
    expect(render('KQ^3')).toBe('KQ<sup>3</sup>');
    expect(render('pattern OV')).toBe('pattern OV');
  });
});
