// Branches on boolean prelude constants, decided at the source level:
// `if (FLAG) { A } else { B }` becomes `{ A }` or `{ B }`. GPU compilers drop
// such dead code themselves; CPU-emulated GPUs compile it, and the larger
// module also exhausts the unrolling pass's size budget sooner, so the hot
// loops of a kernel would stay loops. Only a bare constant (or its negation)
// with a plain `else { … }` or none is decided; anything else is left as is.
import type { Constants } from './shaders.ts';
import { matchBrace } from './unroll.ts';

const IF = /\bif \((!?)([A-Z_][A-Z0-9_]*)\) \{/g;

export function pruneStaticBranches(src: string, consts: Constants): string {
  for (let from = 0; ; ) {
    IF.lastIndex = from;
    const m = IF.exec(src);
    if (!m) return src;
    const value = consts[m[2]];
    if (typeof value !== 'boolean') {
      from = m.index + m[0].length;
      continue;
    }
    const thenOpen = m.index + m[0].length - 1;
    const thenEnd = matchBrace(src, thenOpen);
    const rest = /^\s*else\s*(\{|if\b)/.exec(src.slice(thenEnd));
    if (rest && rest[1] === 'if') {
      from = m.index + m[0].length;
      continue;
    }
    const elseOpen = rest ? thenEnd + rest[0].length - 1 : -1;
    const end = rest ? matchBrace(src, elseOpen) : thenEnd;
    const taken = value !== (m[1] === '!');
    const body = taken ? src.slice(thenOpen, thenEnd) : rest ? src.slice(elseOpen, end) : '{}';
    src = src.slice(0, m.index) + body + src.slice(end);
    from = m.index;
  }
}
