// The evaluation beyond the training distribution, beside the in-distribution
// numbers. A test distribution apart from the training one (eval.test; for a
// pooled run, fresh tasks by default) gets a two-row table: the training
// distribution (pool tasks for a pooled run) and the test distribution, each
// with the model's test MSE, one-step and preconditioned GD, ridge, dMMSE
// (pooled runs), the closed-form loss of the training optimum there (what a
// model that learned Γ* scores on it) beside that distribution's own optimum,
// and which candidate the model behaves like there. A fixed training set gets
// one line: the model's MSE on its training prompts, on fresh prompts, and the
// gap. With k outputs both are the first task's, as in the readouts.
import { describeShift, isExplained, type OutputEvaluation, type TheoryNumbers } from '../analysis/evaluation.ts';
import type { Estimate } from '../engine/stats.ts';
import { useLab } from '../store/labStore.ts';
import { testShiftActive } from '../tasks/task.ts';
import { fmtR2 } from './Identification.tsx';
import { fmt, fmtEstimate, fmtInt } from './format.ts';

function EstimateCell({ e, column }: { e: Estimate | undefined; column: string }) {
  return (
    <td data-col={column} title={e ? fmtEstimate(e.mean, e.stderr) : undefined}>
      {e ? fmt(e.mean) : '—'}
    </td>
  );
}

/** The closed-form loss of the training optimum on a distribution, and that distribution's own optimum. */
function closedForms(theory: TheoryNumbers, shifted: boolean): { trained?: number; own?: number } {
  if (!theory.available) return {};
  const trained = theory.pgdLoss ?? theory.gdLoss;
  return { trained, own: shifted ? theory.testPgdLoss : trained };
}

function Row({ name, o, shifted, pooled, testid }: { name: string; o: OutputEvaluation; shifted: boolean; pooled: boolean; testid: string }) {
  const { test, theory, identification } = o;
  const best = identification.matches.find((m) => m.predictor === identification.best);
  const forms = closedForms(theory, shifted);
  const noForm = theory.available ? undefined : theory.reason;
  return (
    <tr data-testid={testid}>
      <td className="shift-row-name" title={name}>
        {name}
      </td>
      <EstimateCell e={test.model} column="model" />
      <EstimateCell e={test.oneStepGd} column="oneStepGd" />
      <EstimateCell e={test.preconditionedGd} column="preconditionedGd" />
      <EstimateCell e={test.ridge} column="ridge" />
      {pooled ? <EstimateCell e={test.dmmse} column="dmmse" /> : null}
      <td data-col="trainedOptimum" title={noForm}>
        {fmt(forms.trained)}
      </td>
      <td data-col="ownOptimum" title={noForm}>
        {fmt(forms.own)}
      </td>
      <td data-col="identification" className="shift-identification" title={identification.matches.map((m) => `${m.label} R² ${fmtR2(m.r2)}`).join('\n')}>
        <strong>{isExplained(identification) ? (best?.label ?? identification.label) : 'no candidate'}</strong>{' '}
        <span className="muted">{isExplained(identification) ? '' : `closest ${best?.label ?? '—'}, `}R² {best ? fmtR2(best.r2) : '—'}</span>
      </td>
    </tr>
  );
}

