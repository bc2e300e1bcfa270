// "Copy link": the address bar holds the whole spec (store/url.ts keeps it
// current with replaceState), so sharing the experiment is copying the URL.
// Where the clipboard API is missing or refused, the link is shown selected in
// a small read-only field to copy by hand. CopyLink is the button itself, for
// any link (the sweep mode's too).
import { useEffect, useRef, useState } from 'react';
import { useLab } from '../store/labStore.ts';

type State = { kind: 'idle' } | { kind: 'copied' } | { kind: 'manual'; url: string };

export interface CopyLinkProps {
  /** The link to copy (an absolute URL). */
  url: string;
  /** data-action of the button; the field and status take `${testId}-field` / `${testId}-status`. */
  action: string;
  testId: string;
  title: string;
  /** What the fallback field holds, for its accessible label. */
  what: string;
}

export function CopyLink({ url, action, testId, title, what }: CopyLinkProps) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const field = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  useEffect(() => {
    if (state.kind === 'manual') field.current?.select();
  }, [state]);
  useEffect(() => {
    // A shown fallback field follows the link.
    setState((s) => (s.kind === 'manual' ? { kind: 'manual', url } : s));
  }, [url]);

  const copy = async () => {
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
      <button type="button" className="btn share-button" data-action={action} onClick={() => void copy()} title={title}>
        Copy link
      </button>
      {state.kind === 'manual' ? (
        <input
          ref={field}
          className="share-field"
          data-testid={`${testId}-field`}
          readOnly
          value={state.url}
          aria-label={`Link to this ${what}: copy it with Ctrl+C`}
          onFocus={(e) => e.currentTarget.select()}
        />
      ) : null}
      <span className="share-status" role="status" aria-live="polite" data-testid={`${testId}-status`}>
        {state.kind === 'copied' ? 'Link copied' : state.kind === 'manual' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </div>
  );
}

export function ShareLink() {
  // Re-render on spec changes: the URL follows the spec.
  useLab((s) => s.spec);
  return <CopyLink url={window.location.href} action="copy-link" testId="share" title="Copy a link to this experiment (the URL holds the whole spec)" what="experiment" />;
}
