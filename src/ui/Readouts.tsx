// The run's numbers at a glance. "Loss" is the batch MSE (ŷ − y_q)², averaged
// over the steps of the latest readback; L* is the closed-form MSE of the best
// one-step GD predictor (it includes the query noise σ²), the level a trained
// linear attention layer should reach. After training, the test MSE of the
// model is shown next to one-step GD and the Bayes-optimal ridge predictor on
// the same fresh prompts. For softmax attention the η tile gives way to the
// heads' zero-sum score. With k outputs L* is the mean of the outputs' L* (the
// loss is a mean over outputs), and η and the test MSE are the first task's
// (every task's test MSE is in the identification lines' tooltips). For a
// pooled run the test tile reads the pool's tasks against dMMSE (the Bayes
// predictor for them) and ridge (the one for fresh tasks). After training, where
// the theory has a target (L* for LSA, debiased GD for softmax attention), a
// tile gives the first step at which the batch loss, averaged over a trailing
// window, came within 1% of it (the runner's `convergence`).
import type { ReactNode } from 'react';
import { referenceLoss, useLab } from '../store/labStore.ts';
import { fmt, fmtEstimate, fmtInt } from './format.ts';
import { oneStepSourceText } from './Identification.tsx';
import { multiStepShort } from './LossPlot.tsx';

interface TileProps {
  id: string;
  label: string;
  children: ReactNode;
  hint?: ReactNode;
  title?: string;
}

function Tile({ id, label, children, hint, title }: TileProps) {
  return (
    <div className="tile" data-readout={id} title={title}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{children}</div>
      {hint ? <div className="tile-hint">{hint}</div> : null}
    </div>
  );
}

