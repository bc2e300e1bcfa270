// "Which algorithm did the model learn": the trained model's test predictions
// compared with each candidate predictor's on the same prompts. R² is the
// share of the variance of the model's predictions that the candidate's
// explain; the best candidate is named, the others follow in small print.
import { useLab } from '../store/labStore.ts';

/** R² to 4 decimals; values that round to 1 keep their distance from 1 visible. */
export function fmtR2(r2: number): string {
  if (!Number.isFinite(r2)) return '—';
  if (r2 < 1 && r2 > 0.99995) return `1 − ${(1 - r2).toExponential(0).replace('-', '−')}`;
  return r2.toFixed(4).replace('-', '−');
}

export function Identification() {
  const id = useLab((s) => s.identification);
  const ev = useLab((s) => s.evaluation);
  const status = useLab((s) => s.status);
  const best = id?.matches.find((m) => m.predictor === id.best);
  const others = id?.matches.filter((m) => m.predictor !== id.best) ?? [];

  return (
    <section
      className="identification"
      aria-label="algorithm identification"
      data-testid="identification"
      title="R² = 1 − Σ(ŷ − ŷ_candidate)² / Σ(ŷ − mean ŷ)² over the test prompts: how much of the model's predictions the candidate's explain"
    >
      <span className="identification-label">This model behaves like:</span>
      {id && best ? (
        <>
          <strong className="identification-best" data-testid="identification-best">
            {best.label}
          </strong>
          <span className="identification-r2">— R² {fmtR2(best.r2)}</span>
          <span className="identification-others">
            {others.map((m) => `${m.label} R² ${fmtR2(m.r2)}`).join(' · ')}
            {ev ? ` · η, Γ: ${ev.oneStepSource}` : null}
          </span>
        </>
      ) : (
        <span className="identification-others">{status === 'evaluating' ? 'measuring…' : 'measured after training'}</span>
      )}
    </section>
  );
}
