// One declarative table of every spec leaf: where it lives, its type and range,
// its default, its URL key, and how a control should present it. Defaults,
// validation, the URL codec and the UI controls are all derived from it.
import {
  COVARIANCE_KINDS,
  INIT_KINDS,
  LA_PARAMS,
  MAX_LAYERS,
  MODEL_TYPES,
  OPTIMIZERS,
  POLAR_SCALES,
  PRIOR_KINDS,
  RESPONSES,
  SCHEDULES,
  TEST_COVARIANCE_KINDS,
  TEST_PRIOR_KINDS,
  TEST_TASK_KINDS,
} from './types.ts';

export type FieldGroup = 'Task' | 'Model' | 'Optimizer' | 'Run' | 'Eval';

interface FieldBase {
  /** Dotted path into ExperimentSpec, e.g. 'task.covariance.rho'. */
  path: string;
  /** Short, stable URL query key. Never reuse a retired key. */
  key: string;
  label: string;
  group: FieldGroup;
  help: string;
}

export interface NumberField extends FieldBase {
  kind: 'int' | 'float';
  min: number;
  max: number;
  /** null only where the field is nullable. */
  default: number | null;
  /** How a slider should move: log for scales spanning decades. */
  scale: 'linear' | 'log';
  unit?: string;
  /** null is allowed and means "the training value" (test overrides); links write it as `same`. */
  nullable?: boolean;
}

export interface EnumField extends FieldBase {
  kind: 'enum';
  options: readonly string[];
  default: string;
}

export interface BoolField extends FieldBase {
  kind: 'bool';
  default: boolean;
}

/** A list of positive numbers (eigenvalues): links write it comma-separated. */
export interface ListField extends FieldBase {
  kind: 'list';
  default: readonly number[];
  /** Every entry must be a finite number above itemMin (exclusive) and at most itemMax. */
  itemMin: number;
  itemMax: number;
  maxLength: number;
}

export type FieldDef = NumberField | EnumField | BoolField | ListField;

/** A field's value as the spec holds it. */
export type FieldValue = number | string | boolean | number[] | null;

/** The most numbers a task pool holds (M·k·d): 2^23, a 32 MiB buffer. */
export const MAX_POOL_NUMBERS = 1 << 23;

export const U32_MAX = 4294967295;

