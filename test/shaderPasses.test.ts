// The WGSL source passes: unrolling marked constant loops, and turning
// constant-indexed private arrays into scalars, must keep the program's meaning.
import { describe, expect, it } from 'vitest';
import { unrollLoops, MAX_UNROLL } from '../src/engine/unroll.ts';
import { scalarizeArrays } from '../src/engine/scalarize.ts';
import { pruneStaticBranches } from '../src/engine/staticIf.ts';

describe('unrollLoops', () => {
  it('unrolls a marked loop with a constant bound, substituting the index', () => {
    const src = 'fn f() {\n  // @unroll\n  for (var k = 0u; k < D; k++) { a[k] = k + kk; }\n}';
    const out = unrollLoops(src, { D: 3 });
    expect(out).not.toContain('for');
    expect(out).toContain('a[0u] = 0u + kk;');
    expect(out).toContain('a[2u] = 2u + kk;');
  });

  it('unrolls nested loops and leaves long or unmarked loops alone', () => {
    const src = '// @unroll\nfor (var h = 0u; h < H; h++) {\n  // @unroll\n  for (var k = 0u; k < D; k++) { c[h * D + k] = 1.0; }\n}\nfor (var i = 0u; i < N; i++) { }';
    const out = unrollLoops(src, { H: 2, D: 2, N: 5 });
    expect(out.match(/c\[/g)).toHaveLength(4);
    expect(out).toContain('c[1u * D + 1u]');
    expect(out).toContain('for (var i = 0u; i < N; i++)');
    const long = unrollLoops('// @unroll\nfor (var k = 0u; k < D; k++) { x[k] = 0.0; }', { D: MAX_UNROLL + 1 });
    expect(long).toBe('for (var k = 0u; k < D; k++) { x[k] = 0.0; }');
  });
});

describe('unrollLoops around loops that stay', () => {
  const nest = (outer: string) =>
    `// @unroll\nfor (var t = 0u; t < ${outer}; t++) {\n  // @unroll\n  for (var k = 0u; k < D; k++) { e[t * D + k] += 1.0; }\n  s[t] = 0.0;\n}`;

  it('keeps a loop, however short, around a marked loop too long to unroll (copies of a loop make no index constant)', () => {
    const out = unrollLoops(nest('NT'), { NT: 1, D: MAX_UNROLL + 1 });
    expect(out.match(/for \(/g)).toHaveLength(2);
    expect(out).not.toContain('@unroll');
    expect(out).toContain('s[t] = 0.0;');
  });

  it('unrolls both where the inner loop unrolls too', () => {
    const out = unrollLoops(nest('NT'), { NT: 2, D: 3 });
    expect(out).not.toContain('for (');
    expect(out.match(/e\[/g)).toHaveLength(6);
    expect(out).toContain('s[1u] = 0.0;');
  });

  it('unrolls a short loop around an unmarked loop, and keeps a long one around it', () => {
    const src = (n: string) => `// @unroll\nfor (var h = 0u; h < ${n}; h++) {\n  for (var i = 0u; i < N; i++) { a[h] += b[i]; }\n}`;
    const short = unrollLoops(src('H'), { H: 2, N: 100 });
    expect(short).not.toContain('for (var h');
    expect(short.match(/for \(var i/g)).toHaveLength(2);
    const long = unrollLoops(src('H'), { H: 16, N: 100 });
    expect(long.match(/for \(var h/g)).toHaveLength(1);
    expect(long.match(/for \(var i/g)).toHaveLength(1);
  });
});

describe('scalarizeArrays', () => {
  it('replaces constant-indexed arrays by scalars and keeps the others', () => {
    const src = 'fn f() {\n  var c: array<f32, H * D>;\n  var x: array<f32, D>;\n  var y: array<f32, D>;\n  c[1u * D + 1u] += c[0u];\n  g(&x);\n  y[i] = 1.0;\n  (*m).c[0] = 1.0;\n}';
    const out = scalarizeArrays(src, { H: 2, D: 3 });
    expect(out).toContain('var c__0: f32;');
    expect(out).toContain('var c__5: f32;');
    expect(out).toContain('c__4 += c__0;');
    expect(out).toContain('var x: array<f32, D>;');
    expect(out).toContain('y[i] = 1.0;');
    expect(out).toContain('(*m).c[0] = 1.0;');
  });

  it('leaves an array alone when an index is out of range', () => {
    const src = 'var c: array<f32, D>;\nc[3u] = 1.0;';
    expect(scalarizeArrays(src, { D: 3 })).toBe(src);
  });
});

describe('constant folding without eval', () => {
  it('evaluates integer expressions with +, -, * and parentheses, and rejects anything else', async () => {
    const { evalArithmetic } = await import('../src/engine/arith.ts');
    expect(evalArithmetic('3 * (5 + 1) - 2')).toBe(16);
    expect(evalArithmetic('(2 + 3) * (4 - 1) * 2')).toBe(30);
    expect(evalArithmetic('7 - 2 - 1')).toBe(4);
    expect(evalArithmetic('-3 + 5')).toBe(2);
    expect(evalArithmetic('2 * 3 + 4 * 5')).toBe(26);
    for (const bad of ['', '(1 + 2', '1 +', 'NaN', '2 ** 3', '1 2', 'alert(1)']) expect(evalArithmetic(bad)).toBeNull();
  });
});

describe('pruneStaticBranches', () => {
  it('keeps the taken branch of an if on a boolean constant, with or without else, negated or not', () => {
    const src = 'fn f() {\n  if (A) { x = 1.0; } else { x = 2.0; }\n  if (!A) { y = 1.0; }\n  if (B) { if (A) { z = 3.0; } } else { z = 4.0; }\n}';
    const out = pruneStaticBranches(src, { A: true, B: false });
    expect(out).toContain('{ x = 1.0; }');
    expect(out).not.toContain('x = 2.0');
    expect(out).not.toContain('y = 1.0');
    expect(out).toContain('{ z = 4.0; }');
    expect(out).not.toContain('z = 3.0');
    expect(out).not.toMatch(/\bif\b/);
  });

  it('leaves other conditions, numeric constants and else-if chains alone', () => {
    const src = 'if (N == 0u) { a(); }\nif (N) { b(); }\nif (A) { c(); } else if (k > 1u) { d(); }\nif (lower) { e(); }';
    expect(pruneStaticBranches(src, { N: 3, A: true })).toBe(src);
  });
});
