// The page's sweep mode without a browser: the run records kept in IndexedDB
// (fake-indexeddb) per sweep link, the memory fallback, and the figure as
// Plotly traces (bands, merged reference lines, diverged marks).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Figure, FigureTrace } from '../src/analysis/sweepFigure.ts';
import type { SweepRunRecord } from '../src/orchestration/sweep.ts';
import { MemoryStorage, openSweepStorage } from '../src/store/sweepStorage.ts';
import { bandPolygon, DIVERGED_TRACE, sweepPlotData, withAlpha } from '../src/ui/sweep/sweepPlot.ts';
import { LIGHT_PLOT } from '../src/ui/plotTheme.ts';

const record = (index: number, status: SweepRunRecord['status'] = 'diverged'): SweepRunRecord =>
  ({ index, point: index, replicate: 0, coords: [index], spec: {} as never, share: `v=1&n=${index}`, status, message: 'm', notes: [], timing: null }) as SweepRunRecord;

describe('sweep run storage', () => {
  it('keeps records per link in IndexedDB, across connections, and discards one link only', async () => {
    const a = await openSweepStorage();
    expect(a.kind).toBe('indexeddb');
    await a.save('link-a', record(2));
    await a.save('link-a', record(0));
    await a.save('link-b', record(0));
    await a.save('link-a', { ...record(2), message: 'again' });
    const b = await openSweepStorage();
    const rows = await b.load('link-a');
    expect(rows.map((r) => [r.index, r.message])).toEqual([
      [0, 'm'],
      [2, 'again'],
    ]);
    expect(await b.load('link-a-longer')).toEqual([]);
    expect(await b.discard('link-a')).toBe(2);
    expect(await b.load('link-a')).toEqual([]);
    expect((await b.load('link-b')).map((r) => r.index)).toEqual([0]);
  });

  it('falls back to memory, with the reason, where IndexedDB is missing', async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error: a browser without IndexedDB
    globalThis.indexedDB = undefined;
    try {
      const st = await openSweepStorage();
      expect(st.kind).toBe('memory');
      expect(st.reason).toMatch(/no IndexedDB/);
      await st.save('x', record(1));
      expect((await st.load('x')).map((r) => r.index)).toEqual([1]);
    } finally {
      globalThis.indexedDB = saved;
    }
    const mem = new MemoryStorage('quota');
    await mem.adopt('y', [record(3), record(1)]);
    expect((await mem.load('y')).map((r) => r.index)).toEqual([1, 3]);
  });
});

const trace = (over: Partial<FigureTrace>): FigureTrace => ({ name: 'model', x: [1, 2, 3], y: [1, 2, 3], se: [0.1, null, 0.2], role: 'model', dash: 'solid', color: 0, diverged: [], ...over });

describe('sweep figure as Plotly traces', () => {
  it('bands run along the upper edge and back along the lower, skipping points without an SE, above 0 on a log axis', () => {
    expect(bandPolygon(trace({}), false)).toEqual({ x: [1, 3, 3, 1], y: [1.1, 3.2, 2.8, 0.9] });
    const log = bandPolygon(trace({ y: [1, 2, 3], se: [5, null, 0.2] }), true)!;
    expect(log.y.every((v) => v > 0)).toBe(true);
    expect(bandPolygon(trace({ se: [null, null, null] }), false)).toBeNull();
  });

  it('draws bands under their lines, carries grid points for clicks, and marks diverged x on the overlay axis', () => {
    const fig: Figure = {
      kind: 'field',
      title: 't',
      xLabel: 'learning rate (lr)',
      yLabel: 'test MSE',
      logX: true,
      logY: false,
      traces: [trace({ points: [0, 1, 2], diverged: [5] }), trace({ name: 'L*', role: 'theory', dash: 'dash', color: -1, se: [null, null, null] })],
      note: '',
      link: 'v=1',
    };
    const { data, layout } = sweepPlotData(fig, LIGHT_PLOT);
    const names = data.map((d) => (d as { name: string }).name);
    expect(names).toEqual(['model ± SE', 'model', 'L*', `× ${DIVERGED_TRACE}`]);
    expect((data[0] as { fill: string }).fill).toBe('toself');
    expect((data[0] as { fillcolor: string }).fillcolor).toBe(withAlpha(LIGHT_PLOT.heads[0], 0.2));
    expect((data[1] as { customdata: number[] }).customdata).toEqual([0, 1, 2]);
    expect((data[2] as { customdata?: unknown }).customdata).toBeUndefined();
    expect(data[3]).toMatchObject({ x: [5], yaxis: 'y2' });
    expect(layout.xaxis?.type).toBe('log');
  });
});
