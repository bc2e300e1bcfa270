// What a sweep reports per grid point: every scalar of the single-run result
// (test MSE of the model and of each predictor, η_eff/η*, the Γ_eff error,
// ω_h, μ_h, the zero-sum score, the identification's R², …) as mean ± standard
// error over the point's seeds, the identified algorithm's votes, and the
// length curve averaged over seeds. Pure functions of the run results.
import type { Estimate } from '../engine/stats.ts';
import { identifiedAs, type ExperimentResult, type LengthCurve } from './evaluation.ts';

/** A run result as a sweep keeps it: the single-run result with its wall-clock figures under `timing`. */
export type SweepRunResult = Omit<ExperimentResult, 'adapter' | 'wallSeconds' | 'stepsPerSecond' | 'counters'>;

/** An estimate over seeds: the mean, the standard error of the mean (null with one value) and how many runs gave a finite value. */
export interface SeedEstimate {
  mean: number;
  stderr: number | null;
  n: number;
}

/** Every scalar of a run result, by a stable name (output 2 onward under task2., task3., …). */
export function runScalars(r: SweepRunResult): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number | undefined | null) => {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  };
  const loss = r.lossHistory.loss;
  put('train.finalLoss', loss.length > 0 ? loss[loss.length - 1] : undefined);
  const outputScalars = (o: ExperimentResult['outputs'][number], p: string) => {
    const m = o.test;
    put(`${p}test.model`, m.model.mean);
    put(`${p}test.ridge`, m.ridge.mean);
    put(`${p}test.oneStepGd`, m.oneStepGd.mean);
    put(`${p}test.oneStepEta`, m.oneStepEta);
    put(`${p}test.preconditionedGd`, m.preconditionedGd?.mean);
    put(`${p}test.modelMinusGd`, m.modelMinusGd?.mean);
    put(`${p}test.debiasedGd`, m.debiasedGd?.mean);
    for (const g of m.kStepGd ?? []) put(`${p}test.gd${g.steps}`, g.mean);
    put(`${p}test.ols`, m.ols?.mean);
    put(`${p}test.dmmse`, m.dmmse?.mean);
    put(`${p}theory.etaStar`, o.theory.etaStar);
    put(`${p}theory.gdLoss`, o.theory.gdLoss);
    put(`${p}theory.pgdLoss`, o.theory.pgdLoss);
    put(`${p}theory.testPgdLoss`, o.theory.testPgdLoss);
    const best = o.identification.matches.find((x) => x.predictor === o.identification.best);
    put(`${p}identification.r2`, best?.r2);
    for (const x of o.identification.matches) put(`${p}identification.r2.${x.predictor}`, x.r2);
  };
  r.outputs.forEach((o, t) => outputScalars(o, t === 0 ? '' : `task${t + 1}.`));
  // The test distribution apart from the training one (fresh tasks for a pooled run): the same names under shift.
  r.shift?.outputs.forEach((o, t) => outputScalars(o, t === 0 ? 'shift.' : `shift.task${t + 1}.`));
  r.trainSet?.model.forEach((m, t) => {
    const p = t === 0 ? '' : `task${t + 1}.`;
    put(`${p}trainSet.model`, m.mean);
    put(`${p}trainSet.gap`, r.trainSet!.gap[t].mean);
  });
  if (r.convergence) {
    put('convergence.stepsToTarget', r.convergence.stepsToTarget);
    put('convergence.finalRatio', r.convergence.finalRatio);
  }
  if (r.lsa) {
    put('lsa.etaEff', r.lsa.etaEff);
    put('lsa.etaRatio', r.lsa.etaRatio);
    put('lsa.gammaRelError', r.lsa.gammaRelError);
    put('lsa.xBlockIdentityShare', r.lsa.xBlockIdentityShare);
  }
  const s = r.softmax;
  if (s) {
    // Heads are interchangeable: rank them by μ_h (first output), largest first, so that
    // seeds whose heads came out in another order average like with like.
    const rank = s.mu.map((_, h) => h).sort((a, b) => s.mu[b] - s.mu[a] || a - b);
    rank.forEach((h, i) => {
      put(`softmax.omega${i + 1}`, s.omega[h]);
      s.muByOutput.forEach((mus, t) => put(`softmax.mu${i + 1}${t === 0 ? '' : `.task${t + 1}`}`, mus[h]));
      put(`softmax.diagonalHomogeneity${i + 1}`, s.heads[h].diagonalHomogeneity);
      put(`softmax.lastEntryOnly${i + 1}`, s.heads[h].lastEntryOnly);
    });
    put('softmax.zeroSum', s.zeroSum);
    put('softmax.dormantHeads', s.dormant.length);
    if (s.reduced.available) {
      put('softmax.reduced.learnedApproxLoss', s.reduced.learnedApproxLoss);
      put('softmax.reduced.learnedMonteCarlo', s.reduced.learnedMonteCarlo?.mean);
      put('softmax.reduced.infimum', s.reduced.infimum);
    }
  }
  return out;
}

