// After unrolling, most private arrays are only ever indexed by constants.
// CPU-emulated GPUs keep private arrays in memory whatever the index; plain
// scalars can live in registers. This pass turns such arrays into scalars
// (`c[1u * D + 2u]` → `c__8`), leaving alone any array used otherwise
// (passed by pointer, indexed by a runtime value, or a name reused for a
// non-array).
import { evalArithmetic } from './arith.ts';
import type { Constants } from './shaders.ts';

const DECL = /var (\w+): array<f32, ([^>;]+)>;/g;

function evalConst(expr: string, consts: Constants): number | null {
  const text = expr
    .replace(/\b(\d+)u\b/g, '$1')
    .replace(/\b[A-Za-z_]\w*\b/g, (name) => {
      const v = consts[name];
      return typeof v === 'number' ? String(v) : 'NaN';
    });
  if (!/^[\d\s()*+-]+$/.test(text)) return null;
  const v = evalArithmetic(text);
  return v !== null && Number.isInteger(v) && v >= 0 ? v : null;
}

/** The bracketed index after position `open` (which holds '['), or null. */
function bracket(src: string, open: number): { expr: string; end: number } | null {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '[') depth++;
    else if (src[i] === ']' && --depth === 0) return { expr: src.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

export function scalarizeArrays(src: string, consts: Constants): string {
  const names = new Map<string, number>();
  for (const m of src.matchAll(DECL)) {
    const size = evalConst(m[2], consts);
    const prev = names.get(m[1]);
    names.set(m[1], size === null || (prev !== undefined && prev !== size) ? -1 : size);
  }
  for (const [name, size] of names) {
    if (size <= 0) continue;
    const placeholder = `/*scalars:${name}*/`;
    const marked = src.replace(new RegExp(`var ${name}: array<f32, [^>;]+>;`, 'g'), placeholder);
    const use = new RegExp(`(?<![\\w.*:])${name}\\b`, 'g');
    const edits: { start: number; end: number; text: string }[] = [];
    let ok = true;
    for (const m of marked.matchAll(use)) {
      const open = m.index! + name.length;
      const b = marked[open] === '[' ? bracket(marked, open) : null;
      const idx = b ? evalConst(b.expr, consts) : null;
      if (!b || idx === null || idx >= size) {
        ok = false;
        break;
      }
      edits.push({ start: m.index!, end: b.end, text: `${name}__${idx}` });
    }
    if (!ok) continue;
    let out = '';
    let pos = 0;
    for (const e of edits) {
      out += marked.slice(pos, e.start) + e.text;
      pos = e.end;
    }
    out += marked.slice(pos);
    const scalars = Array.from({ length: size }, (_, i) => `var ${name}__${i}: f32;`).join(' ');
    src = out.split(placeholder).join(scalars);
  }
  return src;
}
