import { describe, expect, it } from 'vitest';
import { CAPTION_HEIGHT, FIGURE_GAP, FIGURE_MARGIN, figureGrid, TITLE_HEIGHT } from '../src/ui/figureGrid.ts';

describe('figureGrid', () => {
  it('lays panels out in reading order on equal cells, centred, inside the figure', () => {
    const sizes = [
      { width: 200, height: 180 },
      { width: 150, height: 180 },
      { width: 200, height: 120 },
      { width: 100, height: 100 },
      { width: 200, height: 180 },
    ];
    const g = figureGrid(sizes, 4);
    expect(g.columns).toBe(4);
    expect(g.width).toBe(2 * FIGURE_MARGIN + 4 * 200 + 3 * FIGURE_GAP);
    expect(g.height).toBe(2 * FIGURE_MARGIN + 2 * (180 + TITLE_HEIGHT) + FIGURE_GAP + CAPTION_HEIGHT);
    // Row 1 holds panels 0-3, row 2 panel 4; panel 1 is centred in its 200-wide cell.
    expect(g.panels[1].x).toBe(FIGURE_MARGIN + 200 + FIGURE_GAP + 25);
    expect(g.panels[4].y).toBe(FIGURE_MARGIN + 180 + TITLE_HEIGHT + FIGURE_GAP + TITLE_HEIGHT);
    for (let i = 0; i < sizes.length; i++) {
      const p = g.panels[i];
      expect(p.x).toBeGreaterThanOrEqual(FIGURE_MARGIN);
      expect(p.x + sizes[i].width).toBeLessThanOrEqual(g.width - FIGURE_MARGIN);
      expect(p.y + sizes[i].height).toBeLessThan(g.captionY);
      expect(p.titleY).toBeLessThan(p.y);
    }
    expect(g.captionY).toBeLessThan(g.height);
  });

  it('uses fewer columns than the maximum when there are fewer panels, and refuses none', () => {
    expect(figureGrid([{ width: 10, height: 10 }]).columns).toBe(1);
    expect(() => figureGrid([])).toThrow(/no panels/);
  });
});
