// "Copy link" in sweep mode: the sweep's whole link (encodeSweep: the base
// experiment, the swept fields, seeds and lengths), which opens this sweep
// and its runs saved in this browser. Where the clipboard is missing or
// refused, the link is shown selected in a read-only field (as ShareLink).
import { useEffect, useRef, useState } from 'react';
import { useSweep } from '../../store/sweepStore.ts';

type State = { kind: 'idle' } | { kind: 'copied' } | { kind: 'manual'; url: string };

export function sweepUrl(link: string): string {
  return new URL('?' + link, window.location.href).href;
}

export function SweepShareLink() {
  const link = useSweep((s) => s.link);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const field = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  useEffect(() => {
    if (state.kind === 'manual') field.current?.select();
  }, [state]);
  useEffect(() => {
    setState((s) => (s.kind === 'manual' ? { kind: 'manual', url: sweepUrl(link) } : s));
  }, [link]);

  const copy = async () => {
    const url = sweepUrl(link);
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
      <button type="button" className="btn share-button" data-action="copy-sweep-link" onClick={() => void copy()} title="Copy a link to this sweep: its base experiment, swept fields, seeds and lengths">
        Copy link
      </button>
      {state.kind === 'manual' ? (
        <input
          ref={field}
          className="share-field"
          data-testid="sweep-share-field"
          readOnly
          value={state.url}
          aria-label="Link to this sweep: copy it with Ctrl+C"
          onFocus={(e) => e.currentTarget.select()}
        />
      ) : null}
      <span className="share-status" role="status" aria-live="polite" data-testid="sweep-share-status">
        {state.kind === 'copied' ? 'Link copied' : state.kind === 'manual' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </div>
  );
}
