// Confirmations asked in the page (an accessible modal dialog,
// src/ui/ConfirmDialog.tsx) instead of window.confirm, which blocks the page
// and cannot be styled or tested like the rest. One question at a time: the
// same question asked again while open (a text box's blur repeating its
// Enter) waits for the same answer; another one declines the open one.
import { create } from 'zustand';

export interface ConfirmRequest {
  message: string;
  /** The accepting button's label. */
  confirmLabel: string;
  answer: (ok: boolean) => void;
}

export const useConfirm = create<{ request: ConfirmRequest | null }>(() => ({ request: null }));

let open: { message: string; answered: Promise<boolean> } | null = null;

/** Asks `message`; resolves true when the user accepts, false when they cancel (Escape, Cancel). */
export function askConfirm(message: string, confirmLabel = 'Continue'): Promise<boolean> {
  if (open && open.message === message && useConfirm.getState().request) return open.answered;
  useConfirm.getState().request?.answer(false);
  const answered = new Promise<boolean>((resolve) => {
    const request: ConfirmRequest = {
      message,
      confirmLabel,
      answer: (ok) => {
        if (useConfirm.getState().request === request) useConfirm.setState({ request: null });
        resolve(ok);
      },
    };
    useConfirm.setState({ request });
  });
  open = { message, answered };
  return answered;
}
