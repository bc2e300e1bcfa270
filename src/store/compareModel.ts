// What "compare two runs" compares, as pure functions: a run as the compare
// view keeps it (PinnedRun: its spec, step, loss curve, learned matrices and
// end-of-run numbers), read from the page's state or from a runner / sweep
// result; the rows of numbers side by side with their differences; the spec
// fields that differ; and the matrices both runs have (same name and shape)
// with their difference, current − pinned.
import type { AlgorithmIdentification, ExperimentResult, TestResult, TheoryNumbers } from '../analysis/evaluation.ts';
import type { SweepRunResult } from '../analysis/sweepPoints.ts';
import type { NamedMatrix } from '../models/types.ts';
import { matrixExport } from '../export/matrix.ts';
import { encodeSpec, FIELDS, getPath, type ExperimentSpec } from '../spec/index.ts';
import { sameFieldValue, showFieldValue } from './fieldValues.ts';
import { referenceLoss, type LabState } from './labStore.ts';

/** A run held for comparison: everything the compare view draws of it, copied (later training does not change it). */
export interface PinnedRun {
  spec: ExperimentSpec;
  /** encodeSpec(spec): the run's link query. */
  query: string;
  /** Steps trained. */
  step: number;
  /** Where it came from: the page's own run, a link's pinned spec trained here, or a sweep's run. */
  source: 'page' | 'link' | 'sweep';
  /** 'done': trained to the end and evaluated; 'paused': pinned partway (no test numbers). */
  status: 'done' | 'paused';
  /** The loss curve (block means; steps mark each block's end). */
  loss: { step: number[]; loss: number[] };
  /** The loss plot's reference: L*, or with k outputs the mean of the outputs' L* (null without a closed form). */
  lStar: number | null;
  /** The learned matrices as the page shows them (LSA: W_KQ, W_PV; softmax: KQ^h, OV^h). */
  matrices: NamedMatrix[];
  /** The first output's test MSEs (null before the evaluation). */
  test: TestResult | null;
  /** The first output's identification (null before the evaluation). */
  identification: AlgorithmIdentification | null;
  /** LSA, first output: η_eff, η_eff/η*, ‖Γ_eff − Γ*‖/‖Γ*‖. */
  lsa: { etaEff: number; etaRatio?: number; gammaRelError?: number } | null;
  /** Softmax attention: ω_h, μ_h (first output) and the zero-sum score. */
  softmax: { omega: number[]; mu: number[]; zeroSum: number } | null;
}

/** A plain copy (arrays, not typed arrays) that survives structuredClone and JSON alike. */
const plainMatrix = (m: NamedMatrix): NamedMatrix => matrixExport(m);

/**
 * A runner result (orchestration/run.ts's ExperimentResult) or a sweep's run
 * result (SweepRunResult: the same less its wall-clock figures) as a pinned run.
 */
export function pinnedFromResult(result: ExperimentResult | SweepRunResult, source: PinnedRun['source'] = 'sweep'): PinnedRun {
  const theories: TheoryNumbers[] = (result.outputs ?? []).map((o) => o.theory);
  const first = result.outputs?.[0];
  const lsa = result.lsa;
  const sm = result.softmax;
  return {
    spec: structuredClone(result.spec),
    query: encodeSpec(result.spec),
    step: result.steps ?? result.spec.train.steps,
    source,
    status: 'done',
    loss: { step: Array.from(result.lossHistory?.step ?? []), loss: Array.from(result.lossHistory?.loss ?? []) },
    lStar: referenceLoss(theories.length > 0 ? theories : result.theory ? [result.theory] : null) ?? null,
    matrices: Object.values(result.matrices ?? {}).map(plainMatrix),
    test: structuredClone(first?.test ?? result.test ?? null),
    identification: structuredClone(first?.identification ?? result.identification ?? null),
    lsa: lsa ? { etaEff: lsa.etaEff, etaRatio: lsa.etaRatio, gammaRelError: lsa.gammaRelError } : null,
    softmax: sm ? { omega: [...sm.omega], mu: [...sm.mu], zeroSum: sm.zeroSum } : null,
  };
}

