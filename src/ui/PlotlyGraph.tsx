// One Plotly figure, redrawn with Plotly.react whenever its props change.
// Redraws go through the shared draw queue (one per task); a change that
// arrives while this graph is already queued only replaces the figure to draw,
// so a burst of updates costs one draw. Plotly follows window resizes only, so
// a ResizeObserver refits the figure when its box changes otherwise (a layout
// switch moves a card between a three- and a two-column row).
import { useEffect, useRef } from 'react';
import type { Data, Layout, PlotMouseEvent } from 'plotly.js';
import { loadPlotly, PLOT_CONFIG, queueDraw, type PlotlyModule } from './plotly.ts';

interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

interface Props extends Figure {
  className?: string;
  /** data-* attributes for tests and styling. */
  attrs?: Record<`data-${string}`, string>;
  /** Called with Plotly's plotly_click event (a click on a point). */
  onClick?: (event: PlotMouseEvent) => void;
}

type EventfulDiv = HTMLDivElement & { on?: (name: string, fn: (e: PlotMouseEvent) => void) => void; removeListener?: (name: string, fn: (e: PlotMouseEvent) => void) => void };

export function PlotlyGraph({ data, layout, className, attrs, onClick }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const next = useRef<Figure | null>(null);
  const queued = useRef(false);
  const plotly = useRef<PlotlyModule | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  // One stable listener, bound again after each draw (a full redraw drops Plotly's listeners).
  const clickListener = useRef((e: PlotMouseEvent) => clickRef.current?.(e));

  useEffect(() => {
    next.current = { data, layout };
    if (queued.current) return;
    queued.current = true;
    queueDraw(async () => {
      queued.current = false;
      const fig = next.current;
      next.current = null;
      if (!fig) return;
      const Plotly = (plotly.current ??= await loadPlotly());
      // The graph may have been unmounted while Plotly was loading.
      if (el.current) {
        await Plotly.react(el.current, fig.data, fig.layout, PLOT_CONFIG);
        const gd = el.current as EventfulDiv;
        if (clickRef.current && gd.on) {
          gd.removeListener?.('plotly_click', clickListener.current);
          gd.on('plotly_click', clickListener.current);
        }
      }
    });
  }, [data, layout]);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let size = '';
    let resizeQueued = false;
    const observer = new ResizeObserver(([entry]) => {
      const now = `${Math.round(entry.contentRect.width)}x${Math.round(entry.contentRect.height)}`;
      if (now === size) return;
      const first = size === '';
      size = now;
      // The first observation is the size the figure was (or will be) drawn at.
      if (first || resizeQueued) return;
      resizeQueued = true;
      queueDraw(async () => {
        resizeQueued = false;
        const gd = node as HTMLElement & { data?: unknown };
        if (plotly.current && gd.data && node.isConnected) await plotly.current.Plots.resize(node);
      });
    });
    observer.observe(node);
    return () => {
      observer.disconnect();
      if (plotly.current) plotly.current.purge(node);
    };
  }, []);

  return <div ref={el} className={className} {...attrs} />;
}
