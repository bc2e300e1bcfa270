// A sweep's figure as plain data — traces with mean ± SE bands, the theory's
// lines, axis labels and scales — so the page draws it with Plotly and the
// runner writes it as SVG, from one description. Two kinds:
//   'field'  a metric against the first swept field, one line per value of
//            the second, with the closed forms where they exist (L*(n),
//            η*(n), the preconditioned-GD loss) and the measured ridge;
//   'length' test MSE against context length, one line per grid point, with
//            one-step GD, debiased GD and ridge measured on the same prompts.
import { FIELD_BY_PATH } from '../spec/fields.ts';
import type { AxisValue, SweepSpec } from '../spec/sweep.ts';
import { metricLabel, type PointAggregate, type SeedEstimate } from './sweepPoints.ts';

export type TraceRole = 'model' | 'predictor' | 'theory';

export interface FigureTrace {
  name: string;
  x: number[];
  y: number[];
  /** Standard error per point (null where there is none: one seed, or a closed form). */
  se: (number | null)[];
  role: TraceRole;
  dash: 'solid' | 'dash' | 'dot' | 'dashdot';
  /** Index into the figure's palette; traces of one grid line share it. */
  color: number;
  /** x of points with diverged or failed runs (drawn as ×). */
  diverged: number[];
  /** Grid point of each x (model traces; for opening a run from the figure). */
  points?: number[];
}

export interface Figure {
  kind: 'field' | 'length';
  title: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  logY: boolean;
  /** Categorical x (an enum or boolean field): tick labels at x = 0, 1, … */
  xTicks?: string[];
  traces: FigureTrace[];
  /** What the bands are. */
  note: string;
  /** The sweep's link, for the caption. */
  link: string;
}

interface PointLike extends PointAggregate {
  point: number;
  coords: AxisValue[];
}

export interface FigureOptions {
  kind?: 'field' | 'length';
  metric?: string;
  /** Output (task) index for multi-task sweeps. */
  output?: number;
}

const keyOf = (path: string) => FIELD_BY_PATH.get(path)?.key ?? path;

function isNumeric(values: AxisValue[]): values is number[] {
  return values.every((v) => typeof v === 'number');
}

function spansDecades(values: number[]): boolean {
  const pos = values.filter((v) => v > 0);
  return pos.length === values.length && pos.length > 1 && Math.max(...pos) / Math.min(...pos) >= 20;
}

/** The metrics with closed-form or measured reference lines, and those lines. */
const REFERENCES: Record<string, { metric: string; name: string; dash: FigureTrace['dash']; role: TraceRole }[]> = {
  'test.model': [
    { metric: 'theory.gdLoss', name: 'L*: optimal one-step GD (closed form)', dash: 'dash', role: 'theory' },
    { metric: 'theory.pgdLoss', name: 'optimal preconditioned GD (closed form)', dash: 'dot', role: 'theory' },
    { metric: 'test.ridge', name: 'Bayes ridge (measured)', dash: 'dashdot', role: 'predictor' },
    { metric: 'test.dmmse', name: 'dMMSE (measured)', dash: 'dot', role: 'predictor' },
  ],
  // A pooled sweep's fresh-task test (or any test distribution apart from training).
  'shift.test.model': [
    { metric: 'shift.theory.pgdLoss', name: 'training Γ*, its loss here (closed form)', dash: 'dash', role: 'theory' },
    { metric: 'shift.theory.testPgdLoss', name: 'optimal preconditioned GD here (closed form)', dash: 'dot', role: 'theory' },
    { metric: 'shift.test.ridge', name: 'Bayes ridge (measured)', dash: 'dashdot', role: 'predictor' },
    { metric: 'shift.test.dmmse', name: 'dMMSE of the pool (measured)', dash: 'dot', role: 'predictor' },
  ],
  'trainSet.model': [{ metric: 'test.model', name: 'fresh-prompt test MSE (model)', dash: 'dash', role: 'predictor' }],
  'lsa.etaEff': [{ metric: 'theory.etaStar', name: 'η* (closed form)', dash: 'dash', role: 'theory' }],
  'test.oneStepGd': [{ metric: 'theory.gdLoss', name: 'L* (closed form)', dash: 'dash', role: 'theory' }],
};

