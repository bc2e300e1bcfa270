// Messages the user should see: problems with the link's settings, GPU errors.
import { dismissNotice, useLab } from '../store/labStore.ts';

export function Notices() {
  const notices = useLab((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
          <div className="notice-body">
            <strong>{n.title}</strong>
            {n.items.length > 0 ? (
              <ul>
                {n.items.map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ul>
            ) : null}
          </div>
          <button type="button" className="notice-close" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
