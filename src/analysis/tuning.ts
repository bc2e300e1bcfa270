// A sweep over (learning rate × something) read as a tuned comparison: for
// each value of the grouping field (the optimizer, say), the learning rate
// whose final test MSE, averaged over seeds, is lowest — the same tuning
// budget for every group — and that point's numbers with their seed spread.
// Pure functions of the sweep's points.
import { FIELD_BY_PATH } from '../spec/fields.ts';
import type { AxisValue, SweepSpec } from '../spec/sweep.ts';
import { metricLabel, type PointAggregate, type SeedEstimate } from './sweepPoints.ts';
import type { Figure, FigureTrace } from './sweepFigure.ts';

interface PointLike extends PointAggregate {
  coords: AxisValue[];
  share?: string;
}

export interface TunedRow {
  group: AxisValue;
  /** The chosen value of the tuned field (null: no grid point had a finished run). */
  best: AxisValue | null;
  /** Every tuned value with the selection metric's mean (NaN where no run finished), the runs that measured it, and its runs. */
  curve: { value: AxisValue; mean: number; measured: number; done: number; diverged: number; failed: number }[];
  metrics: Record<string, SeedEstimate>;
  identified: Record<string, number>;
  identifiedMode: string | null;
  done: number;
  diverged: number;
  share?: string;
}

export interface Tuning {
  tuned: string;
  grouped: string;
  by: string;
  rows: TunedRow[];
}

/**
 * Picks, for each value of `grouped`, the value of `tuned` minimizing the
 * mean of `by`. Points with a diverged or failed seed, or a seed without the
 * metric (steps to a target it never reached), are not chosen (a rate that
 * sometimes fails is not a tuned rate) unless no point of the group is free
 * of them.
 */
export function tuneSweep(sweep: Pick<SweepSpec, 'axes'>, points: PointLike[], tuned = 'optimizer.lr', by = 'test.model'): Tuning {
  const ti = sweep.axes.findIndex((a) => a.field === tuned);
  if (ti < 0) throw new Error(`the sweep does not vary ${tuned}; it varies ${sweep.axes.map((a) => a.field).join(' and ')}`);
  if (sweep.axes.length !== 2) throw new Error('a tuned comparison needs a sweep of two fields: the tuned one and the one compared');
  const gi = 1 - ti;
  const grouped = sweep.axes[gi].field;
  const rows = sweep.axes[gi].values.map((group): TunedRow => {
    const mine = points.filter((p) => p.coords[gi] === group);
    const curve = sweep.axes[ti].values.map((value) => {
      const p = mine.find((q) => q.coords[ti] === value);
      return { value, mean: p?.metrics[by]?.mean ?? NaN, measured: p?.metrics[by]?.n ?? 0, done: p?.done ?? 0, diverged: p?.diverged ?? 0, failed: p?.failed ?? 0 };
    });
    // Clean: every seed finished and measured the metric (steps to a target count only where all seeds got there).
    const eligible = (clean: boolean) =>
      curve.filter((c) => Number.isFinite(c.mean) && c.done > 0 && (!clean || (c.diverged + c.failed === 0 && c.measured === c.done))).sort((a, b) => a.mean - b.mean);
    const pick = eligible(true)[0] ?? eligible(false)[0];
    const at = pick ? mine.find((q) => q.coords[ti] === pick.value)! : null;
    return {
      group,
      best: pick ? pick.value : null,
      curve,
      metrics: at?.metrics ?? {},
      identified: at?.identified ?? {},
      identifiedMode: at?.identifiedMode ?? null,
      done: at?.done ?? 0,
      diverged: at?.diverged ?? 0,
      ...(at?.share ? { share: at.share } : {}),
    };
  });
  return { tuned, grouped, by, rows };
}

const num = (v: number, digits = 4) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits));
const est = (e: SeedEstimate | undefined, digits = 4) => (!e || !Number.isFinite(e.mean) ? '–' : `${num(e.mean, digits)}${e.stderr !== null ? ` ± ${num(e.stderr, 2)}` : ''}`);