/** Mean ± standard error over the finite values (sample standard deviation / √n). */
export function seedEstimate(values: number[]): SeedEstimate {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, stderr: null, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, stderr: null, n };
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, stderr: Math.sqrt(ss / (n - 1) / n), n };
}

/** Length curves averaged over seeds: mean ± SE over seeds (with one seed, the run's own SE over prompts). */
export interface LengthAggregate {
  nCtx: number[];
  model: SeedEstimate[];
  oneStepGd: SeedEstimate[];
  debiasedGd: SeedEstimate[];
  ridge: SeedEstimate[];
  ols: (SeedEstimate | null)[];
  /** What the standard errors are over. */
  stderrOver: 'seeds' | 'prompts';
}

function curveAggregate(curves: LengthCurve[]): LengthAggregate | null {
  if (curves.length === 0) return null;
  const nCtx = curves[0].nCtx;
  if (!curves.every((c) => c.nCtx.length === nCtx.length && c.nCtx.every((n, i) => n === nCtx[i]))) return null;
  const one = curves.length === 1;
  const col = (pick: (c: LengthCurve) => (Estimate | null)[]) =>
    nCtx.map((_, i) => {
      const es = curves.map((c) => pick(c)[i]).filter((e): e is Estimate => e !== null && e !== undefined);
      if (es.length === 0) return null;
      if (one) return { mean: es[0].mean, stderr: Number.isFinite(es[0].stderr) ? es[0].stderr : null, n: 1 };
      return seedEstimate(es.map((e) => e.mean));
    });
  return {
    nCtx,
    model: col((c) => c.model) as SeedEstimate[],
    oneStepGd: col((c) => c.oneStepGd) as SeedEstimate[],
    debiasedGd: col((c) => c.debiasedGd) as SeedEstimate[],
    ridge: col((c) => c.ridge) as SeedEstimate[],
    ols: col((c) => c.ols),
    stderrOver: one ? 'prompts' : 'seeds',
  };
}

export interface PointRun {
  status: 'done' | 'diverged' | 'failed';
  result?: SweepRunResult;
}

export interface PointAggregate {
  /** Runs of the point finished, diverged, or failed (e.g. past a GPU limit). */
  done: number;
  diverged: number;
  failed: number;
  /** name → mean ± SE over the point's finished runs. */
  metrics: Record<string, SeedEstimate>;
  /** The algorithm each finished run was identified as (first output): label → runs. */
  identified: Record<string, number>;
  /** The label most runs were identified as (ties: the first in candidate order); null without finished runs. */
  identifiedMode: string | null;
  /** One per output. */
  length: (LengthAggregate | null)[];
}