export const FIELDS: readonly FieldDef[] = [
  // Task
  { path: 'task.d', key: 'd', kind: 'int', min: 1, max: 64, default: 5, scale: 'linear', label: 'dimension d', group: 'Task', help: 'Covariate dimension; tokens have d + k entries (k tasks).' },
  { path: 'task.n', key: 'n', kind: 'int', min: 1, max: 1024, default: 20, scale: 'log', label: 'context length n', group: 'Task', help: 'Number of (x, y) pairs in each prompt before the query.' },
  { path: 'task.covariance.kind', key: 'cov', kind: 'enum', options: COVARIANCE_KINDS, default: 'isotropic', label: 'covariance', group: 'Task', help: 'Family of the covariate covariance Σ (spectra normalized to tr Σ = d).' },
  { path: 'task.covariance.alpha', key: 'alpha', kind: 'float', min: 0, max: 4, default: 1, scale: 'linear', label: 'power-law α', group: 'Task', help: 'Eigenvalues λ_i ∝ i^−α (power-law family).' },
  { path: 'task.covariance.kappa', key: 'kappa', kind: 'float', min: 1, max: 10000, default: 10, scale: 'log', label: 'condition number κ', group: 'Task', help: 'λ_max / λ_min of the geometric spectrum.' },
  { path: 'task.covariance.rho', key: 'rho', kind: 'float', min: -0.99, max: 0.99, default: 0.5, scale: 'linear', label: 'correlation ρ', group: 'Task', help: 'AR(1) correlation: Σ_ij = ρ^|i−j|.' },
  { path: 'task.covariance.eigenvalues', key: 'eig', kind: 'list', itemMin: 0, itemMax: 1e6, maxLength: 64, default: [], label: 'eigenvalues', group: 'Task', help: 'Eigenvalues of Σ for the custom family, d of them (empty: 1, 2, …, d, as Zhang et al. 2025), normalized to tr Σ = d.' },
  { path: 'task.covariance.rotate', key: 'rot', kind: 'bool', default: false, label: 'rotate Σ', group: 'Task', help: 'Rotate Σ by a seeded random orthogonal matrix.' },
  { path: 'task.covariance.rotationSeed', key: 'rseed', kind: 'int', min: 0, max: U32_MAX, default: 0, scale: 'linear', label: 'rotation seed', group: 'Task', help: 'Seed of the random rotation.' },
  { path: 'task.prior.kind', key: 'prior', kind: 'enum', options: PRIOR_KINDS, default: 'isotropic', label: 'task prior', group: 'Task', help: 'w ~ N(0, τ² I) (isotropic) or N(0, Σ⁻¹) (whitened).' },
  { path: 'task.prior.tau2', key: 'tau2', kind: 'float', min: 1e-4, max: 100, default: 1, scale: 'log', label: 'prior variance τ²', group: 'Task', help: 'Variance of each entry of w under the isotropic prior.' },
  { path: 'task.noiseVar', key: 's2', kind: 'float', min: 0, max: 10, default: 0.1, scale: 'linear', label: 'noise variance σ²', group: 'Task', help: 'Variance of the label noise ε.' },
  { path: 'task.queryNoise', key: 'qn', kind: 'bool', default: true, label: 'noisy query target', group: 'Task', help: 'Whether the query target y_q carries label noise (then the best loss is ≥ σ²).' },
  { path: 'task.response', key: 'f', kind: 'enum', options: RESPONSES, default: 'identity', label: 'response f', group: 'Task', help: 'y = f(wᵀx) + ε; nonlinear responses are scaled to comparable variance.' },
  { path: 'task.tasks', key: 'K', kind: 'int', min: 1, max: 4, default: 1, scale: 'linear', label: 'tasks k', group: 'Task', help: 'Outputs per prompt (multi-task regression): each token carries k labels, one per task vector.' },
  { path: 'task.windowSize', key: 'ws', kind: 'int', min: 0, max: 64, default: 0, scale: 'linear', label: 'task window', group: 'Task', help: 'Coordinates of x each task reads (0: all d). Task t reads [t·stride, t·stride + window).' },
  { path: 'task.windowStride', key: 'wst', kind: 'int', min: 0, max: 64, default: 0, scale: 'linear', label: 'window stride', group: 'Task', help: 'Offset between the windows of consecutive tasks.' },
  { path: 'task.pool', key: 'pool', kind: 'int', min: 0, max: 1 << 20, default: 0, scale: 'log', label: 'task pool M', group: 'Task', help: 'Finite task pool (Raventós et al. 2023): 0 draws a fresh task for every prompt; M ≥ 1 draws each prompt\'s task uniformly from M vectors drawn once from the prior.' },
  { path: 'task.poolSymmetric', key: 'psym', kind: 'bool', default: false, label: 'sign-symmetric pool', group: 'Task', help: 'Every pool vector also appears negated (2M tasks, the same second moment): a pool without odd moments, where one-layer LSA\'s optimum is the one-step Γ*(Ω_pool).' },
  { path: 'task.poolSeed', key: 'pseed', kind: 'int', min: 0, max: U32_MAX, default: 0, scale: 'linear', label: 'pool seed', group: 'Task', help: 'Seed of the task pool\'s vectors.' },
  // Model
  { path: 'model.type', key: 'model', kind: 'enum', options: MODEL_TYPES, default: 'lsa', label: 'model', group: 'Model', help: 'Linear self-attention (merged W_KQ, W_PV or separate W_K, W_Q, W_V; 1–4 layers) or one layer of multi-head softmax attention.' },
  { path: 'model.heads', key: 'H', kind: 'int', min: 1, max: 16, default: 1, scale: 'linear', label: 'heads H', group: 'Model', help: 'Attention heads, summed (H = 1: single-head attention). Linear attention with H > 1 heads (Zhang et al. 2025).' },
  { path: 'model.param', key: 'param', kind: 'enum', options: LA_PARAMS, default: 'merged', label: 'key–query weights', group: 'Model', help: 'Linear attention: one merged W_KQ per head, or separate W_K, W_Q of rank r (Zhang et al. 2025\'s ATTN_S: it learns one principal component per loss drop).' },
  { path: 'model.rank', key: 'rank', kind: 'int', min: 1, max: 68, default: 1, scale: 'linear', label: 'rank r', group: 'Model', help: 'Rank of each head\'s separate W_K and W_Q (r × (d + k) each), at most d + k.' },
  { path: 'model.layers', key: 'layers', kind: 'int', min: 1, max: MAX_LAYERS, default: 1, scale: 'linear', label: 'layers L', group: 'Model', help: 'Layers of linear attention on the residual stream; L layers can implement L steps of (preconditioned) GD (von Oswald et al. 2023; Ahn et al. 2023).' },
  { path: 'model.tied', key: 'tied', kind: 'bool', default: false, label: 'tied layers', group: 'Model', help: 'The same weights in every layer (von Oswald et al.\'s recurrent variant); L ≥ 2.' },
  { path: 'model.init', key: 'init', kind: 'enum', options: INIT_KINDS, default: 'gaussian', label: 'initialization', group: 'Model', help: 'gaussian: i.i.d. N(0, scale²); default: PyTorch nn.Linear U(±1/√fan_in); small-identity / opposite-identity (softmax): Q, K (and V) start at ±scale·I.' },
  { path: 'model.initScale', key: 'iscale', kind: 'float', min: 1e-8, max: 10, default: 0.1, scale: 'log', label: 'init scale', group: 'Model', help: 'Standard deviation (gaussian) or identity scale (small-identity, opposite-identity).' },
  // Optimizer
  { path: 'optimizer.kind', key: 'opt', kind: 'enum', options: OPTIMIZERS, default: 'adam', label: 'optimizer', group: 'Optimizer', help: 'SGD (momentum, Nesterov), Adam, AdamW (Loshchilov & Hutter), Lion (Chen et al. 2023), Muon (Jordan et al. 2024: orthogonalized momentum), PolarGrad (Lau et al. 2025: the polar factor times the nuclear norm) or SOAP (Vyas et al. 2024: Adam in Shampoo\'s eigenbasis). The matrix optimizers treat each weight matrix as one.' },
  { path: 'optimizer.lr', key: 'lr', kind: 'float', min: 1e-7, max: 10, default: 1e-3, scale: 'log', label: 'learning rate', group: 'Optimizer', help: 'Peak step size. Lion\'s sign updates want about 3–10× less than Adam (Chen et al.); Muon\'s orthogonal updates about 0.02 (Jordan et al.).' },
  { path: 'optimizer.schedule', key: 'sched', kind: 'enum', options: SCHEDULES, default: 'constant', label: 'lr schedule', group: 'Optimizer', help: 'Constant; cosine decay to 0 over the run (Loshchilov & Hutter 2017); linear warmup then cosine; or warmup–stable–decay (WSD: constant, then a linear decay to 0 at the end; Hägele et al. 2024).' },
  { path: 'optimizer.warmup', key: 'warm', kind: 'int', min: 0, max: 10_000_000, default: 0, scale: 'log', label: 'warmup steps', group: 'Optimizer', help: 'Steps of linear warmup from lr/warmup to lr (warmup-cosine and WSD schedules).' },
  { path: 'optimizer.decayFraction', key: 'decay', kind: 'float', min: 0, max: 1, default: 0.2, scale: 'linear', label: 'decay fraction', group: 'Optimizer', help: 'WSD: the fraction of the steps at the end over which the rate falls linearly to 0.' },
  { path: 'optimizer.momentum', key: 'mom', kind: 'float', min: 0, max: 0.999, default: 0, scale: 'linear', label: 'momentum', group: 'Optimizer', help: 'Momentum μ of SGD (heavy ball, m ← μm + g), Muon (0.95 in Jordan et al.) and PolarGrad.' },
  { path: 'optimizer.nesterov', key: 'nest', kind: 'bool', default: false, label: 'Nesterov', group: 'Optimizer', help: 'Nesterov momentum: step along g + μm instead of m (SGD as in torch.optim.SGD; Muon\'s reference uses it).' },
  { path: 'optimizer.beta1', key: 'b1', kind: 'float', min: 0, max: 0.9999, default: 0.9, scale: 'linear', label: 'β₁', group: 'Optimizer', help: 'First-moment decay (Adam, AdamW, SOAP); Lion\'s interpolation c = β₁m + (1 − β₁)g (0.9 in Chen et al.).' },
  { path: 'optimizer.beta2', key: 'b2', kind: 'float', min: 0, max: 0.999999, default: 0.999, scale: 'linear', label: 'β₂', group: 'Optimizer', help: 'Second-moment decay (Adam, AdamW; SOAP\'s preconditioner and moments, 0.95 in Vyas et al.); Lion\'s momentum decay (0.99 in Chen et al.).' },
  { path: 'optimizer.eps', key: 'eps', kind: 'float', min: 1e-12, max: 1e-2, default: 1e-8, scale: 'log', label: 'ε', group: 'Optimizer', help: 'Denominator offset of Adam, AdamW and SOAP.' },
  { path: 'optimizer.weightDecay', key: 'wd', kind: 'float', min: 0, max: 1, default: 0, scale: 'linear', label: 'weight decay', group: 'Optimizer', help: 'Decoupled weight decay (θ ← θ − lr·wd·θ) for every optimizer; Adam\'s has always been decoupled here, so adam and adamw differ only in the order of the two subtractions (AdamW applies the decay first, as torch.optim.AdamW).' },
  { path: 'optimizer.clip', key: 'clip', kind: 'float', min: 0, max: 1e6, default: 0, scale: 'log', label: 'gradient clip', group: 'Optimizer', help: 'Clip the batch gradient to this global ℓ2 norm before the optimizer sees it (as torch.nn.utils.clip_grad_norm_); 0: no clipping.' },
  { path: 'optimizer.polarScale', key: 'pscale', kind: 'enum', options: POLAR_SCALES, default: 'nuclear', label: 'PolarGrad scale', group: 'Optimizer', help: 'PolarGrad\'s step: the polar factor times the nuclear norm of the (momentum) gradient (Lau et al.), or times Muon\'s √max(1, rows/cols).' },
  { path: 'optimizer.precondFreq', key: 'pfreq', kind: 'int', min: 1, max: 100_000, default: 10, scale: 'log', label: 'precondition frequency', group: 'Optimizer', help: 'SOAP: steps between refreshes of the eigenbases of Shampoo\'s preconditioners (10 in Vyas et al.).' },

  { path: 'train.batch', key: 'B', kind: 'int', min: 1, max: 65536, default: 1024, scale: 'log', label: 'batch size', group: 'Run', help: 'Fresh prompts per step.' },
  { path: 'train.steps', key: 'T', kind: 'int', min: 1, max: 10_000_000, default: 5000, scale: 'log', label: 'steps', group: 'Run', help: 'Optimizer steps.' },
  { path: 'train.set', key: 'tset', kind: 'int', min: 0, max: 1 << 24, default: 0, scale: 'log', label: 'training set N', group: 'Run', help: 'A fixed training set (Zhang et al. 2025): 0 draws fresh prompts every step; N ≥ 1 trains on N fixed prompts, batch of them per step in a seeded order (batch = N: full-batch GD).' },
  { path: 'train.dataSeed', key: 'ds', kind: 'int', min: 0, max: U32_MAX, default: 1, scale: 'linear', label: 'data seed', group: 'Run', help: 'Seeds the training and test prompts.' },
  { path: 'train.initSeed', key: 'is', kind: 'int', min: 0, max: U32_MAX, default: 1, scale: 'linear', label: 'init seed', group: 'Run', help: 'Seeds the parameter initialization.' },
  // Eval
  { path: 'eval.prompts', key: 'ep', kind: 'int', min: 256, max: 1 << 20, default: 65536, scale: 'log', label: 'test prompts', group: 'Eval', help: 'Fresh prompts for the final test MSE.' },
  // A test distribution apart from the training one: every field keeps the training value by default.
  { path: 'eval.test.covariance.kind', key: 'tcov', kind: 'enum', options: TEST_COVARIANCE_KINDS, default: 'same', label: 'test covariance', group: 'Eval', help: 'Covariance family of the test prompts (same: the training one), for evaluation under covariate shift (Garg et al. 2022; Zhang, Frei & Bartlett 2024).' },
  { path: 'eval.test.covariance.alpha', key: 'talpha', kind: 'float', min: 0, max: 4, default: 1, scale: 'linear', label: 'test power-law α', group: 'Eval', help: 'Eigenvalues λ_i ∝ i^−α of the test covariance.' },
  { path: 'eval.test.covariance.kappa', key: 'tkappa', kind: 'float', min: 1, max: 10000, default: 10, scale: 'log', label: 'test condition number κ', group: 'Eval', help: 'λ_max / λ_min of the test covariance\'s geometric spectrum.' },
  { path: 'eval.test.covariance.rho', key: 'trho', kind: 'float', min: -0.99, max: 0.99, default: 0.5, scale: 'linear', label: 'test correlation ρ', group: 'Eval', help: 'AR(1) correlation of the test covariance.' },
  { path: 'eval.test.covariance.eigenvalues', key: 'teig', kind: 'list', itemMin: 0, itemMax: 1e6, maxLength: 64, default: [], label: 'test eigenvalues', group: 'Eval', help: 'Eigenvalues of the custom test covariance, d of them (empty: 1, 2, …, d), normalized to tr Σ = d.' },
  { path: 'eval.test.covariance.rotate', key: 'trot', kind: 'bool', default: false, label: 'rotate test Σ', group: 'Eval', help: 'Rotate the test covariance by the training rotation seed\'s orthogonal matrix.' },
  { path: 'eval.test.prior.kind', key: 'tprior', kind: 'enum', options: TEST_PRIOR_KINDS, default: 'same', label: 'test task prior', group: 'Eval', help: 'Prior of the test tasks (same: the training one).' },
  { path: 'eval.test.prior.tau2', key: 'ttau2', kind: 'float', min: 1e-4, max: 100, default: null, nullable: true, scale: 'log', label: 'test prior variance τ²', group: 'Eval', help: 'τ² of the test tasks\' isotropic prior (same: the training τ²).' },
  { path: 'eval.test.tasks', key: 'ttasks', kind: 'enum', options: TEST_TASK_KINDS, default: 'fresh', label: 'test tasks', group: 'Eval', help: 'For a pooled run, the shifted evaluation\'s tasks: fresh draws from the prior, or the training pool\'s.' },
  { path: 'eval.test.noiseVar', key: 'ts2', kind: 'float', min: 0, max: 10, default: null, nullable: true, scale: 'linear', label: 'test noise σ²', group: 'Eval', help: 'Label noise variance of the test prompts (same: the training σ²).' },
  { path: 'eval.test.scale', key: 'tscale', kind: 'float', min: 0.01, max: 100, default: 1, scale: 'log', label: 'test input scale', group: 'Eval', help: 'Test inputs scaled by c (x ← c·x, Σ ← c²Σ).' },
  { path: 'eval.test.n', key: 'tn', kind: 'int', min: 0, max: 1024, default: 0, scale: 'log', label: 'test context length', group: 'Eval', help: 'Context length of the test prompts (0: the training n).' },
];

export const FIELD_BY_PATH: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.path, f]));
export const FIELD_BY_KEY: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.key, f]));

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}
