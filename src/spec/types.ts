// The experiment spec: plain, JSON-serializable data that fully describes one
// experiment. The UI edits it, the URL encodes it, the engine runs it and every
// export embeds it. Each leaf is declared once in fields.ts (range, default,
// URL key, label), and validation, the codec and the controls derive from there.

export const SPEC_VERSION = 1;

export const COVARIANCE_KINDS = ['isotropic', 'powerlaw', 'geometric', 'ar1', 'uniform', 'custom'] as const;
export type CovarianceKind = (typeof COVARIANCE_KINDS)[number];

export const PRIOR_KINDS = ['isotropic', 'whitened'] as const;
export type PriorKind = (typeof PRIOR_KINDS)[number];

/** The test distribution's covariance: the training one, or any family. */
export const TEST_COVARIANCE_KINDS = ['same', ...COVARIANCE_KINDS] as const;
export type TestCovarianceKind = (typeof TEST_COVARIANCE_KINDS)[number];

export const TEST_PRIOR_KINDS = ['same', ...PRIOR_KINDS] as const;
export type TestPriorKind = (typeof TEST_PRIOR_KINDS)[number];

/** Test tasks of a pooled run: fresh draws from the prior, or the training pool's. */
export const TEST_TASK_KINDS = ['fresh', 'pool'] as const;
export type TestTaskKind = (typeof TEST_TASK_KINDS)[number];

export const RESPONSES = ['identity', 'tanh', 'relu', 'cubic'] as const;
export type ResponseKind = (typeof RESPONSES)[number];

export const MODEL_TYPES = ['lsa', 'softmax'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** Linear attention's key–query parameterization: one merged W_KQ per head, or separate rank-r W_K, W_Q (Zhang et al. 2025's ATTN_S). */
export const LA_PARAMS = ['merged', 'separate'] as const;
export type LaParam = (typeof LA_PARAMS)[number];

/** The most layers of linear attention. */
export const MAX_LAYERS = 4;