export function aggregatePoint(runs: PointRun[]): PointAggregate {
  const finished = runs.filter((r) => r.status === 'done' && r.result).map((r) => r.result!);
  const scalars = finished.map(runScalars);
  const names = [...new Set(scalars.flatMap((s) => Object.keys(s)))].sort();
  const metrics: Record<string, SeedEstimate> = {};
  for (const k of names) metrics[k] = seedEstimate(scalars.map((s) => s[k]).filter((v) => v !== undefined));
  const identified: Record<string, number> = {};
  for (const r of finished) {
    const as = identifiedAs(r.identification);
    identified[as] = (identified[as] ?? 0) + 1;
  }
  let identifiedMode: string | null = null;
  for (const [label, n] of Object.entries(identified)) if (identifiedMode === null || n > identified[identifiedMode]) identifiedMode = label;
  const outputs = finished[0]?.outputs.length ?? 0;
  const length = Array.from({ length: outputs }, (_, t) => curveAggregate(finished.map((r) => r.outputs[t].lengthGeneralization)));
  return {
    done: finished.length,
    diverged: runs.filter((r) => r.status === 'diverged').length,
    failed: runs.filter((r) => r.status === 'failed').length,
    metrics,
    identified,
    identifiedMode,
    length,
  };
}

/** Readable names of the metrics a figure can plot (the rest are shown by their key). */
export const METRIC_LABELS: Record<string, string> = {
  'test.model': 'test MSE (model)',
  'test.ridge': 'test MSE (Bayes ridge)',
  'test.oneStepGd': 'test MSE (one-step GD)',
  'test.preconditionedGd': 'test MSE (preconditioned GD)',
  'test.debiasedGd': 'test MSE (debiased GD)',
  'test.gd2': 'test MSE (2-step GD)',
  'test.gd3': 'test MSE (3-step GD)',
  'test.ols': 'test MSE (least squares)',
  'test.modelMinusGd': 'test MSE, model − one-step GD',
  'train.finalLoss': 'final batch loss',
  'convergence.stepsToTarget': 'steps to within 1% of the theory optimum',
  'convergence.finalRatio': 'final test MSE / theory optimum',
  'theory.etaStar': 'η* (closed form)',
  'theory.gdLoss': 'L* (closed form)',
  'theory.pgdLoss': 'preconditioned-GD loss (closed form)',
  'identification.r2': 'R² of the identified algorithm',
  'lsa.etaEff': 'η_eff',
  'lsa.etaRatio': 'η_eff / η*',
  'lsa.gammaRelError': '‖Γ_eff − Γ*‖_F / ‖Γ*‖_F',
  'softmax.zeroSum': 'zero-sum score |Σμ_h| / Σ|μ_h|',
  'test.dmmse': 'test MSE (dMMSE)',
  'trainSet.model': 'training-set MSE (model)',
  'trainSet.gap': 'generalization gap (test − training-set MSE)',
  'shift.test.model': 'test MSE on the test distribution (model)',
  'shift.test.ridge': 'test MSE on the test distribution (Bayes ridge)',
  'shift.test.dmmse': 'test MSE on the test distribution (dMMSE)',
  'shift.theory.pgdLoss': "the training Γ*'s loss on the test distribution (closed form)",
  'shift.theory.testPgdLoss': 'optimal preconditioned GD for the test distribution (closed form)',
};

/** A label for a metric: its own, or a test-distribution (shift.) metric's from the plain one. */
function shiftLabel(key: string): string | undefined {
  if (!key.startsWith('shift.')) return undefined;
  const plain = METRIC_LABELS[key.slice(6)];
  return plain ? `${plain}, test distribution` : undefined;
}

export function metricLabel(key: string): string {
  if (METRIC_LABELS[key]) return METRIC_LABELS[key];
  const shifted = shiftLabel(key);
  if (shifted) return shifted;
  const m = /^softmax\.(omega|mu)(\d+)$/.exec(key);
  if (m) return `${m[1] === 'omega' ? 'ω' : 'μ'}_${m[2]} (heads ranked by μ)`;
  return key;
}
