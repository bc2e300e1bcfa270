// "Which algorithm did the model learn": the trained model's test predictions
// compared with each candidate predictor's on the same prompts. R² is the
// share of the variance of the model's predictions that the candidate's
// explain; the best candidate is named, the others follow in small print.
// With k outputs (multi-task prompts) each output is identified on its own,
// one line per task, named by the window of x it reads.
import { IDENTIFY_R2, isExplained, type IdentificationLike, type OutputEvaluation, type TestResult, type TheoryNumbers } from '../analysis/evaluation.ts';
import { useLab, windowLabel } from '../store/labStore.ts';
import { fmt, fmtEstimate } from './format.ts';
import { predictorTex } from './predictorTex.ts';
import { Tex } from './Tex.tsx';

/** R² to 4 decimals; values that round to 1 keep their distance from 1 visible. */
export function fmtR2(r2: number): string {
  if (!Number.isFinite(r2)) return '—';
  if (r2 < 1 && r2 > 0.99995) return `1 − ${(1 - r2).toExponential(0).replace('-', '−')}`;
  return r2.toFixed(4).replace('-', '−');
}

/**
 * Where the one-step candidates' η and Γ come from, in words: the closed
 * forms, or where there are none (a nonlinear response, uniform covariates)
 * why not and that they were fitted.
 */
export function oneStepSourceText(source: TestResult['oneStepSource'], theory: TheoryNumbers | null | undefined): string {
  if (source === 'least-squares fit' && theory && !theory.available && theory.reason)
    return `${theory.reason}: η and Γ fitted by least squares on Monte Carlo prompts`;
  if (source === 'closed form' && theory?.source === 'pool') return "η, Γ: closed forms for the pool's Ω_pool";
  return `η, Γ: ${source}`;
}

/**
 * The headline of an identification: the candidate that explains the model
 * and its R², or, where none reaches the threshold, that none does and how
 * close the best comes.
 */
export function BestMatch({ id, testid }: { id: IdentificationLike; testid?: string }) {
  const best = id.matches.find((m) => m.predictor === id.best);
  if (!best) return <strong className="identification-best">{id.label}</strong>;
  if (isExplained(id))
    return (
      <>
        <strong className="identification-best" data-testid={testid} data-explained="true">
          {best.label}
        </strong>
        <span className="identification-r2">— R² {fmtR2(best.r2)}</span>
        <PredictorFormula predictor={best.predictor} />
      </>
    );
  return (
    <>
      <strong className="identification-best identification-unexplained" data-testid={testid} data-explained="false">
        no candidate
      </strong>
      <span className="identification-r2" title={`No candidate reaches R² ${id.threshold ?? IDENTIFY_R2}; the closest is shown`}>
        — closest: {best.label}, R² {fmtR2(best.r2)} (below {id.threshold ?? IDENTIFY_R2})
      </span>
    </>
  );
}

/** The formula of the candidate that explains the model, typeset beside its name. */
function PredictorFormula({ predictor }: { predictor: string }) {
  const tex = predictorTex(predictor);
  return tex ? (
    <span className="identification-formula" data-testid="identification-formula">
      <Tex tex={tex} />
    </span>
  ) : null;
}

const R2_TITLE =
  "R² = 1 − Σ(ŷ − ŷ_candidate)² / Σ(ŷ − mean ŷ)² over the test prompts: how much of the model's predictions the candidate's explain";

/** One task's test MSEs, for its line's tooltip. */
function testSummary(o: OutputEvaluation, t: number): string {
  const { test } = o;
  const rows: [string, { mean: number; stderr: number } | undefined][] = [
    ['model', test.model],
    [`one-step GD (η = ${fmt(test.oneStepEta, 3)}, ${test.oneStepSource})`, test.oneStepGd],
    ['preconditioned GD', test.preconditionedGd],
    ['debiased GD', test.debiasedGd],
    ...(test.kStepGd ?? []).map((g): [string, { mean: number; stderr: number }] => [`${g.steps}-step GD`, g]),
    ['Bayes-optimal ridge', test.ridge],
    ['least squares', test.ols],
    ['dMMSE (pool posterior)', test.dmmse],
  ];
  return [
    `Task ${t + 1} reads ${windowLabel(o.window)} (x${o.window[0] + 1} … x${o.window[1]}). Test MSE on ${test.prompts} prompts, n = ${test.nCtx}:`,
    ...rows.filter(([, e]) => e !== undefined).map(([name, e]) => `  ${name}: ${fmtEstimate(e!.mean, e!.stderr)}`),
    '',
    R2_TITLE,
  ].join('\n');
}

function TaskLine({ o, t }: { o: OutputEvaluation; t: number }) {
  const id = o.identification;
  const others = id.matches.filter((m) => m.predictor !== id.best);
  return (
    <div className="identification-task" data-testid="identification-task" data-task={t + 1} title={testSummary(o, t)}>
      <span className="identification-label">
        task {t + 1} · {windowLabel(o.window)} behaves like
      </span>
      <BestMatch id={id} />
      <span className="identification-others">{others.map((m) => `${m.label} R² ${fmtR2(m.r2)}`).join(' · ')}</span>
    </div>
  );
}

export function Identification() {
  const id = useLab((s) => s.identification);
  const ev = useLab((s) => s.evaluation);
  const outputs = useLab((s) => s.outputs);
  const k = useLab((s) => s.spec.task.tasks);
  const status = useLab((s) => s.status);
  const best = id?.matches.find((m) => m.predictor === id.best);
  const others = id?.matches.filter((m) => m.predictor !== id.best) ?? [];
  const pending = <span className="identification-others">{status === 'evaluating' ? 'measuring…' : 'measured after training'}</span>;

  if (k > 1)
    return (
      <section className="identification identification-multi" aria-label="algorithm identification" data-testid="identification">
        {outputs && outputs.length > 1 ? (
          <>
            {outputs.map((o, t) => (
              <TaskLine key={t} o={o} t={t} />
            ))}
            {ev ? (
              <span className="identification-others" data-testid="one-step-source">
                {oneStepSourceText(ev.oneStepSource, outputs[0].theory).replace(/^η, Γ:/, 'η, Γ per task:')}; hover a line for its test MSEs
              </span>
            ) : null}
          </>
        ) : (
          <>
            <span className="identification-label">Each of the {k} tasks behaves like:</span>
            {pending}
          </>
        )}
      </section>
    );

  return (
    <section className="identification" aria-label="algorithm identification" data-testid="identification" title={R2_TITLE}>
      <span className="identification-label">This model behaves like:</span>
      {id && best ? (
        <>
          <BestMatch id={id} testid="identification-best" />
          <span className="identification-others">
            {others.map((m) => `${m.label} R² ${fmtR2(m.r2)}`).join(' · ')}
            {ev ? (
              <>
                {' · '}
                <span data-testid="one-step-source">{oneStepSourceText(ev.oneStepSource, outputs?.[0]?.theory)}</span>
              </>
            ) : null}
          </span>
        </>
      ) : (
        pending
      )}
    </section>
  );
}
