// "Animation": the run's timeline as an animated GIF or a video (WebM; MP4
// where the browser encodes H.264), one frame per kept step with the step,
// the loss and the link in its caption, on white like the other exports. The
// encoders load on first use.
import { useState } from 'react';
import { exportFileName } from '../export/matrix.ts';
import { addNotice, useLab } from '../store/labStore.ts';
import { downloadBlob } from './download.ts';

type Format = 'gif' | 'webm' | 'mp4';

const LABEL: Record<Format, string> = { gif: 'GIF', webm: 'WebM', mp4: 'MP4' };

export function AnimationExport() {
  const kept = useLab((s) => s.timeline?.size ?? 0);
  const [busy, setBusy] = useState<{ format: Format; done: number; total: number } | null>(null);

  const run = async (format: Format) => {
    setBusy({ format, done: 0, total: 0 });
    try {
      const m = await import('./animationExport.ts');
      const anim = m.currentAnimation();
      if (!anim) throw new Error('no snapshots kept yet: train first');
      const progress = (done: number, total: number) => setBusy({ format, done, total });
      const blob = format === 'gif' ? await m.encodeGif(anim, progress) : await m.encodeVideo(anim, format, progress);
      if (blob) downloadBlob(blob, exportFileName('training', format));
    } catch (e) {
      addNotice({ tone: 'warning', title: `Could not export the animation as ${LABEL[format]}`, items: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="animation-export" role="group" aria-label="export the training as an animation">
      <span className="small muted">Animation</span>
      {(['gif', 'webm', 'mp4'] as const).map((f) => (
        <button
          key={f}
          type="button"
          className="btn small"
          data-action={`export-animation-${f}`}
          disabled={busy !== null || kept < 2}
          onClick={() => void run(f)}
          title={`The weights at every kept step as ${f === 'gif' ? 'an animated GIF' : f === 'webm' ? 'a WebM video (VP9)' : 'an MP4 video (H.264, where this browser can encode it)'}, captioned with step, loss and link`}
        >
          {LABEL[f]}
        </button>
      ))}
      {busy ? (
        <span className="small muted" data-testid="animation-progress" aria-live="polite">
          {busy.total > 0 ? `frame ${busy.done} / ${busy.total}` : 'preparing…'}
        </span>
      ) : null}
    </div>
  );
}
