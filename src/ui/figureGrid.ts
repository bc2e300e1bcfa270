// Where each panel of a composite figure goes: panels in reading order on a
// grid of equal cells (the largest panel's size), each with a title line
// above it, and a caption line under the whole figure. Pure numbers, so the
// layout is testable apart from the drawing.

export interface PanelSize {
  width: number;
  height: number;
}

export interface FigureGrid {
  width: number;
  height: number;
  columns: number;
  /** Per panel: where its title's baseline and its image's top-left corner go. */
  panels: { titleX: number; titleY: number; x: number; y: number }[];
  /** Baseline of the caption under the grid. */
  captionY: number;
}

export const FIGURE_MARGIN = 16;
export const FIGURE_GAP = 12;
export const TITLE_HEIGHT = 22;
export const CAPTION_HEIGHT = 24;

/** At most `maxColumns` panels per row; rows as needed. */
export function figureGrid(sizes: PanelSize[], maxColumns = 4): FigureGrid {
  if (sizes.length === 0) throw new Error('no panels to lay out');
  const columns = Math.min(maxColumns, sizes.length);
  const rows = Math.ceil(sizes.length / columns);
  const cellW = Math.max(...sizes.map((s) => s.width));
  const cellH = Math.max(...sizes.map((s) => s.height));
  const panels = sizes.map((s, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const cellX = FIGURE_MARGIN + col * (cellW + FIGURE_GAP);
    const cellY = FIGURE_MARGIN + row * (cellH + TITLE_HEIGHT + FIGURE_GAP);
    // Centred in its cell, so smaller panels line up with the large ones.
    return { titleX: cellX + cellW / 2, titleY: cellY + TITLE_HEIGHT - 6, x: cellX + (cellW - s.width) / 2, y: cellY + TITLE_HEIGHT };
  });
  const gridH = rows * (cellH + TITLE_HEIGHT) + (rows - 1) * FIGURE_GAP;
  return {
    width: 2 * FIGURE_MARGIN + columns * cellW + (columns - 1) * FIGURE_GAP,
    height: 2 * FIGURE_MARGIN + gridH + CAPTION_HEIGHT,
    columns,
    panels,
    captionY: FIGURE_MARGIN + gridH + CAPTION_HEIGHT - 6,
  };
}
