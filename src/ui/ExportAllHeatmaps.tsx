// "All heatmaps" as one figure-ready image: every heatmap on the page (the
// learned matrices, per head for softmax attention, and the theory's beside
// them) in reading order on a grid, each titled, with a caption naming the
// step and the experiment's link query, so the figure says what it shows.
// PNG at the exports' 2× scale, or SVG with each panel as a nested vector graphic.
import { useLab } from '../store/labStore.ts';
import { addNotice } from '../store/labStore.ts';
import { encodeSpec } from '../spec/index.ts';
import { exportFileName } from '../export/matrix.ts';
import { downloadBlob, plotImageBlob, PNG_SCALE } from './download.ts';
import { figureGrid, type FigureGrid } from './figureGrid.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

interface Panel {
  title: string;
  el: HTMLElement;
  width: number;
  height: number;
}

function panelsOnPage(): Panel[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-heatmap]'))
    .filter((el) => (el as HTMLElement & { data?: unknown }).data !== undefined && el.clientWidth > 0)
    .map((el) => ({ title: el.dataset.heatmap ?? '', el, width: el.clientWidth, height: el.clientHeight }));
}

function caption(): string {
  const s = useLab.getState();
  return `ICL Lab · step ${s.step.toLocaleString('en-US')} of ${s.spec.train.steps.toLocaleString('en-US')} · ?${encodeSpec(s.spec)}`;
}

async function pngFigure(panels: Panel[], grid: FigureGrid, text: string): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = grid.width * PNG_SCALE;
  canvas.height = grid.height * PNG_SCALE;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this browser');
  ctx.scale(PNG_SCALE, PNG_SCALE);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, grid.width, grid.height);
  ctx.fillStyle = '#1e293b';
  ctx.textAlign = 'center';
  ctx.font = `600 14px ${FONT}`;
  for (let i = 0; i < panels.length; i++) {
    const p = panels[i];
    const at = grid.panels[i];
    const bitmap = await createImageBitmap(await plotImageBlob(p.el, 'png'));
    ctx.drawImage(bitmap, at.x, at.y, p.width, p.height);
    bitmap.close();
    ctx.fillText(p.title, at.titleX, at.titleY);
  }
  ctx.textAlign = 'left';
  ctx.font = `11px ${FONT}`;
  ctx.fillStyle = '#64748b';
  let line = text;
  const room = grid.width - 32;
  while (line.length > 10 && ctx.measureText(line).width > room) line = line.slice(0, -2);
  ctx.fillText(line === text ? line : `${line.slice(0, -1)}…`, 16, grid.captionY);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded'))), 'image/png'));
}

async function svgFigure(panels: Panel[], grid: FigureGrid, text: string): Promise<Blob> {
  const doc = document.implementation.createDocument(SVG_NS, 'svg', null);
  const root = doc.documentElement;
  root.setAttribute('width', String(grid.width));
  root.setAttribute('height', String(grid.height));
  root.setAttribute('viewBox', `0 0 ${grid.width} ${grid.height}`);
  const bg = doc.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#ffffff');
  root.appendChild(bg);
  const addText = (x: number, y: number, s: string, attrs: Record<string, string>) => {
    const t = doc.createElementNS(SVG_NS, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('font-family', FONT);
    for (const [k, v] of Object.entries(attrs)) t.setAttribute(k, v);
    t.textContent = s;
    root.appendChild(t);
  };
  for (let i = 0; i < panels.length; i++) {
    const p = panels[i];
    const at = grid.panels[i];
    const source = await (await plotImageBlob(p.el, 'svg')).text();
    const panel = new DOMParser().parseFromString(source, 'image/svg+xml').documentElement;
    if (panel.nodeName !== 'svg') throw new Error(`${p.title} did not render as SVG`);
    panel.setAttribute('x', String(at.x));
    panel.setAttribute('y', String(at.y));
    root.appendChild(doc.importNode(panel, true));
    addText(at.titleX, at.titleY, p.title, { 'text-anchor': 'middle', 'font-size': '14', 'font-weight': '600', fill: '#1e293b' });
  }
  addText(16, grid.captionY, text, { 'font-size': '11', fill: '#64748b' });
  return new Blob([new XMLSerializer().serializeToString(doc)], { type: 'image/svg+xml' });
}

async function exportAll(format: 'png' | 'svg'): Promise<void> {
  const panels = panelsOnPage();
  if (panels.length === 0) throw new Error('no heatmap is drawn yet');
  const grid = figureGrid(panels);
  const text = caption();
  const blob = format === 'png' ? await pngFigure(panels, grid, text) : await svgFigure(panels, grid, text);
  downloadBlob(blob, exportFileName('all_heatmaps', format));
}

export function ExportAllHeatmaps() {
  const drawn = useLab((s) => s.matrices !== null);
  const run = (format: 'png' | 'svg') =>
    exportAll(format).catch((e: unknown) =>
      addNotice({ tone: 'warning', title: `Could not export the heatmaps as ${format.toUpperCase()}`, items: [e instanceof Error ? e.message : String(e)] }),
    );
  return (
    <div className="export-all" role="group" aria-label="all heatmaps as one figure">
      <span className="muted small">All heatmaps as one figure</span>
      <button type="button" className="btn small" data-action="export-all-png" disabled={!drawn} onClick={() => void run('png')}>
        PNG
      </button>
      <button type="button" className="btn small" data-action="export-all-svg" disabled={!drawn} onClick={() => void run('svg')}>
        SVG
      </button>
    </div>
  );
}
