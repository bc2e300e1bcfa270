// "What you are looking at": per view, a collapsed panel with the formula the
// view draws and this run's numbers plugged in, typeset with KaTeX. The
// model's equation beside its heatmaps (with the one-step reading Γ_eff and
// η*, Γ*), the theory's lines beside the loss (L* and where it comes from),
// and He et al.'s reduced predictor beside the softmax heads (at the learned
// ω_h, μ_h).
import type { ReactNode } from 'react';
import { useLab } from '../store/labStore.ts';
import type { ExperimentSpec } from '../spec/types.ts';
import { Tex } from './Tex.tsx';

/** A number for a formula: 4 significant digits, TeX's minus, ×10^k beyond the plain range. */
export function texNumber(v: number | undefined | null, digits = 4): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '\\text{—}';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential(digits - 1).split('e');
    return `${m}\\times 10^{${Number(e)}}`;
  }
  return String(Number(v.toPrecision(digits)));
}

const SUBJECT: Record<string, string> = { model: 'the model', loss: 'the loss and L*', reduced: "He et al.'s reduced predictor" };

function Panel({ view, children }: { view: string; children: ReactNode }) {
  return (
    <details className="explainer" data-explainer={view}>
      <summary>What you are looking at: {SUBJECT[view] ?? view}</summary>
      <div className="explainer-body">{children}</div>
    </details>
  );
}

