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

const CORE_PRESETS: readonly Preset[] = [
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

/**
 * Zhang, Singh, Latham & Saxe 2025's data (github.com/yedizhang/linattn-icl):
 * D = 4, x ~ N(0, Λ) with eigenvalues ∝ 1, 2, 3, 4 rotated, noiseless, 31
 * context points, 5,000 fixed prompts and full-batch GD. Their Λ has trace 1
 * and w ~ N(0, I); here tr Σ = D and τ² = 1/D: the same y.
 */
const ZHANG = 'd=4&n=31&cov=custom&eig=1,2,3,4&rot=1&rseed=3&prior=isotropic&tau2=0.25&s2=0&qn=0&opt=sgd&sched=constant&tset=5000&B=5000&ep=16384';

/** Isotropic data for deeper linear attention (Mahankali et al.'s preset's): d = 5, n = 20, σ² = 0.1. */
const DEEP_ISOTROPIC = 'd=5&n=20&cov=isotropic&prior=isotropic&tau2=1&s2=0.1&qn=1&opt=adam&lr=0.005&sched=cosine&B=1024&T=4000&ep=16384';

const LINEAR_ATTENTION_PRESETS: readonly Preset[] = [
  {
    id: 'zhang-staircase',
    label: 'Zhang et al.: separate K, Q — a staircase of plateaus (PCR)',
    description:
      "Zhang et al. 2025's ATTN_S: five heads with separate rank-one W_K, W_Q on their data distribution, small init, plain GD on 5,000 fresh prompts a step (the population loss, so the plateaus sit at PCR's levels; their fixed 5,000-prompt set shifts each level by its sampling, a few percent; fewer prompts a step lift each level by the gradient noise). The loss falls in steps, each learning one more principal component of Σ: early-stopped on a plateau it implements principal component regression with k components.",
    query: `model=lsa&init=gaussian&H=5&param=separate&rank=1&layers=1&tied=0&iscale=0.001&${ZHANG.replace('tset=5000&B=5000', 'tset=0&B=5000')}&lr=0.5&T=6000`,
  },
  {
    id: 'zhang-merged',
    label: 'Zhang et al.: merged W_KQ — one abrupt drop',
    description:
      "Zhang et al. 2025's ATTN_M: eight heads with merged W_KQ^h on the same data, initialized at 1e-6: one long plateau, then a single abrupt drop to preconditioned GD's loss, all components at once.",
    query: `model=lsa&init=gaussian&H=8&param=merged&rank=1&layers=1&tied=0&iscale=0.000001&${ZHANG}&lr=0.5&T=2000`,
  },
  ...[2, 3].map((L) => ({
    id: `von-oswald-l${L}`,
    label: `von Oswald et al.: ${L} layers of LSA against ${L}-step GD`,
    description: `${L} layers of linear self-attention on isotropic data (d = 5, n = 20, σ² = 0.1): below one layer's optimum L*, compared with ${L}-step GD, ${L}-step preconditioned GD and GD++ (von Oswald et al. 2023).`,
    query: `model=lsa&init=gaussian&H=1&param=merged&rank=1&layers=${L}&tied=0&iscale=0.05&${DEEP_ISOTROPIC}`,
  })),
  {
    id: 'ahn-l3-rotated',
    label: 'Ahn et al.: 3 layers on rotated non-isotropic data',
    description:
      "Ahn et al. 2023 (github.com/chengxiang/LinearTransformer): three layers of linear attention on x = U D g (a random rotation U of a geometric spectrum, κ = 10) with w ~ N(0, Σ⁻¹), noiseless, d = 5, n = 20. Their optimum preconditions each step by Σ⁻¹: compare with 3-step preconditioned GD (Γ_ℓ = c_ℓ Σ⁻¹). Their model keeps only the x-blocks of P and Q; this one trains the full merged weights.",
    query: 'model=lsa&init=gaussian&H=1&param=merged&rank=1&layers=3&tied=0&iscale=0.05&d=5&n=20&cov=geometric&kappa=10&rot=1&rseed=3&prior=whitened&s2=0&qn=0&opt=adam&lr=0.005&sched=cosine&B=1024&T=4000&ep=16384',
  },
];

/**
 * Raventós et al.'s data (github.com/mansheej/icl-task-diversity): d = 8, 16
 * points, x ~ N(0, I), w ~ N(0, I), noise std 0.5 (σ² = 0.25) on every label,
 * batch 256; their model is an 8-layer GPT-2, here one layer.
 */
const RAVENTOS = 'd=8&n=16&cov=isotropic&prior=isotropic&tau2=1&s2=0.25&qn=1&B=256&ep=16384';
const RAVENTOS_MODELS = [
  { id: 'lsa', name: 'LSA', query: 'model=lsa&init=gaussian&iscale=0.01&opt=adam&lr=0.001&sched=cosine&T=4000' },
  { id: 'softmax', name: 'softmax H = 2', query: 'model=softmax&init=default&H=2&opt=adam&lr=0.002&sched=cosine&T=4000' },
];

export const PRESETS: readonly Preset[] = [
  ...CORE_PRESETS,
  ...RAVENTOS_MODELS.flatMap((m) =>
    [4, 64, 0].map((M) => ({
      id: `raventos-${m.id}-${M === 0 ? 'fresh' : `m${M}`}`,
      label: `Task diversity: ${m.name}, ${M === 0 ? 'fresh tasks (M = ∞)' : `a pool of M = ${M}`}`,
      description:
        M === 0
          ? `Raventós et al.'s data (d = 8, n = 16, σ² = 0.25) with a fresh task for every prompt, one ${m.name} layer: the reference for the pooled presets, where ridge is the Bayes predictor.`
          : `Raventós et al.'s data (d = 8, n = 16, σ² = 0.25), every training task drawn from a pool of ${M}, one ${m.name} layer: test MSE on pool tasks and on fresh tasks side by side, against dMMSE (the pool's Bayes predictor) and ridge (the fresh tasks').${m.id === 'lsa' ? ' Theory: within the one-step family x_qᵀΓu, the best Γ is Γ*(Ω_pool) for the pool\'s own second moment.' : ''}`,
      query: `${m.query}&${RAVENTOS}${M > 0 ? `&pool=${M}&pseed=1` : ''}`,
    })),
  ),
  {
    id: 'zhang-fixed-set',
    label: 'Zhang et al.: a fixed training set, full-batch GD',
    description:
      "Zhang, Singh, Latham & Saxe 2025's data (github.com/yedizhang/linattn-icl): D = 4, x ~ N(0, Λ) with eigenvalues ∝ 1, 2, 3, 4 randomly rotated, noiseless, 31 context points, a fixed set of 5,000 prompts trained by full-batch gradient descent. Their Λ has trace 1 and w ~ N(0, I); here tr Σ = D and τ² = 1/D, the same y. Compare the training-set and fresh-prompt test MSE (the generalization gap) and Γ_eff with Γ*.",
    query: 'model=lsa&init=gaussian&iscale=0.01&d=4&n=31&cov=custom&eig=1,2,3,4&rot=1&rseed=1&prior=isotropic&tau2=0.25&s2=0&qn=0&opt=sgd&lr=0.05&sched=constant&tset=5000&B=5000&T=2000&ep=16384',
  },
  ...LINEAR_ATTENTION_PRESETS,
  {
    id: 'von-oswald-uniform',
    label: 'von Oswald et al.: uniform noiseless data',
    description:
      "von Oswald et al. 2023's data (d = 10, n = 10, x uniform, w ~ N(0, I), no noise; their x ~ U(−½, ½), here scaled to unit variance). No Gaussian closed form: the best one-step GD is fitted by least squares on Monte Carlo prompts, and the trained LSA matches it.",
    query: 'model=lsa&init=gaussian&iscale=0.1&d=10&n=10&cov=uniform&prior=isotropic&tau2=1&s2=0&qn=0&opt=adam&lr=0.01&sched=cosine&B=256&T=3000&ep=16384',
  },
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

/**
 * The optimizer study's cases: the LSA isotropic preset, He et al.'s H = 2
 * recipe (5,000 steps here, a quarter of the single-run preset's), and LSA at
 * κ = 100 (precond-kappa's data, where Adam's seeds can stall on a plateau),
 * with 8,192 test prompts and the length curve at the training n only.
 */
const OPTIMIZER_STUDIES = [
  { id: 'lsa', name: 'linear self-attention, Σ = I', query: `${LSA_ISOTROPIC}&ep=8192`, grid: 'log(0.0001,1,9)', n: 20, target: 'L*' },
  { id: 'he', name: "He et al.'s softmax attention, H = 2", query: `${HE_ET_AL.replace('T=20000', 'T=5000')}&H=2&ep=8192`, grid: 'log(0.0001,0.1,7)', n: 40, target: 'the debiased-GD loss' },
  {
    id: 'precond',
    name: 'linear self-attention on a rotated geometric spectrum, κ = 100',
    query: 'model=lsa&init=gaussian&iscale=0.1&d=5&n=20&cov=geometric&kappa=100&rot=1&rseed=3&prior=isotropic&tau2=1&s2=0.1&opt=adam&lr=0.03&sched=cosine&B=256&T=4000&ep=8192',
    grid: 'log(0.001,0.1,5)',
    n: 20,
    target: 'the preconditioned optimum L*(Γ*)',
  },
];

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
  ...OPTIMIZER_STUDIES.map((st) => ({
    id: `optimizer-study-${st.id}`,
    label: `Optimizers: ${st.name}, each at its best learning rate`,
    description:
      `${st.name}: SGD (Nesterov), Adam, Lion, Muon, PolarGrad and SOAP, each with its source's other settings (odef=1), at learning rates ${st.grid}, three seeds each. ` +
      `The best rate per optimizer is the one with the lowest mean final test MSE (the same tuning budget for each); compare how fast each gets within 1% of ${st.target} and what it learns.`,
    query: `${st.query}&sv=1&sweep=lr:${st.grid}&sweep=opt:sgd,adam,lion,muon,polargrad,soap&seeds=3&lengths=${st.n}&odef=1`,
    figures: [
      { kind: 'field' as const, metric: 'test.model' },
      { kind: 'field' as const, metric: 'convergence.stepsToTarget' },
    ],
  })),
  ...RAVENTOS_MODELS.map((m) => ({
    id: `task-diversity-${m.id}`,
    label: `Task diversity: ${m.name}, test MSE against the pool size M`,
    description:
      `Raventós et al.'s task-diversity experiment with one ${m.name} layer: pools of M = 2 … 16,384 tasks, three seeds each; test MSE on pool tasks and on fresh tasks against M, beside dMMSE (the pool's Bayes predictor) and ridge (fresh tasks').` +
      (m.id === 'lsa'
        ? ' Swept with and without sign-symmetric pools: on a symmetric pool one LSA layer can do no better than Γ*(Ω_pool); on Raventós\' i.i.d. pools it can, through the pool\'s odd moments.'
        : ''),
    // 2,048 test prompts and the length curve at n only: dMMSE over 16,384 tasks is the costly part of a run.
    query: `${m.query}&${RAVENTOS.replace('ep=16384', 'ep=2048')}&pseed=1&sv=1&sweep=pool:log(2,16384,14)${m.id === 'lsa' ? '&sweep=psym:0,1' : ''}&seeds=3&lengths=16`,
    figures: [
      { kind: 'field' as const, metric: 'test.model' },
      { kind: 'field' as const, metric: 'shift.test.model' },
    ],
  })),
];