export function sweepFigure(file: { sweep: SweepSpec; points: PointLike[]; share: string }, options: FigureOptions = {}): Figure {
  const { sweep, points } = file;
  const kind = options.kind ?? (sweep.lengths.length > 0 ? 'length' : 'field');
  const t = options.output ?? 0;
  const prefix = t === 0 ? '' : `task${t + 1}.`;
  const seedsNote = sweep.seeds > 1 ? `mean ± SE over ${sweep.seeds} seeds` : 'one seed: bands are the SE over test prompts where shown';
  const axis0 = sweep.axes[0];
  const axis1 = sweep.axes[1];
  const f0 = FIELD_BY_PATH.get(axis0.field)!;
  const lineName = (p: PointLike, from: number) =>
    sweep.axes
      .slice(from)
      .map((a, i) => `${keyOf(a.field)} = ${p.coords[from + i]}`)
      .join(', ');
  const traces: FigureTrace[] = [];
  if (kind === 'length') {
    let color = 0;
    for (const p of points) {
      const c = p.length[t];
      if (!c) continue;
      traces.push({
        name: `model, ${lineName(p, 0)}`,
        x: c.nCtx,
        y: c.model.map((e) => e.mean),
        se: c.model.map((e) => e.stderr),
        role: 'model',
        dash: 'solid',
        color: color++,
        diverged: p.diverged + p.failed > 0 ? [c.nCtx[0]] : [],
        points: c.nCtx.map(() => p.point),
      });
    }
    // The predictors see the same test prompts at every grid point unless a field of the
    // test task is swept (the training n is not one: the curve has its own lengths): draw them once.
    const shared = sweep.axes.every((a) => a.field === 'task.n' || FIELD_BY_PATH.get(a.field)?.group !== 'Task');
    // Shared: the point with the longest grid (a swept n gives each point its own default 1 … 4n).
    const withCurve = points.filter((p) => p.length[t]);
    const longest = withCurve.reduce<PointLike | null>((a, p) => (!a || p.length[t]!.nCtx.length > a.length[t]!.nCtx.length ? p : a), null);
    const sources = shared ? (longest ? [longest] : []) : withCurve;
    for (const p of sources) {
      const c = p.length[t]!;
      const tag = shared ? '' : `, ${lineName(p, 0)}`;
      const add = (name: string, es: (SeedEstimate | null)[], dash: FigureTrace['dash'], color: number) => {
        const keep = es.map((e, i) => (e ? i : -1)).filter((i) => i >= 0);
        if (keep.length === 0) return;
        traces.push({ name: name + tag, x: keep.map((i) => c.nCtx[i]), y: keep.map((i) => es[i]!.mean), se: keep.map((i) => es[i]!.stderr), role: 'predictor', dash, color, diverged: [] });
      };
      add('one-step GD (η*(n))', c.oneStepGd, 'dash', -1);
      add('debiased GD', c.debiasedGd, 'dot', -2);
      add('Bayes ridge', c.ridge, 'dashdot', -3);
    }
    return {
      kind,
      title: `Test MSE against context length${sweep.axes.length ? `, by ${sweep.axes.map((a) => keyOf(a.field)).join(' and ')}` : ''}`,
      xLabel: 'context length n (test)',
      yLabel: 'test MSE',
      logX: false,
      logY: false,
      traces,
      note: `${seedsNote}; trained at n = ${sweep.base.task.n}${sweep.axes.some((a) => a.field === 'task.n') ? ' (swept)' : ''}`,
      link: file.share,
    };
  }
  const metric = options.metric ?? 'test.model';
  const numeric = isNumeric(axis0.values);
  const xOf = (v: AxisValue) => (numeric ? (v as number) : axis0.values.indexOf(v));
  const groups = axis1 ? axis1.values.map((v) => points.filter((p) => p.coords[1] === v)) : [points];
  groups.forEach((ps, g) => {
    const name = axis1 ? `${keyOf(axis1.field)} = ${axis1.values[g]}` : 'model';
    const ok = ps.filter((p) => p.metrics[prefix + metric]);
    traces.push({
      name: axis1 ? name : metricLabel(metric),
      x: ok.map((p) => xOf(p.coords[0])),
      y: ok.map((p) => p.metrics[prefix + metric].mean),
      se: ok.map((p) => p.metrics[prefix + metric].stderr),
      role: 'model',
      dash: 'solid',
      color: g,
      diverged: ps.filter((p) => p.diverged + p.failed > 0).map((p) => xOf(p.coords[0])),
      points: ok.map((p) => p.point),
    });
    for (const ref of REFERENCES[metric] ?? []) {
      const have = ps.filter((p) => p.metrics[prefix + ref.metric]);
      if (have.length === 0) continue;
      // The preconditioned optimum equals L* where Σ is isotropic: skip a line that duplicates it.
      if (ref.metric === 'theory.pgdLoss' && have.every((p) => Math.abs(p.metrics[prefix + ref.metric].mean - (p.metrics[prefix + 'theory.gdLoss']?.mean ?? NaN)) <= 1e-9 * Math.abs(p.metrics[prefix + ref.metric].mean))) continue;
      traces.push({
        name: ref.name + (axis1 ? `, ${name}` : ''),
        x: have.map((p) => xOf(p.coords[0])),
        y: have.map((p) => p.metrics[prefix + ref.metric].mean),
        se: have.map((p) => (ref.role === 'theory' ? null : p.metrics[prefix + ref.metric].stderr)),
        role: ref.role,
        dash: ref.dash,
        color: axis1 ? g : -1 - (REFERENCES[metric]?.indexOf(ref) ?? 0),
        diverged: [],
      });
    }
    if (metric === 'lsa.etaRatio' && g === 0) traces.push({ name: 'η_eff = η*', x: ps.map((p) => xOf(p.coords[0])), y: ps.map(() => 1), se: ps.map(() => null), role: 'theory', dash: 'dash', color: -1, diverged: [] });
  });
  if (axis1) mergeSharedReferences(traces, `, ${keyOf(axis1.field)} = `);
  const xs = numeric ? (axis0.values as number[]) : [];
  const ys = traces.flatMap((tr) => tr.y).filter((v) => Number.isFinite(v));
  return {
    kind,
    title: `${metricLabel(metric)} against ${f0.label}`,
    xLabel: `${f0.label} (${f0.key})`,
    yLabel: metricLabel(metric),
    logX: numeric && f0.kind !== 'enum' && spansDecades(xs),
    logY: ys.length > 1 && ys.every((v) => v > 0) && Math.max(...ys) / Math.min(...ys) >= 50,
    xTicks: numeric ? undefined : axis0.values.map(String),
    traces,
    note: seedsNote,
    link: file.share,
  };
}