/** The model's equation, for the weight views. */
export function ModelExplainer() {
  const spec = useLab((s) => s.spec);
  const lsa = useLab((s) => s.lsa?.[0] ?? null);
  const theory = useLab((s) => s.theory);
  const viewStep = useLab((s) => s.viewStep);
  const step = useLab((s) => s.step);
  const { d, n, tasks: k } = spec.task;
  const at = `step ${viewStep ?? step}`;
  if (spec.model.type === 'softmax') {
    return (
      <Panel view="model">
        <p>
          Each head attends from the query token to the context tokens and adds a weighted sum of them (the query's own label entry is 0):
        </p>
        <Tex display tex={String.raw`\hat y=\sum_{h=1}^{${spec.model.heads}}\Big[\sum_{i=1}^{n}\operatorname{softmax}_i\big(z_q^{\top}KQ^{h}z_i\big)\,(OV^{h})^{\top}z_i\Big],\qquad z_i=(x_i,y_i),\; z_q=(x_q,0)`} />
        <p>
          KQ<sup>h</sup> is {d + k}×{d + k}; He et al.'s pattern is KQ<sup>h</sup> ≈ ω<sub>h</sub>·I on the x-block and OV<sup>h</sup> ≈ μ<sub>h</sub> on the label entry, shown here at {at}.
        </p>
      </Panel>
    );
  }
  if (spec.model.layers > 1 || spec.model.heads > 1 || spec.model.param === 'separate') {
    const L = spec.model.layers;
    const kq = spec.model.param === 'separate' ? String.raw`W_K^{h\top}W_Q^{h}` : String.raw`W_{KQ}^{h}`;
    return (
      <Panel view="model">
        <p>Every layer updates every token with the context's moment C (the query masked out of it), heads summed:</p>
        <Tex display tex={String.raw`Z^{(\ell+1)}=Z^{(\ell)}+\sum_{h=1}^{${spec.model.heads}}W_{PV}^{h}\,C^{(\ell)}\,${kq}\,Z^{(\ell)},\qquad C^{(\ell)}=\tfrac1n\sum_{i=1}^{n}z_i^{(\ell)}z_i^{(\ell)\top}`} />
        <p>
          for ℓ = 1 … {L}
          {spec.model.tied && L > 1 ? ' with the same weights in every layer' : ''}; ŷ is the query's label entry after the last layer
          {spec.model.param === 'separate' ? `, and each W_K^h, W_Q^h has rank ${spec.model.rank}` : ''}.
        </p>
      </Panel>
    );
  }
  const isoTheory = theory?.available && theory.etaStar !== undefined && spec.task.covariance.kind === 'isotropic' && spec.task.prior.kind === 'isotropic' && k === 1 && spec.task.pool === 0;
  const tau2 = spec.task.prior.tau2;
  const s2 = spec.task.noiseVar;
  const gammaTex = theory?.available ? gammaStarTex(spec) : null;
  return (
    <Panel view="model">
      <p>One layer of linear self-attention reads the query's label entry:</p>
      <Tex display tex={String.raw`\hat y=\Big[W_{PV}\,\Big(\tfrac1n\sum_{i=1}^{n}z_iz_i^{\top}\Big)\,W_{KQ}\,z_q\Big]_{d+1},\qquad z_i=(x_i,y_i),\; z_q=(x_q,0)`} />
      <p>Where only the blocks one GD step uses are nonzero, it is one preconditioned GD step on the context:</p>
      <Tex display tex={String.raw`\hat y=x_q^{\top}\,\Gamma_{\mathrm{eff}}\,\tfrac1n\sum_{i=1}^{n}y_ix_i,\qquad \Gamma_{\mathrm{eff}}=(W_{PV})_{d+1,d+1}\,(W_{KQ})_{1:d,1:d}`} />
      <p>
        At {at}: <Tex tex={String.raw`\eta_{\mathrm{eff}}=\tfrac1d\operatorname{tr}\Gamma_{\mathrm{eff}}=${texNumber(lsa?.etaEff)}`} />
        {theory?.etaStar !== undefined ? (
          <>
            {' '}
            against{' '}
            {isoTheory ? (
              <Tex
                tex={String.raw`\eta^*=\frac{n\tau^2}{\tau^2(n+d+1)+\sigma^2}=\frac{${n}\cdot ${texNumber(tau2)}}{${texNumber(tau2)}\,(${n}+${d}+1)+${texNumber(s2)}}=${texNumber(theory.etaStar)}`}
              />
            ) : (
              <Tex tex={String.raw`\eta^*=${texNumber(theory.etaStar)}`} />
            )}
            {lsa?.gammaRelError !== undefined ? (
              <>
                , and <Tex tex={String.raw`\lVert\Gamma_{\mathrm{eff}}-\Gamma^*\rVert_F/\lVert\Gamma^*\rVert_F=${texNumber(lsa.gammaRelError, 3)}`} />
              </>
            ) : null}
            .
          </>
        ) : (
          '.'
        )}
      </p>
      {gammaTex ? (
        <>
          <p>The optimal preconditioner for this task (the Γ* beside Γ_eff):</p>
          <Tex display tex={gammaTex} />
        </>
      ) : null}
    </Panel>
  );
}

/** Γ*'s closed form for a one-output Gaussian task that has one (isotropic or whitened prior, no pool), with n, σ², τ² plugged in. */
function gammaStarTex(spec: ExperimentSpec): string | null {
  const { n, d, noiseVar: s2, prior, pool, tasks } = spec.task;
  if (tasks !== 1 || pool > 0 || spec.task.response !== 'identity' || spec.task.covariance.kind === 'uniform') return null;
  if (prior.kind === 'whitened') return String.raw`\Gamma^*=\frac{n}{n+d+1+\sigma^2}\,\Sigma^{-1}=\frac{${n}}{${n}+${d}+1+${texNumber(s2)}}\,\Sigma^{-1}`;
  if (spec.task.covariance.kind === 'isotropic') return null;
  return String.raw`\Gamma^*=\Big[\tfrac{n+1}{n}\,\Sigma+\tfrac{\operatorname{tr}\Sigma+\sigma^2/\tau^2}{n}\,I\Big]^{-1}=\Big[\tfrac{${n + 1}}{${n}}\,\Sigma+\tfrac{${d}+${texNumber(s2 / prior.tau2)}}{${n}}\,I\Big]^{-1}\quad(\operatorname{tr}\Sigma=d)`;
}

/** The loss plot's theory lines: L* and where it comes from. */
export function LossExplainer() {
  const spec = useLab((s) => s.spec);
  const theory = useLab((s) => s.theory);
  const ridge = useLab((s) => s.ridgeReference);
  const { d, n } = spec.task;
  const tau2 = spec.task.prior.tau2;
  const s2 = spec.task.noiseVar;
  const qn = spec.task.queryNoise;
  const iso = spec.task.covariance.kind === 'isotropic' && spec.task.prior.kind === 'isotropic' && spec.task.tasks === 1 && spec.task.pool === 0;
  return (
    <Panel view="loss">
      <p>The curve is the batch mean of the squared error on each step's fresh prompts:</p>
      <Tex display tex={String.raw`\mathcal L=\frac1B\sum_{b=1}^{B}\big(\hat y^{(b)}-y_q^{(b)}\big)^2,\qquad B=${spec.train.batch}`} />
      {theory?.available && theory.gdLoss !== undefined ? (
        <>
          <p>L* is the expected loss of one GD step with the best step size η* (Mahankali et al.: what one layer of LSA reaches):</p>
          {iso ? (
            <>
              <Tex display tex={String.raw`L^*=\tau^2 d\,\frac{d+1+r}{n+d+1+r}${qn ? '+\\sigma^2' : ''},\qquad r=\frac{\sigma^2}{\tau^2}`} />
              <Tex
                display
                tex={String.raw`L^*=${texNumber(tau2)}\cdot ${d}\cdot\frac{${d}+1+${texNumber(s2 / tau2)}}{${n}+${d}+1+${texNumber(s2 / tau2)}}${qn ? `+${texNumber(s2)}` : ''}=${texNumber(theory.gdLoss)}`}
              />
            </>
          ) : (
            <Tex display tex={String.raw`L^*=\min_{\eta}\,\mathbb E\big(x_q^{\top}\eta\,\tfrac1n\textstyle\sum_i y_ix_i-y_q\big)^2=${texNumber(theory.gdLoss)}`} />
          )}
        </>
      ) : (
        <p>No closed form for this task ({theory?.reason ?? 'see the readouts'}).</p>
      )}
      {ridge ? (
        <p>
          The Bayes ridge line is <Tex tex={String.raw`\hat y=x_q^{\top}(X^{\top}X+\sigma^2\Omega^{-1})^{-1}X^{\top}y`} /> measured on the GPU: {texNumber(ridge.mean)} ± {texNumber(ridge.se, 2)}.
        </p>
      ) : null}
    </Panel>
  );
}

/** He et al.'s reduced predictor at the learned ω_h, μ_h, beside the softmax heads. */
export function ReducedExplainer() {
  const reading = useLab((s) => s.softmax);
  const reduced = useLab((s) => s.reduced);
  const viewStep = useLab((s) => s.viewStep);
  const step = useLab((s) => s.step);
  if (!reading) return null;
  const terms = reading.omega.map((w, h) => String.raw`${h === 0 ? '' : reading.mu[h] < 0 ? '-' : '+'}${texNumber(h === 0 ? reading.mu[h] : Math.abs(reading.mu[h]), 3)}\sum_i y_i\,\operatorname{softmax}_i\big(${texNumber(w, 3)}\,x_i^{\top}x_q\big)`);
  return (
    <Panel view="reduced">
      <p>Read as He et al. do, the heads compute the reduced kernel predictor</p>
      <Tex display tex={String.raw`\hat y=\sum_{h}\mu_h\sum_{i=1}^{n}y_i\,\operatorname{softmax}_i\big(\omega_h\,x_i^{\top}x_q\big)`} />
      <p>with this run's ω<sub>h</sub> (KQ<sup>h</sup>'s mean x-diagonal) and μ<sub>h</sub> (OV<sup>h</sup>'s label entry) at step {viewStep ?? step}:</p>
      <Tex display tex={String.raw`\hat y\approx ${terms.join('')}`} />
      <p>He et al.'s approximate loss for Gaussian data with τ² = 1/d and L = n context pairs (exp taken entrywise; it reads the true loss some 10% low):</p>
      <Tex display tex={String.raw`\tilde L(\omega,\mu)=1+\sigma^2-2\mu^{\top}\omega+\mu^{\top}\Big[\omega\omega^{\top}+\frac{1+\sigma^2}{L}\,e^{\,d\,\omega\omega^{\top}}\Big]\mu${reduced?.learnedApproxLoss !== undefined ? `=${texNumber(reduced.learnedApproxLoss)}\ \text{at the final }(\omega,\mu)` : ''}`} />
      <p>
        Heads with μ of opposite signs and equal size cancel the kernel's bias: zero-sum score <Tex tex={String.raw`\lvert\textstyle\sum_h\mu_h\rvert/\textstyle\sum_h\lvert\mu_h\rvert=${texNumber(reading.zeroSum, 3)}`} />.
      </p>
    </Panel>
  );
}
