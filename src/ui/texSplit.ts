// Text with inline math between \( and \) (LaTeX's inline delimiters, which
// never clash with template literals' ${…}): split into plain runs and TeX.

export interface TexPart {
  math: boolean;
  text: string;
}

/** The runs of `text` in order; an unclosed \( leaves the rest as plain text, delimiters included. */
export function splitTex(text: string): TexPart[] {
  const parts: TexPart[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('\\(', at);
    const close = open < 0 ? -1 : text.indexOf('\\)', open + 2);
    if (open < 0 || close < 0) {
      if (at < text.length) parts.push({ math: false, text: text.slice(at) });
      return parts;
    }
    if (open > at) parts.push({ math: false, text: text.slice(at, open) });
    parts.push({ math: true, text: text.slice(open + 2, close) });
    at = close + 2;
  }
}
