// A matrix name as text runs: `_x` a subscript, `^x` a superscript, the rest
// plain, so W_KᵀW_Q^2·ℓ3 reads W<sub>K</sub>ᵀW<sub>Q</sub><sup>2</sup>·ℓ3.

export interface TitlePart {
  text: string;
  kind: 'plain' | 'sub' | 'sup';
}

/** Characters that end a sub- or superscript run. */
const ENDS = new Set(['_', '^', '·', 'ᵀ', ' ', '(']);

export function titleParts(name: string): TitlePart[] {
  const out: TitlePart[] = [];
  const push = (text: string, kind: TitlePart['kind']) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ text, kind });
  };
  let i = 0;
  while (i < name.length) {
    const c = name[i];
    if (c === '_' || c === '^') {
      let j = i + 1;
      while (j < name.length && !ENDS.has(name[j])) j++;
      push(name.slice(i + 1, j), c === '_' ? 'sub' : 'sup');
      i = j;
    } else {
      push(c, 'plain');
      i++;
    }
  }
  return out;
}
