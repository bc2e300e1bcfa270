// Training animation frames (src/export/animationFrame.ts,
// src/orchestration/animation.ts): the colour map, every matrix entry drawn
// as its own cell in its colour, frozen entries grey, one colour range per
// matrix across all frames, captions with step, loss and link, and the
// frame thinning.
import { describe, expect, it } from 'vitest';
import { divergingScale, frameLayout, frameSvg } from '../src/export/animationFrame.ts';
import { animationFrames, drawnMatrices, lossNear, thinFrames } from '../src/orchestration/animation.ts';
import { defaultSpec } from '../src/spec/index.ts';
import { modelFor } from '../src/models/index.ts';

const rgb = (hex: string) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
const cells = (svg: string) => [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="\1" fill="([^"]+)"\/>/g)].map((m) => m[2]);

describe('the diverging colour map', () => {
  it('is white at 0, the end colours at ±range, clamped beyond, black for NaN', () => {
    const c = divergingScale(2);
    expect(c(0)).toBe(rgb('#f7f7f7'));
    expect(c(2)).toBe(rgb('#b2182b'));
    expect(c(-2)).toBe(rgb('#2166ac'));
    expect(c(50)).toBe(c(2));
    expect(c(-0.6 * 2)).toBe(rgb('#67a9cf')); // the 0.2 stop: (2·0.2 − 1)·range
    expect(c(NaN)).toBe('#000000');
  });
});

describe('animation frames', () => {
  const spec = defaultSpec();
  Object.assign(spec.model, { type: 'lsa', heads: 1, param: 'merged', layers: 1 });
  spec.task.d = 3;
  spec.train.steps = 100;
  const np = modelFor(spec).paramCount;
  const params = (f: (i: number) => number) => Float32Array.from({ length: np }, (_, i) => f(i));

  it('draws every entry of every matrix as a cell in its colour, greys the frozen ones, and sizes the frame evenly', () => {
    const p = params((i) => ((i % 7) - 3) / 3);
    const mats = drawnMatrices(spec, p);
    expect(mats.map((m) => m.name)).toEqual(['W_KQ', 'W_PV']);
    const panels = mats.map((m) => ({ title: m.name, matrix: m, range: 1, rowLabels: [], colLabels: [] }));
    const layout = frameLayout(panels);
    expect(layout.width % 2).toBe(0);
    expect(layout.height % 2).toBe(0);
    const fills = cells(frameSvg(panels, ['a', 'b'], layout));
    const want = mats.flatMap((m) => Array.from(m.data, (v, k) => (m.noGradient[k] ? '#e2e8f0' : divergingScale(1)(v))));
    expect(fills).toEqual(want);
    expect(want.filter((f) => f === '#e2e8f0').length).toBeGreaterThan(0);
  });

  it('keeps one colour range per matrix over the frames, and captions each with its step, loss and link', () => {
    const snaps = [
      { step: 0, params: params((i) => (i === 0 ? 0.5 : 0)) },
      { step: 40, params: params((i) => (i === 0 ? 2 : 0)) },
    ];
    const anim = animationFrames(spec, snaps, { link: 'v=1&d=3', lossAt: lossNear([50, 100], [0.75, 0.5]) });
    expect(anim.frames.map((f) => f.step)).toEqual([0, 40]);
    // W_KQ[0,0] is 0.5 in the first frame on the shared range 2: a quarter of the way to red, not the full red.
    const first = cells(anim.frames[0].svg)[0];
    const last = cells(anim.frames[1].svg)[0];
    expect(first).toBe(divergingScale(2)(0.5));
    expect(last).toBe(rgb('#b2182b'));
    expect(anim.frames[0].svg).toContain('step 0 of 100');
    expect(anim.frames[1].svg).toContain('step 40 of 100 · loss 0.7500');
    expect(anim.frames[1].svg).toContain('?v=1&amp;d=3');
  });

  it('draws softmax attention’s KQ^h and OV^h per head', () => {
    const s = defaultSpec();
    Object.assign(s.model, { type: 'softmax', heads: 2 });
    const mats = drawnMatrices(s, Float32Array.from({ length: modelFor(s).paramCount }, (_, i) => Math.sin(i)));
    expect(mats.map((m) => m.name)).toEqual(['KQ^1', 'OV^1', 'KQ^2', 'OV^2']);
  });

  it('thins evenly to at most the frames asked for, keeping the first and last', () => {
    expect(thinFrames(5, 10)).toEqual([0, 1, 2, 3, 4]);
    const t = thinFrames(200, 50);
    expect(t.length).toBe(50);
    expect(t[0]).toBe(0);
    expect(t.at(-1)).toBe(199);
    expect(thinFrames(0, 5)).toEqual([]);
  });

  it('reads the loss of the block holding a step', () => {
    const at = lossNear([10, 20, 30], [3, 2, 1]);
    expect([at(0), at(1), at(10), at(11), at(30), at(99)]).toEqual([null, 3, 3, 2, 1, 1]);
  });
});
