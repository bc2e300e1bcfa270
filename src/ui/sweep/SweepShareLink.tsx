// "Copy link" in sweep mode: the sweep's whole link (encodeSweep: the base
// experiment, the swept fields, seeds and lengths), which opens this sweep
// and its runs saved in this browser.
import { useSweep } from '../../store/sweepStore.ts';
import { CopyLink } from '../ShareLink.tsx';

export function sweepUrl(link: string): string {
  return new URL('?' + link, window.location.href).href;
}

export function SweepShareLink() {
  const link = useSweep((s) => s.link);
  return (
    <CopyLink
      url={sweepUrl(link)}
      action="copy-sweep-link"
      testId="sweep-share"
      title="Copy a link to this sweep: its base experiment, swept fields, seeds and lengths"
      what="sweep"
    />
  );
}