export const INIT_KINDS = ['gaussian', 'default', 'small-identity', 'opposite-identity'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

/** Elementwise (sgd, adam, adamw, lion) and matrix (muon, polargrad, soap) optimizers. */
export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'lion', 'muon', 'polargrad', 'soap'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

export const SCHEDULES = ['constant', 'cosine', 'warmup-cosine', 'wsd'] as const;

export const POLAR_SCALES = ['nuclear', 'muon'] as const;
export type PolarScale = (typeof POLAR_SCALES)[number];
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface CovarianceSpec {
  /**
   * isotropic: Σ = I; powerlaw: λ_i ∝ i^−α; geometric: λ_1/λ_d = κ;
   * ar1: Σ_ij = ρ^|i−j|; uniform: x_j i.i.d. uniform with unit variance
   * (Σ = I, not Gaussian); custom: the eigenvalues listed.
   */
  kind: CovarianceKind;
  alpha: number;
  kappa: number;
  rho: number;
  /** Eigenvalues of the custom family (d of them; empty: 1, 2, …, d), normalized to tr Σ = d. */
  eigenvalues: number[];
  /** Rotate Σ by a seeded random orthogonal matrix U: Σ ← U Σ Uᵀ. */
  rotate: boolean;
  rotationSeed: number;
}

export interface TaskSpec {
  /** Covariate dimension d; tokens have d + k entries (k = tasks). */
  d: number;
  /** Context length n (number of (x, y) pairs before the query). */
  n: number;
  covariance: CovarianceSpec;
  /** w ~ N(0, τ² I) (isotropic) or N(0, Σ⁻¹) (whitened). */
  prior: { kind: PriorKind; tau2: number };
  /** Label noise variance σ². */
  noiseVar: number;
  /** Whether the query target y_q carries the label noise too. */
  queryNoise: boolean;
  response: ResponseKind;
  /**
   * Number of outputs k (multi-task regression, He et al.): each prompt has k
   * task vectors and every token carries k labels, z = (x, y⁽¹⁾ … y⁽ᵏ⁾).
   */
  tasks: number;
  /**
   * Task t reads only the coordinates [t·windowStride, t·windowStride + windowSize)
   * of x (its w is zero elsewhere); windowSize 0 means every task reads all of x.
   * He et al.'s two-task case: d = 6, windowSize 4, windowStride 2.
   */
  windowSize: number;
  windowStride: number;
  /**
   * Finite task pool (Raventós et al. 2023): 0 draws a fresh task for every
   * prompt; M ≥ 1 draws every prompt's tasks uniformly from M entries, fixed
   * by poolSeed and drawn once from the prior.
   */
  pool: number;
  poolSeed: number;
  /**
   * Every pool vector also appears negated (2M tasks, the same second moment
   * Ω): a pool without odd moments, on which one layer of LSA can do no better
   * than the one-step Γ*(Ω_pool).
   */
  poolSymmetric: boolean;
}

export interface ModelSpec {
  /** lsa: linear self-attention; softmax: multi-head softmax attention (He et al.). */
  type: ModelType;
  /** Attention heads (H = 1: single-head attention), for either model. */
  heads: number;
  /**
   * Linear attention only. merged: per head W_KQ^h, W_PV^h ∈ R^{D×D};
   * separate: per head W_K^h, W_Q^h ∈ R^{r×D} (r = rank) and W_V^h ∈ R^{D×D},
   * so W_KQ^h = W_K^hᵀ W_Q^h has rank ≤ r.
   */
  param: LaParam;
  /** Rank r of W_K^h and W_Q^h (param = separate), 1 … D. */
  rank: number;
  /**
   * Linear attention only: layers L of the residual stream; each updates every
   * token, Z ← Z + Σ_h W_PV^h Z M Zᵀ W_KQ^h Z / n (M masks the query out of the
   * keys and values); the prediction is the query's label slot after L layers.
   */
  layers: number;
  /** The same weights in every layer (von Oswald et al.'s recurrent variant; L ≥ 2). */
  tied: boolean;
  /**
   * gaussian: i.i.d. N(0, initScale²) entries; default: PyTorch nn.Linear's
   * U(±1/√fan_in); small-identity: Q^h = K^h = V^h = initScale·I, O default;
   * opposite-identity: Q^h = ±initScale·I (half the heads each sign),
   * K^h = initScale·I, V and O default. The last three are softmax only.
   */
  init: InitKind;
  initScale: number;
}

export interface OptimizerSpec {
  kind: OptimizerKind;
  lr: number;
  /**
   * constant; cosine: lr·½(1 + cos(πt/T)) from step 0; warmup-cosine: linear
   * warmup over `warmup` steps, then cosine to 0; wsd: warmup, constant, then
   * linear decay to 0 over the last `decayFraction` of the steps.
   */
  schedule: ScheduleKind;
  /** Linear-warmup steps (warmup-cosine and wsd). */
  warmup: number;
  /** WSD: the fraction of the steps spent decaying. */
  decayFraction: number;
  /** Momentum: SGD's heavy ball (buffer m ← μm + g), Muon's and PolarGrad's. */
  momentum: number;
  /** Nesterov momentum for SGD, Muon and PolarGrad. */
  nesterov: boolean;
  /** Adam's, AdamW's and SOAP's moment decays; Lion's interpolation (β₁) and momentum (β₂) decays. */
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay θ ← θ − lr·wd·θ (every optimizer). */
  weightDecay: number;
  /** Clip the batch gradient to this global ℓ2 norm (0: no clipping). */
  clip: number;
  /** PolarGrad's step scale: the nuclear norm of the (momentum) gradient, or Muon's √max(1, rows/cols). */
  polarScale: PolarScale;
  /** SOAP: steps between refreshes of the eigenbases. */
  precondFreq: number;
}

export interface TrainSpec {
  batch: number;
  steps: number;
  /** Seeds the training and test prompts. */
  dataSeed: number;
  /** Seeds the parameter initialization. */
  initSeed: number;
  /**
   * A fixed training set (Zhang et al. 2025): 0 draws fresh prompts every
   * step; N ≥ 1 trains on N fixed prompts, each step taking `batch` of them in
   * a seeded order (every epoch a fresh permutation); batch = N is full-batch GD.
   */
  set: number;
}

/**
 * A test distribution apart from the training one (Garg et al. 2022; Zhang,
 * Frei & Bartlett 2024): each field overrides the training distribution, and
 * 'same' / null keep it. Evaluated beside the in-distribution numbers.
 */
export interface TestShiftSpec {
  covariance: Omit<CovarianceSpec, 'kind' | 'rotationSeed'> & { kind: TestCovarianceKind };
  prior: { kind: TestPriorKind; tau2: number | null };
  /** Test tasks of a pooled run. */
  tasks: TestTaskKind;
  noiseVar: number | null;
  /** Inputs scaled by this factor (x ← c·x; Σ ← c²Σ). */
  scale: number;
  /** Context length of the test prompts (0: the training n). */
  n: number;
}

export interface EvalSpec {
  /** Fresh test prompts for the final test MSE. */
  prompts: number;
  test: TestShiftSpec;
}

export interface ExperimentSpec {
  version: number;
  task: TaskSpec;
  model: ModelSpec;
  optimizer: OptimizerSpec;
  train: TrainSpec;
  eval: EvalSpec;
}
