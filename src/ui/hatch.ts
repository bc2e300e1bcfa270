// Geometry for marking the matrix entries that never get gradient: the flagged
// cells grouped into rectangles, each drawn as an outline plus diagonal hatch
// lines in one SVG path. Coordinates are heatmap data units (cell centres at
// integers), so the marks follow the plot through any resize.

export interface CellRect {
  row0: number;
  col0: number;
  /** Exclusive ends. */
  row1: number;
  col1: number;
}

/** Groups flagged cells (row-major flags) into rectangles: runs per row, merged down identical runs. */
export function flaggedRects(flags: readonly boolean[], rows: number, cols: number): CellRect[] {
  const done: CellRect[] = [];
  let open: CellRect[] = [];
  for (let r = 0; r < rows; r++) {
    const runs: [number, number][] = [];
    for (let c = 0; c < cols; c++) {
      if (!flags[r * cols + c]) continue;
      const start = c;
      while (c + 1 < cols && flags[r * cols + c + 1]) c++;
      runs.push([start, c + 1]);
    }
    const next: CellRect[] = [];
    for (const [c0, c1] of runs) {
      const prev = open.find((o) => o.col0 === c0 && o.col1 === c1);
      if (prev) {
        prev.row1 = r + 1;
        next.push(prev);
      } else next.push({ row0: r, row1: r + 1, col0: c0, col1: c1 });
    }
    for (const o of open) if (!next.includes(o)) done.push(o);
    open = next;
  }
  return [...done, ...open];
}

/** SVG path (data units) of 45° hatch lines spaced `spacing` apart inside the rectangle. */
export function hatchPath(rect: CellRect, spacing: number): string {
  const x0 = rect.col0 - 0.5;
  const x1 = rect.col1 - 0.5;
  const y0 = rect.row0 - 0.5;
  const y1 = rect.row1 - 0.5;
  const parts: string[] = [];
  const r = (v: number) => Number(v.toFixed(4));
  // Lines x − y = k, clipped to the rectangle.
  for (let k = x0 - y1 + spacing / 2; k < x1 - y0; k += spacing) {
    const ya = Math.max(y0, x0 - k);
    const yb = Math.min(y1, x1 - k);
    if (yb - ya <= 1e-9) continue;
    parts.push(`M${r(ya + k)},${r(ya)}L${r(yb + k)},${r(yb)}`);
  }
  return parts.join('');
}