/** The page's run as it stands (what pinning it now would keep); null before the model has been built. */
export function pinnedFromLab(s: LabState): PinnedRun | null {
  if (!s.matrices) return null;
  const pts = s.history.points();
  const first = s.outputs?.[0] ?? null;
  const lsa = s.lsa?.[0];
  return {
    spec: structuredClone(s.spec),
    query: encodeSpec(s.spec),
    step: s.step,
    source: 'page',
    status: s.status === 'done' ? 'done' : 'paused',
    loss: { step: Array.from(pts.x), loss: Array.from(pts.y) },
    lStar: referenceLoss(s.theoryByOutput) ?? null,
    matrices: s.matrices.map(plainMatrix),
    test: first ? structuredClone(first.test) : s.evaluation ? structuredClone(s.evaluation) : null,
    identification: first ? structuredClone(first.identification) : s.identification ? structuredClone(s.identification) : null,
    lsa: lsa ? { etaEff: lsa.etaEff, etaRatio: lsa.etaRatio, gammaRelError: lsa.gammaRelError } : null,
    softmax: s.softmax ? { omega: [...s.softmax.omega], mu: [...s.softmax.mu], zeroSum: s.softmax.zeroSum } : null,
  };
}

// ---- numbers side by side ---------------------------------------------------

export interface CompareRow {
  id: string;
  label: string;
  /** The group the row is shown under. */
  group: 'run' | 'test MSE' | 'identification' | 'LSA' | 'softmax';
  /** Numbers, or text (the identified algorithm); null where that run has none. */
  pinned: number | string | null;
  current: number | string | null;
  /** Standard errors of the two values, where they are estimates. */
  pinnedSe?: number;
  currentSe?: number;
  /** current − pinned, for numbers on both sides. */
  diff: number | null;
}

type Value = { v: number | string | null; se?: number };
type Picker = (r: PinnedRun) => Value;

function est(e: { mean: number; stderr: number } | null | undefined): Value {
  return e ? { v: e.mean, se: e.stderr } : { v: null };
}

function row(id: string, label: string, group: CompareRow['group'], p: PinnedRun | null, c: PinnedRun | null, pick: Picker): CompareRow {
  const a = p ? pick(p) : { v: null };
  const b = c ? pick(c) : { v: null };
  const diff = typeof a.v === 'number' && typeof b.v === 'number' ? b.v - a.v : null;
  return { id, label, group, pinned: a.v, current: b.v, pinnedSe: a.se, currentSe: b.se, diff };
}