export function Readouts() {
  const s = useLab();
  const total = s.spec.train.steps;
  const theory = s.theory;
  const k = s.spec.task.tasks;
  const lStar = referenceLoss(s.theoryByOutput);
  const lsa = s.lsa?.[0];
  const task1 = k > 1 ? ', task 1' : '';
  const etaStar = theory?.available ? theory.etaStar : undefined;
  const ev = s.evaluation;
  const softmax = s.spec.model.type === 'softmax';
  const heads = s.spec.model.heads;
  const reading = s.softmax;
  const dormant = reading?.dormant.length ?? 0;
  const pooled = s.spec.task.pool > 0;
  const poolTheory = theory?.source === 'pool';
  const dmmse = ev?.dmmse;
  const conv = s.convergence;
  const bestMultiStep = s.multiStepReference?.reduce((a, b) => (b.loss < a.loss ? b : a));
  // "L*", "debiased GD", "best one-step GD" ("mean L*" with several tasks): the target label without its gloss.
  const convShort = conv ? conv.targetLabel.replace(/\s*\(.*$/, '').replace(/ over \d+ tasks$/, '') : '';

  return (
    <section className="readouts" aria-label="readouts">
      <Tile id="step" label="Step" hint={s.stepsPerSecond !== null ? `${fmtInt(s.stepsPerSecond)} steps/s` : 'steps/s —'}>
        {fmtInt(s.step)} <span className="of">/ {fmtInt(total)}</span>
      </Tile>
      <Tile id="loss" label="Loss (batch MSE)" hint={s.lastLossSteps > 0 ? `mean, last ${s.lastLossSteps} steps` : 'not started'}>
        {fmt(s.lastLoss)}
      </Tile>
      <Tile
        id="lstar"
        label={k > 1 ? `L*, mean of ${k} tasks` : 'L* (best one-step GD)'}
        hint={
          theory?.available
            ? poolTheory
              ? `Ω_pool ${k > 1 ? 'closed forms' : 'closed form'}`
              : `${k > 1 ? 'closed forms' : 'closed form'}, incl. σ²`
            : (theory?.reason ?? 'no closed form')
        }
        title={
          k > 1 && s.theoryByOutput
            ? `The training loss is the mean over the ${k} outputs, so L* here is the mean of each task's closed-form optimal one-step GD loss (incl. σ²): ${s.theoryByOutput.map((t, i) => `task ${i + 1} ${fmt(t.gdLoss)}`).join(', ')}`
            : poolTheory
              ? "The prompts draw their tasks from a finite pool, so L* is the closed-form loss of the best one-step GD for the pool's own second moment Ω_pool = (1/M) Σ_m w_m w_mᵀ (incl. σ²)"
              : theory && !theory.available
                ? oneStepSourceText('least-squares fit', theory)
                : undefined
        }
      >
        {fmt(lStar)}
      </Tile>
      {softmax ? (
        <Tile
          id="zero-sum"
          label="μ zero-sum"
          hint={
            heads < 2
              ? 'needs H ≥ 2'
              : dormant > 0
                ? `${dormant} dormant head${dormant > 1 ? 's' : ''}`
                : '0 when the μ cancel'
          }
          title="|Σ_h μ_h| / Σ_h |μ_h| of the latest weights: 0 when the heads' μ cancel exactly, 1 when they all share a sign"
        >
          {heads > 1 && reading ? fmt(reading.zeroSum, 3) : '—'}
        </Tile>
      ) : s.spec.model.layers > 1 ? (
        <Tile
          id="multistep"
          label="Best L-step fit"
          hint={bestMultiStep ? `${multiStepShort(bestMultiStep.predictor, s.spec.model.layers)}, fitted` : k > 1 ? 'one output only' : 'fitting…'}
          title={`The lowest loss among L-step GD, L-step preconditioned GD and GD++ at their constants fitted by least squares on 4,000 Monte Carlo prompts (incl. σ²): the dotted lines of the loss plot${bestMultiStep ? `. Lowest: ${bestMultiStep.label}` : ''}`}
        >
          {fmt(bestMultiStep?.loss)}
        </Tile>
      ) : (
        <Tile
          id="eta"
          label={`η_eff vs η*${task1}`}
          hint={lsa?.etaRatio !== undefined ? `ratio ${fmt(lsa.etaRatio, 3)}` : 'η_eff from the latest weights'}
        >
          {fmt(lsa?.etaEff, 3)} <span className="of">/ {fmt(etaStar, 3)}</span>
        </Tile>
      )}
      <Tile
        id="test"
        label={pooled ? `Test MSE${task1}, pool tasks: model vs dMMSE, ridge` : `Test MSE${task1}: model vs one-step GD, ridge${dmmse ? ', dMMSE' : ''}`}
        hint={
          ev
            ? pooled
              ? `± ${fmt(ev.model.stderr, 2)}${dmmse ? ` / ${fmt(dmmse.stderr, 2)}` : ''} / ${fmt(ev.ridge.stderr, 2)} · ${fmtInt(ev.prompts)} prompts`
              : `± ${fmt(ev.model.stderr, 2)}${ev.oneStepGd ? ` / ${fmt(ev.oneStepGd.stderr, 2)}` : ''} / ${fmt(ev.ridge.stderr, 2)}${dmmse ? ` / ${fmt(dmmse.stderr, 2)}` : ''} · ${fmtInt(ev.prompts)} prompts`
            : s.status === 'evaluating'
              ? 'measuring…'
              : 'measured after training'
        }
        title={
          ev
            ? [
                `model ${fmtEstimate(ev.model.mean, ev.model.stderr)}`,
                ev.oneStepGd ? `one-step GD (η*) ${fmtEstimate(ev.oneStepGd.mean, ev.oneStepGd.stderr)}` : null,
                `Bayes-optimal ridge ${fmtEstimate(ev.ridge.mean, ev.ridge.stderr)}`,
                dmmse ? `dMMSE (the Bayes posterior mean over the pool's tasks) ${fmtEstimate(dmmse.mean, dmmse.stderr)}` : null,
                ev.modelMinusGd ? `model − GD, paired on the same prompts: ${fmtEstimate(ev.modelMinusGd.mean, ev.modelMinusGd.stderr)}` : null,
              ]
                .filter((line) => line !== null)
                .join('\n')
            : undefined
        }
      >
        {ev && pooled ? (
          <>
            {fmt(ev.model.mean)}
            <span className="of">
              {dmmse ? ` · dMMSE ${fmt(dmmse.mean, 3)} ·` : ' vs'} ridge {fmt(ev.ridge.mean, 3)}
            </span>
          </>
        ) : ev ? (
          <>
            {fmt(ev.model.mean)}
            <span className="of">
              {ev.oneStepGd ? ` vs GD ${fmt(ev.oneStepGd.mean)} ·` : ' vs'} ridge {fmt(ev.ridge.mean)}
              {dmmse ? ` · dMMSE ${fmt(dmmse.mean)}` : ''}
            </span>
          </>
        ) : (
          '—'
        )}
      </Tile>
      {conv ? (
        <Tile
          id="convergence"
          label={`Within ${fmt(conv.tolerance * 100)}% of ${convShort}`}
          hint={`${fmtInt(conv.window)}-step window${conv.exact ? '' : ', approximate'}`}
          title={[
            `The first step at which the batch loss, averaged over the trailing ${fmtInt(conv.window)} steps (${fmtInt(conv.window * s.spec.train.batch)} prompts), came within ${fmt(conv.tolerance * 100)}% of ${conv.targetLabel} = ${fmt(conv.target)}.`,
            'Fresh prompts every step make the batch loss an unbiased estimate of the test loss before that step\'s update.',
            `Final test MSE${k > 1 ? ', mean over the tasks' : ''}: ${fmt(conv.finalRatio, 3)}× ${convShort}.`,
            conv.approximation ? `Approximate: ${conv.approximation}.` : null,
          ]
            .filter((line) => line !== null)
            .join('\n')}
        >
          {conv.stepsToTarget !== null ? (
            <>
              step {fmtInt(conv.stepsToTarget)} <span className="of">/ {fmtInt(total)}</span>
            </>
          ) : (
            <>
              not within <span className="of">final {fmt(conv.finalRatio, 3)}× {convShort}</span>
            </>
          )}
        </Tile>
      ) : null}
    </section>
  );
}
