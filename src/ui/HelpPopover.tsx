// The "?" in the top bar: the keyboard shortcuts and where to start, in a
// popover that opens and closes from the keyboard (Escape closes it and
// returns the focus to its button).
import { useEffect, useId, useRef, useState } from 'react';
import { SHORTCUTS } from './shortcuts.ts';

export function HelpPopover() {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClick);
    };
  }, [open]);
  return (
    <div className="help">
      <button ref={button} type="button" className="btn icon-btn" data-action="help" aria-expanded={open} aria-controls={id} aria-label="Help: keyboard shortcuts" title="Help: keyboard shortcuts" onClick={() => setOpen(!open)}>
        ?
      </button>
      {open ? (
        <div ref={panel} id={id} className="help-popover" role="dialog" aria-label="Keyboard shortcuts" tabIndex={-1} data-testid="help-popover">
          <h2>Keyboard shortcuts</h2>
          <dl>
            {SHORTCUTS.map((s) => (
              <div key={s.keys} className="help-row">
                <dt>
                  <kbd>{s.keys}</kbd>
                </dt>
                <dd>{s.does}</dd>
              </div>
            ))}
          </dl>
          <p className="small muted">Outside text boxes and focused controls. Pick a preset in the sidebar and press Train; the timeline under the run controls replays the weights through training.</p>
        </div>
      ) : null}
    </div>
  );
}
