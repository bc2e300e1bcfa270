// "Copy link": the address bar holds the whole spec (store/url.ts keeps it
// current with replaceState), so sharing the experiment is copying the URL.
// Where the clipboard API is missing or refused, the link is shown selected in
// a small read-only field to copy by hand.
import { useEffect, useRef, useState } from 'react';
import { useLab } from '../store/labStore.ts';

type State = { kind: 'idle' } | { kind: 'copied' } | { kind: 'manual'; url: string };

export function ShareLink() {
  // Re-render on spec changes so a shown fallback field follows the URL.
  const spec = useLab((s) => s.spec);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const field = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  useEffect(() => {
    if (state.kind === 'manual') field.current?.select();
  }, [state]);
  useEffect(() => {
    setState((s) => (s.kind === 'manual' ? { kind: 'manual', url: window.location.href } : s));
  }, [spec]);

  const copy = async () => {
    const url = window.location.href;
    if (timer.current) clearTimeout(timer.current);
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(url);
      setState({ kind: 'copied' });
      timer.current = setTimeout(() => setState({ kind: 'idle' }), 2500);
    } catch {
      setState({ kind: 'manual', url });
    }
  };

  return (
    <div className="share">
      <button type="button" className="btn share-button" data-action="copy-link" onClick={() => void copy()} title="Copy a link to this experiment (the URL holds the whole spec)">
        Copy link
      </button>
      {state.kind === 'manual' ? (
        <input
          ref={field}
          className="share-field"
          data-testid="share-field"
          readOnly
          value={state.url}
          aria-label="Link to this experiment: copy it with Ctrl+C"
          onFocus={(e) => e.currentTarget.select()}
        />
      ) : null}
      <span className="share-status" role="status" aria-live="polite" data-testid="share-status">
        {state.kind === 'copied' ? 'Link copied' : state.kind === 'manual' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </div>
  );
}