/** The columns a tuned table shows, where the sweep measured them. */
export const TUNED_COLUMNS = [
  'test.model',
  'convergence.finalRatio',
  'convergence.stepsToTarget',
  'identification.r2',
  'lsa.gammaRelError',
  'lsa.etaRatio',
  'softmax.omega1',
  'softmax.omega2',
  'softmax.mu1',
  'softmax.mu2',
  'softmax.zeroSum',
];

/** The tuned comparison as a Markdown table (one row per group). */
export function tunedTableMarkdown(t: Tuning, options: { linkBase?: string } = {}): string {
  const cols = TUNED_COLUMNS.filter((c) => t.rows.some((r) => r.metrics[c]));
  const key = (path: string) => FIELD_BY_PATH.get(path)?.key ?? path;
  const links = options.linkBase !== undefined && t.rows.some((r) => r.share);
  const head = [key(t.grouped), `best ${key(t.tuned)}`, ...cols.map((c) => (c === 'convergence.stepsToTarget' ? `${metricLabel(c)} (seeds that got there)` : metricLabel(c))), 'identified as (runs)', ...(links ? ['link'] : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of t.rows) {
    const ident = Object.entries(r.identified)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} (${v})`)
      .join(', ');
    const cells = cols.map((c) => {
      const e = r.metrics[c];
      if (c === 'convergence.stepsToTarget') return e && e.n > 0 ? `${est(e, 3)} (${e.n}/${r.done})` : `never (0/${r.done})`;
      return est(e);
    });
    const link = links ? [r.share ? `[run](${options.linkBase}?${r.share})` : '–'] : [];
    lines.push(`| ${[String(r.group), r.best === null ? '–' : String(r.best), ...cells, ident || '–', ...link].join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

interface RunLike {
  point: number;
  status: string;
  result?: { lossHistory: { step: number[]; loss: number[] }; convergence?: { target: number; targetLabel: string } };
}

/**
 * The batch loss through training of each group at its chosen rate: the mean
 * over its seeds of the recorded loss history (block means), with its standard
 * error, beside the theory's target. Log–log, so early speed and the final
 * gap both show.
 */
export function tunedLossFigure(t: Tuning, points: (PointLike & { point: number })[], runs: RunLike[], link: string, sweepAxes: Pick<SweepSpec, 'axes'>['axes']): Figure {
  const ti = sweepAxes.findIndex((a) => a.field === t.tuned);
  const gi = 1 - ti;
  const key = (path: string) => FIELD_BY_PATH.get(path)?.key ?? path;
  const traces: FigureTrace[] = [];
  let target: { value: number; label: string } | null = null;
  let maxStep = 1;
  t.rows.forEach((r, i) => {
    if (r.best === null) return;
    const p = points.find((q) => q.coords[gi] === r.group && q.coords[ti] === r.best);
    if (!p) return;
    const hist = runs.filter((x) => x.point === p.point && x.status === 'done' && x.result).map((x) => x.result!);
    if (hist.length === 0) return;
    const steps = hist[0].lossHistory.step;
    const same = hist.filter((h) => h.lossHistory.step.length === steps.length);
    const y: number[] = [];
    const se: (number | null)[] = [];
    steps.forEach((_, j) => {
      const v = same.map((h) => h.lossHistory.loss[j]).filter(Number.isFinite);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      y.push(mean);
      se.push(v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length) : null);
    });
    maxStep = Math.max(maxStep, steps[steps.length - 1] ?? 1);
    traces.push({ name: `${String(r.group)} (${key(t.tuned)} ${String(r.best)})`, x: steps, y, se, role: 'model', dash: 'solid', color: i, diverged: [] });
    const c = same[0].convergence;
    if (c && !target) target = { value: c.target, label: c.targetLabel };
  });
  if (target) {
    const tg = target as { value: number; label: string };
    traces.push({ name: tg.label, x: [1, maxStep], y: [tg.value, tg.value], se: [null, null], role: 'theory', dash: 'dash', color: -1, diverged: [] });
  }
  return {
    kind: 'field',
    title: `Batch loss through training, each ${key(t.grouped)} at its best ${key(t.tuned)}`,
    xLabel: 'step',
    yLabel: 'batch loss (block means)',
    logX: true,
    logY: true,
    traces,
    note: 'mean over seeds ± standard error',
    link,
  };
}
