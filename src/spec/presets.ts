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
];

export function presetSpec(preset: Preset): ExperimentSpec {
  const { spec, errors } = decodeSpec(`v=1&${preset.query}`);
  if (errors.length > 0) throw new Error(`preset ${preset.id} is invalid: ${errors.map((e) => e.message).join('; ')}`);
  return spec;
}
