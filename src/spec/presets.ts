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
