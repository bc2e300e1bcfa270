// Softmax attention after training: the learned per-head (ω_h, μ_h) read
// against He et al.'s reduced predictor ŷ = Σ_h μ_h Σ_i y_i softmax_i(ω_h x_iᵀx_q)
// (src/analysis/reduced.ts): their APPROXIMATE loss L̃ at the learned point,
// the reduced predictor's true loss there by Monte Carlo (± one standard
// error), and inf L̃ — attained at (ω*, μ*) for one head, only approached as
// ω → 0 with zero-sum μ for two or more. Where L̃'s derivation does not apply
// (it needs Σ = I, τ² = 1/d, one output, a linear response and a noisy query)
// the card says why instead.
import type { ReactNode } from 'react';
import { REDUCED_MC_PROMPTS } from '../analysis/reduced.ts';
import { useLab } from '../store/labStore.ts';
import { fmt, fmtEstimate, fmtInt } from './format.ts';
import { predictorTex } from './predictorTex.ts';
import { TexText } from './Tex.tsx';

function Row({ id, label, value, note, title }: { id: string; label: ReactNode; value: ReactNode; note?: ReactNode; title?: string }) {
  return (
    <tr data-reduced={id} title={title}>
      <th scope="row">
        {label}
        {note ? <div className="reduced-note">{note}</div> : null}
      </th>
      <td className="reduced-value">{value}</td>
    </tr>
  );
}

const list = (v: number[]) => v.map((x) => fmt(x, 3)).join(', ');

export function ReducedCompare() {
  const reduced = useLab((s) => s.reduced);
  const pending = useLab((s) => s.reducedPending);
  const status = useLab((s) => s.status);
  const heads = useLab((s) => s.spec.model.heads);
  const ev = useLab((s) => s.evaluation);
  const reading = useLab((s) => s.softmax);

  let body: ReactNode;
  if (!reduced) {
    body = <div className="reduced-placeholder placeholder">{pending || status === 'evaluating' ? 'computing…' : 'compared once after training'}</div>;
  } else if (!reduced.available) {
    body = (
      <p className="reduced-unavailable" data-testid="reduced-unavailable">
        Not compared: {reduced.reason}. He et al.'s L̃ assumes x ~ N(0, I), w ~ N(0, I/d), one output, a linear response and a
        noisy query target.
      </p>
    );
  } else {
    const mc = reduced.learnedMonteCarlo!;
    const H = heads;
    body = (
      <>
        <table className="reduced-table" data-testid="reduced-readout">
          <tbody>
            <Row
              id="approx"
              label={
                <>
                  L̃ at the learned (ω, μ) <span className="approx-tag">approximate</span>
                </>
              }
              value={fmt(reduced.learnedApproxLoss)}
              note="He et al.'s closed-form approximation"
              title="L̃(ω, μ) = 1 + σ² − 2μᵀω + μᵀ[ωωᵀ + ((1+σ²)/L)·exp(d·ωωᵀ)]μ at the trained heads' ω_h, μ_h. An approximation: it under-reads the true loss (by ~10% at d = 5, L = 40)."
            />
            <Row
              id="mc"
              label="true loss of the reduced predictor there"
              value={fmtEstimate(mc.mean, mc.stderr)}
              note={`Monte Carlo, ${fmtInt(REDUCED_MC_PROMPTS)} prompts, ± 1 SE`}
              title="Mean of (y_q − ŷ)² of the reduced predictor with the learned ω_h, μ_h on fresh prompts (CPU, float64), ± one standard error"
            />
            {ev ? (
              <Row
                id="model"
                label="the trained model itself"
                value={fmtEstimate(ev.model.mean, ev.model.stderr)}
                note={`test MSE, ${fmtInt(ev.prompts)} prompts (full KQ, OV)`}
                title="The trained layer's test MSE on the GPU: it uses every entry of KQ^h and OV^h, not only ω_h and μ_h"
              />
            ) : null}
            {reduced.attained && reduced.optimum ? (
              <Row
                id="infimum"
                label={
                  <>
                    min L̃ <span className="approx-tag">approximate</span>
                  </>
                }
                value={fmt(reduced.infimum)}
                note={
                  <>
                    at ω* = ±{list(reduced.optimum.omega.map(Math.abs))}, μ* = ±{list(reduced.optimum.mu.map(Math.abs))} (same sign)
                    {reading ? (
                      <>
                        {' '}
                        (learned: ω = {list(reading.omega)}, μ = {list(reading.mu)})
                      </>
                    ) : null}
                  </>
                }
                title="With one head L̃ is minimised at ω* = 1/√d, up to the joint sign flip (ω, μ) → (−ω, −μ), which leaves L̃ (and the reduced predictor's true loss) unchanged"
              />
            ) : (
              <>
                <Row
                  id="infimum"
                  label={
                    <>
                      inf L̃ over {H} heads <span className="approx-tag">approximate</span>
                    </>
                  }
                  value={fmt(reduced.infimum)}
                  note="not attained: approached as ω → 0 with zero-sum μ (μ ~ 1/ω)"
                  title="For two or more heads inf L̃ = σ² + cd/(1 + cd), c = (1+σ²)/L, approached by zero-sum heads shrinking to ω → 0 (debiased GD in the limit); no finite (ω, μ) attains it"
                />
                {reduced.singleHeadInfimum !== undefined ? (
                  <Row id="single" label="min L̃ with one head, for contrast" value={fmt(reduced.singleHeadInfimum)} note="attained at ω = 1/√d" />
                ) : null}
              </>
            )}
          </tbody>
        </table>
        <p className="caption">
          L̃ is He et al.'s approximation (it under-reads the true loss by about 10% at d = 5, L = 40); the Monte Carlo loss is the
          reduced predictor's actual MSE. Computed on the CPU in {reduced.slices} slice{reduced.slices === 1 ? '' : 's'} (
          {fmt(reduced.busyMs, 2)} ms of main-thread time).
        </p>
      </>
    );
  }

  return (
    <section className="card reduced-card" aria-label="reduced predictor comparison" data-testid="reduced-card">
      <header className="card-header">
        <h2>He et al.'s reduced predictor</h2>
        <span className="muted small">after training</span>
      </header>
      <p className="reduced-formula">
        <TexText text={String.raw`\(${predictorTex('reducedSoftmax')}\), read at the learned \((\omega_h, \mu_h)\) of each head`} />
      </p>
      {body}
    </section>
  );
}
