// A formula typeset with KaTeX (bundled with its fonts, so nothing is
// fetched from elsewhere and the CSP stays as strict). KaTeX loads on first
// use; until then the TeX source shows as plain text. Only the lab's own
// formulas, with numbers it formats, go in: no user text.
import { useEffect, useState } from 'react';
import { splitTex } from './texSplit.ts';

type Katex = typeof import('katex');
let katexPromise: Promise<Katex> | null = null;

function loadKatex(): Promise<Katex> {
  katexPromise ??= Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(([m]) => m);
  return katexPromise;
}

/** The HTML KaTeX makes of `tex` (MathML beside it for screen readers); errors show in red, never throw. */
export function texHtml(katex: Katex, tex: string, display = false): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
}

export function Tex({ tex, display = false }: { tex: string; display?: boolean }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void loadKatex().then((k) => {
      if (live) setHtml(texHtml(k, tex, display));
    });
    return () => {
      live = false;
    };
  }, [tex, display]);
  if (html === null) return <code className="tex-source">{tex}</code>;
  return display ? <div className="tex tex-display" data-tex={tex} dangerouslySetInnerHTML={{ __html: html }} /> : <span className="tex" data-tex={tex} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** A line of text whose math, between \( and \), is typeset (see splitTex). */
export function TexText({ text }: { text: string }) {
  return (
    <>
      {splitTex(text).map((p, i) => (p.math ? <Tex key={i} tex={p.text} /> : <span key={i}>{p.text}</span>))}
    </>
  );
}
