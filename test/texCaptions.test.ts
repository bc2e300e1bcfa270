// The math the page typesets: every heatmap caption's TeX and every
// candidate predictor's formula parse in KaTeX (an error would show as red
// source on the page), and the text between them splits as written.
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { withKeyQueryProducts } from '../src/analysis/linearAttention.ts';
import { matrixExport } from '../src/export/matrix.ts';
import { modelFor } from '../src/models/index.ts';
import { extractMatrices } from '../src/models/types.ts';
import { decodeSpec } from '../src/spec/index.ts';
import { predictorTex } from '../src/ui/predictorTex.ts';
import { splitTex } from '../src/ui/texSplit.ts';

/** Throws where KaTeX cannot parse `tex`. */
function parses(tex: string): void {
  katex.renderToString(tex, { throwOnError: true, strict: 'ignore' });
}

describe('splitTex', () => {
  it('splits plain runs and \\( … \\) math in order, leaving an unclosed delimiter as text', () => {
    expect(splitTex(String.raw`a \(x^2\) b \(y\)`)).toEqual([
      { math: false, text: 'a ' },
      { math: true, text: 'x^2' },
      { math: false, text: ' b ' },
      { math: true, text: 'y' },
    ]);
    expect(splitTex(String.raw`\(z\)`)).toEqual([{ math: true, text: 'z' }]);
    expect(splitTex('plain only')).toEqual([{ math: false, text: 'plain only' }]);
    expect(splitTex(String.raw`open \(x but no close`)).toEqual([{ math: false, text: String.raw`open \(x but no close` }]);
    expect(splitTex('')).toEqual([]);
  });
});

const SPECS = [
  'v=1&d=3&n=10',
  'v=1&d=4&K=2&ws=2&wst=2&n=10',
  'v=1&model=lsa&H=2&param=merged&layers=1&d=3&n=10',
  'v=1&model=lsa&H=2&param=separate&rank=2&layers=1&d=3&n=10',
  'v=1&model=lsa&H=1&param=merged&layers=3&tied=0&d=3&n=10',
  'v=1&model=lsa&H=2&param=separate&rank=1&layers=2&tied=1&d=3&n=10',
];

describe('heatmap captions', () => {
  for (const query of SPECS)
    it(`every linear-attention matrix of ${query} has a caption whose math KaTeX parses`, () => {
      const { spec, errors } = decodeSpec(query);
      expect(errors).toEqual([]);
      const model = modelFor(spec);
      const params = new Float32Array(model.paramCount).map((_, i) => Math.sin(i));
      const mats = withKeyQueryProducts(spec, extractMatrices(model, params));
      expect(mats.length).toBeGreaterThan(1);
      for (const m of mats) {
        expect(m.captionTex, m.name).toBeTruthy();
        const parts = splitTex(m.captionTex!);
        expect(parts.some((p) => p.math), m.name).toBe(true);
        for (const p of parts) {
          if (p.math) expect(() => parses(p.text), `${m.name}: ${p.text}`).not.toThrow();
          else expect(p.text, m.name).not.toMatch(/\\[()]/);
        }
        // The file keeps both: the plain caption and the TeX.
        const doc = matrixExport(m);
        expect(doc.caption).toBe(m.caption);
        expect(doc.captionTex).toBe(m.captionTex);
      }
    });
});

describe('predictor formulas', () => {
  const ids = ['oneStepGd', 'preconditionedGd', 'debiasedGd', 'gd2', 'gd3', 'ridge', 'ols', 'dmmse', 'pcr1', 'pcr3', 'stepsGd', 'stepsPgd', 'stepsAhn', 'gdpp', 'reducedSoftmax'];
  it('every candidate has a formula KaTeX parses; the step and component counts are plugged in', () => {
    for (const id of ids) {
      const tex = predictorTex(id);
      expect(tex, id).not.toBeNull();
      expect(() => parses(tex!), `${id}: ${tex}`).not.toThrow();
    }
    expect(predictorTex('gd3')).toContain('w_{3}');
    expect(predictorTex('pcr2')).toContain('V_{2}');
    expect(predictorTex('no-such-predictor')).toBeNull();
  });
});