/**
 * A reference line that does not depend on the second swept field (L* when
 * the learning rate is swept, say) comes out the same for every value of it:
 * keep one, named without the value, in a reference colour, over all the x
 * where any of them has a point.
 */
function mergeSharedReferences(traces: FigureTrace[], suffix: string): void {
  const byBase = new Map<string, number[]>();
  traces.forEach((t, i) => {
    if (t.role === 'model') return;
    const at = t.name.lastIndexOf(suffix);
    const base = at >= 0 ? t.name.slice(0, at) : t.name;
    if (!byBase.has(base)) byBase.set(base, []);
    byBase.get(base)!.push(i);
  });
  const drop = new Set<number>();
  let color = -1;
  for (const [base, idx] of byBase) {
    const first = traces[idx[0]];
    // The same wherever two of them have a point (a line may miss the points where every run diverged).
    const at = new Map<number, { y: number; se: number | null }>();
    let same = true;
    for (const i of idx)
      traces[i].x.forEach((x, j) => {
        const y = traces[i].y[j];
        const seen = at.get(x);
        if (!seen) {
          at.set(x, { y, se: traces[i].se[j] });
          return;
        }
        // Closed forms must agree exactly; a measured line may differ within its standard errors
        // where runs diverged at some of its points (the mean is then over other seeds).
        const slack = traces[i].role === 'predictor' ? 4 * Math.max(seen.se ?? 0, traces[i].se[j] ?? 0) : 0;
        if (!(Math.abs(seen.y - y) <= Math.max(slack, 1e-12 * Math.max(Math.abs(y), Math.abs(seen.y))) || seen.y === y)) same = false;
      });
    if (!same || idx.length < 2) continue;
    const xs = [...at.keys()].sort((a, b) => a - b);
    traces[idx[0]] = { ...first, name: base, color: color--, x: xs, y: xs.map((x) => at.get(x)!.y), se: xs.map((x) => at.get(x)!.se) };
    idx.slice(1).forEach((i) => drop.add(i));
  }
  const kept = traces.filter((_, i) => !drop.has(i));
  traces.length = 0;
  traces.push(...kept);
}
