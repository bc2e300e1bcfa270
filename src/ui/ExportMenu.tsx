// A small "⤓" button on a card that opens a menu of exports for the card's
// views: PNG (2× scale) and SVG of each Plotly graph, and for matrices CSV and
// JSON. Keyboard: Enter/Space/↓ opens and focuses the first item, ↑/↓ (←/→) move,
// Home/End jump, Escape or Tab closes (Escape returns focus to the button).
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { exportFileName, matrixCsv, matrixJson } from '../export/matrix.ts';
import type { NamedMatrix } from '../models/types.ts';
import { addNotice } from '../store/labStore.ts';
import { downloadBlob, downloadText, plotImageBlob } from './download.ts';

export interface ExportView {
  /** The view's name: in the menu and the file name (icl-lab_<name>.<ext>). */
  name: string;
  /** What the menu shows for it (the name by default). */
  label?: ReactNode;
  /** CSS selector of the view's Plotly graph element. */
  selector: string;
  /** For a matrix view: the matrix drawn and its coordinate labels (enables CSV and JSON). */
  matrix?: { m: NamedMatrix; rowLabels?: string[]; colLabels?: string[] } | null;
}

type Format = 'png' | 'svg' | 'csv' | 'json';

async function exportView(view: ExportView, format: Format): Promise<void> {
  const file = exportFileName(view.name, format);
  if (format === 'csv' || format === 'json') {
    const mx = view.matrix;
    if (!mx) throw new Error(`${view.name} is not drawn yet`);
    if (format === 'csv') downloadText(matrixCsv(mx.m, mx.colLabels), file, 'text/csv');
    else downloadText(matrixJson(mx.m, { rowLabels: mx.rowLabels, colLabels: mx.colLabels }), file, 'application/json');
    return;
  }
  const el = document.querySelector<HTMLElement>(view.selector);
  if (!el) throw new Error(`${view.name} is not drawn yet`);
  downloadBlob(await plotImageBlob(el, format), file);
}

export function ExportMenu({ views, title }: { views: ExportView[]; title: string }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const id = useId();

  const items = () => Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? []);

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const onDown = (e: PointerEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') move(at + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(list.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') setOpen(false);
  };

  const run = (view: ExportView, format: Format) => {
    close(true);
    exportView(view, format).catch((err: unknown) =>
      addNotice({ tone: 'warning', title: `Could not export ${view.name} as ${format.toUpperCase()}`, items: [err instanceof Error ? err.message : String(err)] }),
    );
  };

  return (
    <div className="export-menu" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="export-button"
        aria-label={`Export ${title}`}
        title={`Export ${title}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        data-export-menu={title}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        ⤓
      </button>
      {open ? (
        <div className="export-popup" role="menu" id={id} aria-label={`Export ${title}`} ref={menu} onKeyDown={onMenuKey}>
          {views.map((view) => {
            const formats: Format[] = view.matrix ? ['png', 'svg', 'csv', 'json'] : ['png', 'svg'];
            return (
              <div className="export-group" role="group" aria-label={view.name} key={view.name}>
                {views.length > 1 ? <div className="export-group-label" aria-hidden="true">{view.label ?? view.name}</div> : null}
                <div className="export-items">
                  {formats.map((f) => (
                    <button
                      key={f}
                      type="button"
                      role="menuitem"
                      className="export-item"
                      data-export={`${view.name}:${f}`}
                      aria-label={`${view.name} as ${f.toUpperCase()}`}
                      onClick={() => run(view, f)}
                    >
                      {f.toUpperCase()}
                    </button>
                  ))}
                </div>
              </div>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
