// A training animation from a run's timeline: one frame per kept snapshot
// (thinned evenly to at most `maxFrames`, first and last kept), each the
// matrices the page draws at that step — LSA's W_KQ, W_PV (per head and
// layer, with W_KᵀW_Q for separate K, Q), softmax attention's KQ^h and OV^h —
// on colour ranges fixed across the frames, so a colour means one value
// throughout, captioned with the step, the loss there and the link. The page
// and the runner draw the same frames.
import { withKeyQueryProducts } from '../analysis/linearAttention.ts';
import { readSoftmax, softmaxMatrices, type SoftmaxReading } from '../analysis/softmax.ts';
import { frameLayout, frameSvg, type FrameLayout, type FramePanel } from '../export/animationFrame.ts';
import { modelFor } from '../models/index.ts';
import { colourRange, outputLabels, tokenLabels } from '../models/matrixView.ts';
import { extractMatrices, type ModelDef, type NamedMatrix } from '../models/types.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import type { TimelineSnapshot } from './timeline.ts';

/** Frames of an animation by default: every kept snapshot of a ~200-point timeline. */
export const DEFAULT_MAX_FRAMES = 240;

/** Indices of `count` items to draw at most `max` of: evenly spread, the first and the last always in. */
export function thinFrames(count: number, max: number): number[] {
  if (count <= 0) return [];
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>();
  for (let j = 0; j < max; j++) out.add(Math.round((j * (count - 1)) / (max - 1)));
  return [...out].sort((a, b) => a - b);
}

/**
 * The matrices the page draws for a parameter vector of this spec's model:
 * softmax attention's KQ^h and OV^h (from its per-head reading, passed in
 * where the caller has it), else the model's own with W_KᵀW_Q for separate K, Q.
 */
export function drawnMatrices(
  spec: ExperimentSpec,
  params: ArrayLike<number>,
  reading: SoftmaxReading | null = spec.model.type === 'softmax' ? readSoftmax(params, spec.task.d, spec.model.heads, spec.task.tasks) : null,
  model: ModelDef = modelFor(spec),
): NamedMatrix[] {
  if (reading) return softmaxMatrices(reading, spec.task.d);
  return withKeyQueryProducts(spec, extractMatrices(model, params));
}

function labelsFor(m: NamedMatrix, d: number, k: number): Pick<FramePanel, 'rowLabels' | 'colLabels'> {
  const D = d + k;
  const tokens = tokenLabels(d, k);
  const generic = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
  return {
    rowLabels: m.rows === D ? tokens : generic(m.rows),
    colLabels: m.cols === D ? tokens : m.cols === k ? (k === 1 ? [''] : outputLabels(k)) : generic(m.cols),
  };
}

export interface AnimationFrame {
  step: number;
  svg: string;
}

export interface Animation {
  layout: FrameLayout;
  frames: AnimationFrame[];
}

export interface AnimationOptions {
  /** The share link's query (each frame's second caption line). */
  link: string;
  /** The training loss near a step (the curve's block mean there), for the caption; null where unknown. */
  lossAt?: (step: number) => number | null;
  maxFrames?: number;
}

/** The animation's frames as SVG text, in step order. */
export function animationFrames(spec: ExperimentSpec, snapshots: readonly TimelineSnapshot[], options: AnimationOptions): Animation {
  if (snapshots.length === 0) throw new Error('the timeline has no snapshot to animate');
  const picked = thinFrames(snapshots.length, options.maxFrames ?? DEFAULT_MAX_FRAMES).map((i) => snapshots[i]);
  const perFrame = picked.map((s) => drawnMatrices(spec, s.params));
  // One colour range per matrix over all frames.
  const ranges = new Map<string, number>();
  for (const mats of perFrame) for (const m of mats) ranges.set(m.name, Math.max(ranges.get(m.name) ?? 0, colourRange(m)));
  const { d, tasks: k } = spec.task;
  const panelsOf = (mats: NamedMatrix[]): FramePanel[] => mats.map((m) => ({ title: m.name, matrix: m, range: ranges.get(m.name) ?? 1, ...labelsFor(m, d, k) }));
  const layout = frameLayout(panelsOf(perFrame[0]));
  const total = spec.train.steps;
  const frames = picked.map((s, i) => {
    const loss = options.lossAt?.(s.step) ?? null;
    const head = `ICL Lab · step ${s.step.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}${loss !== null && Number.isFinite(loss) ? ` · loss ${loss.toPrecision(4)}` : ''}`;
    return { step: s.step, svg: frameSvg(panelsOf(perFrame[i]), [head, `?${options.link}`], layout) };
  });
  return { layout, frames };
}

/** The loss near `step` from a block-mean curve (x: each block's last step): the block holding it. */
export function lossNear(x: ArrayLike<number>, y: ArrayLike<number>): (step: number) => number | null {
  return (step) => {
    if (step <= 0 || x.length === 0) return null;
    let lo = 0;
    let hi = x.length - 1;
    if (step > x[hi]) return y[hi];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    return y[lo];
  };
}
