// The training timeline under the run controls: a slider over the kept
// snapshots (log-spaced steps) whose last position is "live", the step shown,
// Play (through the kept steps, then live again) and Live. Moving it sets every
// weight view to that step; the loss, η_eff and ω/μ plots mark it.
import { useEffect, useRef } from 'react';
import { useLab } from '../store/labStore.ts';
import { showTimelineStep } from '../store/runController.ts';
import { AnimationExport } from './AnimationExport.tsx';

/** Frames per second when playing: ~200 kept steps play in about 7 s. */
const PLAY_FPS = 30;

export function TimelineScrubber() {
  const timeline = useLab((s) => s.timeline);
  useLab((s) => s.historyVersion); // the timeline grows in place with the readbacks
  const viewStep = useLab((s) => s.viewStep);
  const playing = useLab((s) => s.timelinePlaying);
  const step = useLab((s) => s.step);
  const kept = timeline?.snapshots ?? [];
  const count = kept.length;
  // Position `count` is live; 0 … count − 1 are the kept snapshots.
  const position = viewStep === null ? count : Math.max(0, kept.findIndex((k) => k.step === viewStep));
  const timer = useRef<number | null>(null);

  useEffect(() => {
    if (!playing) return;
    timer.current = window.setInterval(() => {
      const s = useLab.getState();
      const snaps = s.timeline?.snapshots ?? [];
      const at = s.viewStep === null ? -1 : snaps.findIndex((k) => k.step === s.viewStep);
      if (at + 1 >= snaps.length) {
        useLab.setState({ timelinePlaying: false });
        showTimelineStep(null);
        return;
      }
      showTimelineStep(snaps[at + 1].step);
    }, 1000 / PLAY_FPS);
    return () => {
      if (timer.current !== null) window.clearInterval(timer.current);
      timer.current = null;
    };
  }, [playing]);

  if (!timeline || count === 0) return null;
  const shownStep = viewStep ?? step;
  const set = (pos: number) => {
    useLab.setState({ timelinePlaying: false });
    showTimelineStep(pos >= count ? null : kept[pos].step);
  };
  const play = () => {
    if (playing) {
      useLab.setState({ timelinePlaying: false });
      return;
    }
    // From the start when live or at the end; else from where the slider is.
    if (viewStep === null || position >= count - 1) showTimelineStep(kept[0].step);
    useLab.setState({ timelinePlaying: true });
  };

  return (
    <div className="timeline" data-testid="timeline" data-view-step={viewStep ?? 'live'} data-kept={count}>
      <div className="timeline-head small">
        <span>Timeline</span>
        <span className="muted" data-testid="timeline-step">
          {viewStep === null ? `live · step ${step.toLocaleString('en-US')}` : `step ${shownStep.toLocaleString('en-US')} of ${step.toLocaleString('en-US')}`}
        </span>
      </div>
      <input
        type="range"
        className="timeline-slider"
        aria-label="training step shown by the weight views"
        aria-valuetext={viewStep === null ? `live, step ${step}` : `step ${shownStep}`}
        min={0}
        max={count}
        step={1}
        value={position}
        onChange={(e) => set(Number(e.currentTarget.value))}
        title={`${count} snapshots kept at log-spaced steps; the right end follows training`}
      />
      <div className="timeline-buttons">
        <button type="button" className="btn small" data-action="timeline-play" onClick={play} aria-pressed={playing} disabled={count < 2}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" className="btn small" data-action="timeline-live" onClick={() => set(count)} disabled={viewStep === null}>
          Live
        </button>
      </div>
      <AnimationExport />
    </div>
  );
}