export function ShiftResults() {
  const spec = useLab((s) => s.spec);
  const shift = useLab((s) => s.shift);
  const first = useLab((s) => s.outputs?.[0] ?? null);
  const status = useLab((s) => s.status);
  // The evaluation, once there, describes the spec it ran under; before it, the spec's own overrides.
  const active = shift !== null || testShiftActive(spec);
  if (!active) return null;
  const pooled = spec.task.pool > 0;
  const description = shift?.description ?? describeShift(spec);
  const task1 = spec.task.tasks > 1 ? ', task 1' : '';
  const source = first?.theory.source === 'pool' ? 'Γ*(Ω_pool)' : 'Γ*';
  const trainName = pooled ? 'pool tasks (training)' : 'training distribution';
  const testName = description || 'test distribution';
  return (
    <section className="card shift-card" aria-label="test distribution" data-testid="shift-results">
      <header className="card-header">
        <h2>
          Test distribution <span className="dims">({testName})</span>
        </h2>
        <span className="card-tools">
          <span className="muted small">
            {shift
              ? `test MSE${task1}, ${fmtInt(shift.test.prompts)} prompts each, n = ${shift.test.nCtx}`
              : status === 'evaluating'
                ? 'measuring…'
                : status === 'done'
                  ? 'not measured in this run: set before training'
                  : 'measured after training'}
          </span>
        </span>
      </header>
      {shift && first ? (
        <table className="head-table shift-table" data-testid="shift-table">
          <thead>
            <tr>
              <th />
              <th title="the trained model">model</th>
              <th title="one-step GD with the training distribution's η (η* or its fit)">one-step GD</th>
              <th title="preconditioned one-step GD with the training distribution's Γ (Γ* or its fit)">precond. GD</th>
              <th title="the Bayes-optimal ridge of the distribution tested">ridge</th>
              {pooled ? <th title="dMMSE: the Bayes posterior mean over the training pool's tasks">dMMSE</th> : null}
              <th title={`closed-form expected loss, on the distribution of the row, of the training distribution's optimum ${source}: what a model that learned it scores there`}>{source} loss</th>
              <th title="closed-form loss of the optimal preconditioned one-step GD for the distribution of the row itself">optimum</th>
              <th title="the candidate whose predictions explain the model's best there, with its R²">behaves like</th>
            </tr>
          </thead>
          <tbody>
            <Row name={trainName} o={first} shifted={false} pooled={pooled} testid="shift-row-train" />
            <Row name={testName} o={shift} shifted pooled={pooled} testid="shift-row-test" />
          </tbody>
        </table>
      ) : null}
      {shift && !shift.theory.available && shift.theory.reason ? <p className="caption">Closed forms: {shift.theory.reason}.</p> : null}
    </section>
  );
}

export function TrainSetLine() {
  const size = useLab((s) => s.spec.train.set);
  const trainSet = useLab((s) => s.trainSet);
  const fresh = useLab((s) => s.evaluation?.model ?? null);
  const k = useLab((s) => s.spec.task.tasks);
  const status = useLab((s) => s.status);
  if (size === 0 && !trainSet) return null;
  const task1 = k > 1 ? ', task 1' : '';
  const model = trainSet?.model[0];
  const gap = trainSet?.gap[0];
  return (
    <section className="identification train-set" aria-label="training set and generalization gap" data-testid="train-set">
      <span className="identification-label">
        Fixed training set, N = {fmtInt(trainSet?.size ?? size)} prompts{task1}:
      </span>
      {trainSet && model && gap && fresh ? (
        <>
          <span title={`MSE on ${fmtInt(trainSet.prompts)} of the training set's prompts: ${fmtEstimate(model.mean, model.stderr)}`}>
            training-set MSE <strong data-testid="train-set-mse">{fmt(model.mean)}</strong>
          </span>
          <span className="identification-others">·</span>
          <span title={`test MSE on fresh prompts: ${fmtEstimate(fresh.mean, fresh.stderr)}`}>
            fresh-prompt test MSE <strong data-testid="train-set-fresh">{fmt(fresh.mean)}</strong>
          </span>
          <span className="identification-others">·</span>
          <span title="fresh-prompt test MSE − training-set MSE (different prompts: the standard errors add)">
            generalization gap <strong data-testid="train-set-gap">{fmtEstimate(gap.mean, gap.stderr)}</strong>
          </span>
        </>
      ) : (
        <span className="identification-others">{status === 'evaluating' ? 'measuring…' : 'measured after training'}</span>
      )}
    </section>
  );
}