/** The rows of numbers of two runs (pinned may be an untrained link spec: null), each row shown where either run has a value. */
export function compareRows(p: PinnedRun | null, c: PinnedRun | null): CompareRow[] {
  const rows: CompareRow[] = [];
  const add = (id: string, label: string, group: CompareRow['group'], pick: Picker) => rows.push(row(id, label, group, p, c, pick));
  const k = Math.max(p?.spec.task.tasks ?? 1, c?.spec.task.tasks ?? 1);
  const t1 = k > 1 ? ', task 1' : '';
  add('step', 'step', 'run', (r) => ({ v: r.step }));
  add('loss', 'final batch loss', 'run', (r) => ({ v: r.loss.loss.length > 0 ? r.loss.loss[r.loss.loss.length - 1] : null }));
  add('lstar', k > 1 ? 'L*, mean of the tasks' : 'L* (best one-step GD)', 'run', (r) => ({ v: r.lStar }));
  add('test.model', `model${t1}`, 'test MSE', (r) => est(r.test?.model));
  add('test.oneStepGd', 'one-step GD', 'test MSE', (r) => est(r.test?.oneStepGd));
  add('test.preconditionedGd', 'preconditioned GD', 'test MSE', (r) => est(r.test?.preconditionedGd));
  add('test.debiasedGd', 'debiased GD', 'test MSE', (r) => est(r.test?.debiasedGd));
  const kSteps = new Set<number>();
  for (const r of [p, c]) for (const g of r?.test?.kStepGd ?? []) kSteps.add(g.steps);
  for (const n of [...kSteps].sort((a, b) => a - b)) add(`test.gd${n}`, `${n}-step GD`, 'test MSE', (r) => est(r.test?.kStepGd?.find((g) => g.steps === n)));
  add('test.ridge', 'Bayes ridge', 'test MSE', (r) => est(r.test?.ridge));
  add('test.ols', 'least squares', 'test MSE', (r) => est(r.test?.ols));
  add('identification', `behaves like${t1}`, 'identification', (r) => ({ v: r.identification?.label ?? null }));
  add('identification.r2', 'R² of that match', 'identification', (r) => {
    const id = r.identification;
    return { v: id?.matches.find((m) => m.predictor === id.best)?.r2 ?? null };
  });
  add('lsa.etaEff', `η_eff${t1}`, 'LSA', (r) => ({ v: r.lsa?.etaEff ?? null }));
  add('lsa.etaRatio', 'η_eff / η*', 'LSA', (r) => ({ v: r.lsa?.etaRatio ?? null }));
  add('lsa.gammaRelError', '‖Γ_eff − Γ*‖ / ‖Γ*‖', 'LSA', (r) => ({ v: r.lsa?.gammaRelError ?? null }));
  const H = Math.max(p?.softmax?.omega.length ?? 0, c?.softmax?.omega.length ?? 0);
  for (let h = 0; h < H; h++) add(`softmax.omega${h + 1}`, `ω${sub(h + 1)}`, 'softmax', (r) => ({ v: r.softmax?.omega[h] ?? null }));
  for (let h = 0; h < H; h++) add(`softmax.mu${h + 1}`, `μ${sub(h + 1)}${t1}`, 'softmax', (r) => ({ v: r.softmax?.mu[h] ?? null }));
  if (H > 1) add('softmax.zeroSum', 'μ zero-sum |Σμ| / Σ|μ|', 'softmax', (r) => ({ v: r.softmax && r.softmax.mu.length > 1 ? r.softmax.zeroSum : null }));
  return rows.filter((r) => r.id === 'step' || r.pinned !== null || r.current !== null);
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';
function sub(n: number): string {
  return String(n).replace(/\d/g, (ch) => SUBSCRIPT[Number(ch)]);
}

// ---- spec fields that differ ------------------------------------------------

export interface SpecDifference {
  path: string;
  /** The field's link key (n, lr, …) and its label (context length n, …). */
  key: string;
  label: string;
  pinned: string;
  current: string;
}


/** Every spec field whose value differs between the two specs, in the field table's order. */
export function specDifferences(pinned: ExperimentSpec, current: ExperimentSpec): SpecDifference[] {
  const out: SpecDifference[] = [];
  for (const f of FIELDS) {
    const a = getPath(pinned, f.path);
    const b = getPath(current, f.path);
    if (!sameFieldValue(a, b)) out.push({ path: f.path, key: f.key, label: f.label, pinned: showFieldValue(a), current: showFieldValue(b) });
  }
  return out;
}

// ---- matrices ----------------------------------------------------------------

export interface MatrixComparison {
  name: string;
  pinned: NamedMatrix;
  current: NamedMatrix;
  /** current − pinned, entry by entry (no-gradient where both are). */
  diff: NamedMatrix;
  /** Largest |current − pinned| over all entries. */
  maxAbsDiff: number;
}

/** The matrices both runs have with the same name and shape, in the current run's order, with their differences. */
export function compareMatrices(pinned: NamedMatrix[], current: NamedMatrix[]): MatrixComparison[] {
  const out: MatrixComparison[] = [];
  for (const c of current) {
    const p = pinned.find((m) => m.name === c.name && m.rows === c.rows && m.cols === c.cols);
    if (!p) continue;
    const data = c.data.map((v, i) => v - p.data[i]);
    let maxAbsDiff = 0;
    for (const v of data) if (Number.isFinite(v)) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v));
    out.push({
      name: c.name,
      pinned: p,
      current: c,
      diff: {
        name: `${c.name} difference`,
        rows: c.rows,
        cols: c.cols,
        data,
        noGradient: c.noGradient.map((f, i) => f && p.noGradient[i]),
        caption: `${c.name} of the current run minus the pinned run's.`,
      },
      maxAbsDiff,
    });
  }
  return out;
}
