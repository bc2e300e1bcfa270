// One-click experiments. Each preset is a share-link query applied on top of
// the defaults, so a preset is exactly what its link would reproduce.
import { decodeSpec } from './codec.ts';
import type { ExperimentSpec } from './types.ts';

export interface Preset {
  id: string;
  label: string;
  description: string;
  query: string;
}

/** He et al.'s recipe (github.com/XintianPan/ICL_linear): d = 5, n = 40, x ~ N(0, I), w ~ N(0, I/d), σ² = 0.1 with a noisy query, Adam lr 1e-3, batch 256. */
const HE_ET_AL = 'model=softmax&init=default&d=5&n=40&cov=isotropic&prior=isotropic&tau2=0.2&s2=0.1&qn=1&opt=adam&lr=0.001&b1=0.9&b2=0.999&eps=1e-8&wd=0&sched=constant&B=256&T=20000';

export const PRESETS: readonly Preset[] = [
  {
    id: 'mahankali-isotropic',
    label: 'LSA → one-step GD (Σ = I)',
    description: 'Mahankali et al.: linear self-attention trained on isotropic Gaussian data learns one step of gradient descent with the optimal step η*.',
    query: 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&cov=isotropic&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.01&sched=cosine&B=256&T=2000',
  },
  ...[1, 2, 4, 8].map((H) => ({
    id: `he-h${H}`,
    label: `He et al., softmax H = ${H}`,
    description: `He et al.'s recipe with ${H} head${H > 1 ? 's' : ''}: look for KQ ≈ ω·I, OV ≈ μ·e_{d+1} and, with two or more heads, opposite-sign μ that sum to zero.`,
    query: `${HE_ET_AL}&H=${H}`,
  })),
  {
    id: 'lsa-ar1',
    label: 'LSA → preconditioned GD (rotated AR(1))',
    description:
      'Correlated covariates (AR(1), ρ = 0.8, randomly rotated): the trained LSA implements preconditioned GD, Γ_eff ≈ Γ* = ΩΣA⁻¹, not plain GD. Compare Γ_eff with Γ* and their spectra.',
    query: 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&cov=ar1&rho=0.8&rot=1&rseed=3&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.03&sched=cosine&B=1024&T=10000',
  },
  {
    id: 'lsa-tanh',
    label: 'LSA on a nonlinear response (tanh)',
    description:
      'y = tanh-shaped f(wᵀx) + ε, scaled to the linear signal variance: no closed form, so η and Γ are fitted by least squares on Monte Carlo prompts; the trained LSA matches that best one-step GD.',
    query: 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&f=tanh&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.01&sched=cosine&B=256&T=3000',
  },
  {
    id: 'length-softmax',
    label: 'Length generalization: softmax H = 2 at n = 20',
    description:
      'He et al.: softmax attention trained at n = 20 keeps improving on longer prompts (see test MSE against context length, up to 4n), because its normalized attention averages rather than sums. Compare with the LSA presets at the same n.',
    query: `${HE_ET_AL.replace('n=40', 'n=20').replace('lr=0.001', 'lr=0.003').replace('sched=constant', 'sched=cosine').replace('T=20000', 'T=10000')}&H=2`,
  },
  ...[3, 4].map((H) => ({
    id: `multitask-h${H}`,
    label: `Two tasks on overlapping windows, softmax H = ${H}`,
    description:
      H === 4
        ? 'He et al.\'s multi-task case: d = 6, task 1 reads x[0:4], task 2 reads x[2:6]. With four heads each task gets its own heads: each output implements its window\'s preconditioned GD.'
        : 'He et al.\'s multi-task case with three heads for two tasks: heads must be shared, and depending on the seed the model superposes both windows on three heads or falls back to GD on all of x.',
    query: `model=softmax&init=default&d=6&K=2&ws=4&wst=2&n=40&cov=isotropic&prior=isotropic&tau2=0.25&s2=0.1&qn=1&opt=adam&lr=0.002&sched=constant&B=256&T=3000&ds=2&is=2&H=${H}`,
  })),
];

export function presetSpec(preset: Preset): ExperimentSpec {
  const { spec, errors } = decodeSpec(`v=1&${preset.query}`);
  if (errors.length > 0) throw new Error(`preset ${preset.id} is invalid: ${errors.map((e) => e.message).join('; ')}`);
  return spec;
}

/** A paper's figure as a sweep: its link (base experiment and sweep), and the figures drawn from it. */
export interface SweepPreset {
  id: string;
  label: string;
  description: string;
  /** The sweep link's query (without v=1). */
  query: string;
  /** The figures to draw: the length curve, or a metric against the swept field. */
  figures: { kind: 'field' | 'length'; metric?: string }[];
}

const LSA_ISOTROPIC = 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&cov=isotropic&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.01&sched=cosine&B=256&T=2000';

export const SWEEP_PRESETS: readonly SweepPreset[] = [
  {
    id: 'he-heads-length',
    label: 'He et al.: test MSE against context length, H = 1, 2, 4, 8',
    description:
      "He et al.'s recipe trained at n = 40 with 1, 2, 4 and 8 softmax heads, three seeds each; test MSE at context lengths 10 … 100 beside one-step GD, debiased GD and the Bayes ridge. Two or more heads approach debiased GD; one head stays above it.",
    query: `${HE_ET_AL}&sv=1&sweep=H:1,2,4,8&seeds=3&lengths=lin(10,100,10)`,
    figures: [{ kind: 'length' }, { kind: 'field', metric: 'softmax.zeroSum' }],
  },
  {
    id: 'mahankali-eta-n',
    label: 'Mahankali et al.: η_eff against n beside η*(n)',
    description:
      'Linear self-attention on isotropic data at context lengths n = 5 … 80, three seeds each: the learned step η_eff against the closed-form η*(n) = nτ²/(τ²(n + d + 1) + σ²), and the test MSE against L*(n).',
    query: `${LSA_ISOTROPIC}&sv=1&sweep=n:5,10,20,40,80&seeds=3`,
    figures: [
      { kind: 'field', metric: 'lsa.etaEff' },
      { kind: 'field', metric: 'test.model' },
    ],
  },
  {
    id: 'precond-kappa',
    label: 'Preconditioned GD against the condition number κ',
    description:
      'Linear self-attention on a rotated geometric spectrum with condition number κ = 1 … 1000, three seeds each: the test MSE beside the optimal plain one-step GD (L*) and the optimal preconditioned GD (the gap between them is what preconditioning buys), and ‖Γ_eff − Γ*‖/‖Γ*‖. From κ ≈ 10 the seeds split: some reach the preconditioned optimum, others stay on a plateau above plain GD within this budget.',
    query: 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&cov=geometric&rot=1&rseed=3&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.03&sched=cosine&B=256&T=4000&sv=1&sweep=kappa:log(1,1000,7)&seeds=3',
    figures: [
      { kind: 'field', metric: 'test.model' },
      { kind: 'field', metric: 'lsa.gammaRelError' },
    ],
  },
];
