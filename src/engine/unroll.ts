// Loop unrolling at the WGSL source level, for loops marked `// @unroll` whose
// bound is a prelude constant. CPU-emulated GPUs (SwiftShader's Subzero JIT)
// neither unroll loops nor keep dynamically indexed private arrays in
// registers; with the index a literal, every array access becomes a constant
// one. GPU compilers unroll such loops anyway, so this costs them nothing.
import { evalArithmetic } from './arith.ts';
import type { Constants } from './shaders.ts';

/** Loops of up to this many iterations are always unrolled. */
export const ALWAYS_UNROLL = 8;
/** Loops with more iterations than this stay loops (code size). */
export const MAX_UNROLL = 40;
/**
 * A loop of ALWAYS_UNROLL < count ≤ MAX_UNROLL iterations is unrolled only if
 * its copies add at most this many characters, and not once the module has
 * grown past MAX_SOURCE: very long straight-line kernels compile slowly and
 * can crash CPU-emulated GPUs. So at large d the small per-coordinate loops
 * unroll while big bodies stay loops.
 */
export const MAX_UNROLLED_CHARS = 24_000;
export const MAX_SOURCE = 250_000;

const LOOP = /\/\/ @unroll\n(\s*)for \(var (\w+) = 0u; \2 < ([\w ()*+-]+); \2\+\+\) \{/;

function evalBound(expr: string, consts: Constants): number | null {
  const text = expr.replace(/\b[A-Z_][A-Z0-9_]*\b/g, (name) => {
    const v = consts[name];
    return typeof v === 'number' ? String(v) : 'NaN';
  });
  if (!/^[\d\s()*+-]+$/.test(text)) return null;
  const v = evalArithmetic(text);
  return v !== null && Number.isInteger(v) ? v : null;
}

/** Index just past the brace that closes the one at `open`. */
export function matchBrace(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces in WGSL source');
}

/**
 * A loop in `body` that will stay a loop: 'marked' for one marked @unroll but
 * too long to unroll (more than MAX_UNROLL iterations), 'unmarked' for one not
 * marked; null if every inner loop unrolls. Unrolling around a loop that stays
 * makes none of its indices constant, so it only multiplies the code, and it
 * costs compile time: at d = 64 with 16 heads (the loops over the 65
 * coordinates stay loops) unrolling the loops around them, even the
 * one-iteration loops over the outputs, made SwiftShader's compile of the
 * training kernel take 38 s instead of 15 s, at the same steps/s. An unmarked
 * inner loop (over the context, say) keeps only the long outer loops: the
 * short ones around it still pay off at small d.
 */
function rolledInnerLoop(body: string, consts: Constants): 'marked' | 'unmarked' | null {
  const loop = /(\/\/ @unroll\n\s*)?for \(var (\w+) = 0u; \2 < ([\w ()*+-]+); \2\+\+\)/g;
  let found: 'unmarked' | null = null;
  for (let m = loop.exec(body); m; m = loop.exec(body)) {
    if (!m[1]) {
      found = 'unmarked';
      continue;
    }
    const n = evalBound(m[3], consts);
    if (n === null || n > MAX_UNROLL) return 'marked';
  }
  return found;
}

export function unrollLoops(src: string, consts: Constants): string {
  for (;;) {
    const m = LOOP.exec(src);
    if (!m) return src;
    const start = m.index;
    const open = start + m[0].length - 1;
    const end = matchBrace(src, open);
    const body = src.slice(open + 1, end - 1);
    const count = evalBound(m[3], consts);
    const marker = '// @unroll\n';
    let replacement: string;
    const big = count !== null && count > ALWAYS_UNROLL;
    const inner = rolledInnerLoop(body, consts);
    if (count === null || count > MAX_UNROLL || inner === 'marked' || (big && (count * body.length > MAX_UNROLLED_CHARS || src.length > MAX_SOURCE || inner !== null))) {
      replacement = src.slice(start + marker.length, end); // keep the loop, drop the marker
    } else {
      const id = new RegExp(`\\b${m[2]}\\b`, 'g');
      replacement = Array.from({ length: count }, (_, i) => `${m[1]}{${body.replace(id, `${i}u`)}}`).join('\n');
    }
    src = src.slice(0, start) + replacement + src.slice(end);
  }
}
