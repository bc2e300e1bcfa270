// The page's confirmation dialog: a native modal <dialog> (focus kept inside,
// Escape cancels, the page behind inert), Cancel focused first since the
// questions are about discarding work.
import { useEffect, useRef } from 'react';
import { useConfirm } from '../store/confirm.ts';

export function ConfirmDialog() {
  const request = useConfirm((s) => s.request);
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (request && !d.open) {
      // After the event that asked has run its course: an Enter that committed
      // a text box must not also press the button that takes the focus.
      const t = window.setTimeout(() => {
        if (d.open) return;
        d.showModal();
        cancel.current?.focus();
      }, 0);
      return () => window.clearTimeout(t);
    }
    if (!request && d.open) d.close();
  }, [request]);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      data-testid="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      onCancel={(e) => {
        e.preventDefault();
        request?.answer(false);
      }}
    >
      <h2 id="confirm-title">Are you sure?</h2>
      <p id="confirm-message" data-testid="confirm-message">
        {request?.message}
      </p>
      <div className="confirm-buttons">
        <button ref={cancel} type="button" className="btn" data-action="confirm-cancel" onClick={() => request?.answer(false)}>
          Cancel
        </button>
        <button type="button" className="btn primary" data-action="confirm-accept" onClick={() => request?.answer(true)}>
          {request?.confirmLabel ?? 'Continue'}
        </button>
      </div>
    </dialog>
  );
}
