// Float64 reference of the optimizer step (shaders/update.wgsl for the
// elementwise optimizers without clipping, shaders/optimizer.wgsl for the
// matrix optimizers and for clipping), and the learning-rate schedules. Each
// rule follows its authors' public code; where the lab departs from it, the
// comment says so.
import type { ExperimentSpec, OptimizerSpec } from '../spec/types.ts';
import { modelFor } from '../models/index.ts';
import { jacobiEigen, newtonSchulz5, polarFactor } from '../linalg/matrixFunctions.ts';

/** A weight matrix in the flat parameter vector: what the matrix optimizers treat as one. */
export interface ParamBlock {
  offset: number;
  rows: number;
  cols: number;
}

export interface OptimizerState {
  /** Adam's, Lion's and SOAP's first moment (SOAP: in the rotated basis), or the momentum buffer of SGD, Muon and PolarGrad. */
  m: Float64Array;
  /** Adam's and SOAP's second moment. */
  v: Float64Array;
  /** SOAP only: per block L (rows²), R (cols²), Q_L (rows²), Q_R (cols²), after 2·NP in the GPU's state buffer. */
  extra: Float64Array;
}

export const MATRIX_OPTIMIZERS: ReadonlySet<string> = new Set(['muon', 'polargrad', 'soap']);

/** Whether the step runs in the per-matrix kernel (matrix optimizers, or any optimizer with gradient clipping). */
export function usesMatrixKernel(opt: OptimizerSpec): boolean {
  return MATRIX_OPTIMIZERS.has(opt.kind) || opt.clip > 0;
}

/**
 * SOAP preconditions a side of a matrix only up to this size; past it that
 * side's basis stays the identity, as the reference's max_precond_dim (10,000
 * there: here one workgroup's Jacobi must stay short).
 */
export const SOAP_MAX_DIM = 128;

/** SOAP's state floats for one block: L and Q_L (rows² each) and R and Q_R (cols² each), for the sides it preconditions. */
function soapBlockSize(b: ParamBlock): number {
  return (b.rows <= SOAP_MAX_DIM ? 2 * b.rows * b.rows : 0) + (b.cols <= SOAP_MAX_DIM ? 2 * b.cols * b.cols : 0);
}

/** Floats of SOAP's preconditioner state for these blocks (0 for the other optimizers). */
export function extraStateSize(opt: Pick<OptimizerSpec, 'kind'>, blocks: readonly ParamBlock[]): number {
  if (opt.kind !== 'soap') return 0;
  return blocks.reduce((n, b) => n + soapBlockSize(b), 0);
}

/** Offsets of each block's SOAP state inside `extra`. */
export function soapOffsets(blocks: readonly ParamBlock[]): number[] {
  let at = 0;
  return blocks.map((b) => {
    const o = at;
    at += soapBlockSize(b);
    return o;
  });
}

/** A spec's weight matrices, as the matrix optimizers see them. */
export function specBlocks(spec: ExperimentSpec): ParamBlock[] {
  return modelFor(spec).matrices.map((m) => ({ offset: m.offset, rows: m.rows, cols: m.cols }));
}

/** Floats of a spec's optimizer state as the trainer keeps it: m and v (NP each), then SOAP's preconditioners. */
export function optimizerStateFloatsOf(spec: ExperimentSpec): number {
  const np = modelFor(spec).paramCount;
  return 2 * np + extraStateSize(spec.optimizer, specBlocks(spec));
}

export function newOptimizerState(size: number, opt?: Pick<OptimizerSpec, 'kind'>, blocks: readonly ParamBlock[] = []): OptimizerState {
  return { m: new Float64Array(size), v: new Float64Array(size), extra: new Float64Array(opt ? extraStateSize(opt, blocks) : 0) };
}

/** Learning rate at 0-based step `step` of `total`. */
export function learningRate(opt: Pick<OptimizerSpec, 'lr' | 'schedule' | 'warmup' | 'decayFraction'>, step: number, total: number): number {
  const lr = opt.lr;
  switch (opt.schedule) {
    case 'constant':
      return lr;
    case 'cosine':
      return lr * 0.5 * (1 + Math.cos((Math.PI * step) / total));
    case 'warmup-cosine': {
      const w = Math.min(opt.warmup, total);
      if (step < w) return (lr * (step + 1)) / w;
      return lr * 0.5 * (1 + Math.cos((Math.PI * (step - w)) / Math.max(1, total - w)));
    }
    case 'wsd': {
      const w = Math.min(opt.warmup, total);
      const decay = Math.round(opt.decayFraction * total);
      const start = Math.max(w, total - decay);
      if (step < w) return (lr * (step + 1)) / w;
      if (step < start || decay === 0) return lr;
      return (lr * (total - step)) / (total - start);
    }
  }
}

/** SOAP's per-step flags: its first step only sets up the preconditioner; every precondFreq-th later step refreshes the eigenbases. */
export function soapStepFlags(opt: Pick<OptimizerSpec, 'precondFreq'>, step: number): { init: boolean; refresh: boolean } {
  return { init: step === 0, refresh: step === 0 || step % opt.precondFreq === 0 };
}

/** SOAP's step size factor √(1 − β₂ᵗ)/(1 − β₁ᵗ) at trainer step `step` (its t = step: the first step makes no update). */
export function soapBiasFactor(opt: Pick<OptimizerSpec, 'beta1' | 'beta2'>, step: number): number {
  if (step === 0) return 0;
  return Math.sqrt(1 - Math.pow(opt.beta2, step)) / (1 - Math.pow(opt.beta1, step));
}

/** The global-norm clipping factor, as torch.nn.utils.clip_grad_norm_: min(1, clip/(‖g‖ + 1e-6)). */
export function clipFactor(clip: number, grad: ArrayLike<number>): number {
  if (!(clip > 0)) return 1;
  let s = 0;
  for (let i = 0; i < grad.length; i++) s += grad[i] * grad[i];
  return Math.min(1, clip / (Math.sqrt(s) + 1e-6));
}

/**
 * Applies one step in place; `grad` is the batch-mean gradient. The matrix
 * optimizers need the model's blocks (every parameter lies in one).
 */
export function optimizerStep(
  opt: OptimizerSpec,
  params: Float64Array,
  gradIn: ArrayLike<number>,
  state: OptimizerState,
  step: number,
  totalSteps: number,
  blocks: readonly ParamBlock[] = [],
): void {
  const lr = learningRate(opt, step, totalSteps);
  const t = step + 1;
  const scale = clipFactor(opt.clip, gradIn);
  const grad = scale === 1 ? gradIn : Float64Array.from(gradIn, (g) => g * scale);
  const wd = opt.weightDecay;
  if (MATRIX_OPTIMIZERS.has(opt.kind)) {
    if (blocks.length === 0) throw new Error(`${opt.kind} needs the model's weight matrices`);
    const offsets = soapOffsets(blocks);
    blocks.forEach((b, i) => matrixStep(opt, params, grad, state, b, offsets[i], step, lr));
    return;
  }
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    switch (opt.kind) {
      case 'adam':
      case 'adamw': {
        const m = opt.beta1 * state.m[i] + (1 - opt.beta1) * g;
        const v = opt.beta2 * state.v[i] + (1 - opt.beta2) * g * g;
        state.m[i] = m;
        state.v[i] = v;
        const mhat = m / (1 - Math.pow(opt.beta1, t));
        const vhat = v / (1 - Math.pow(opt.beta2, t));
        // AdamW decays first (torch.optim.AdamW); Adam's decoupled decay sits inside the step.
        if (opt.kind === 'adamw') params[i] = params[i] * (1 - lr * wd) - lr * (mhat / (Math.sqrt(vhat) + opt.eps));
        else params[i] -= lr * (mhat / (Math.sqrt(vhat) + opt.eps) + wd * params[i]);
        break;
      }
      case 'lion': {
        // google/automl's lion_pytorch: decay, step along sign(β₁m + (1 − β₁)g), then m ← β₂m + (1 − β₂)g.
        const c = opt.beta1 * state.m[i] + (1 - opt.beta1) * g;
        params[i] = params[i] * (1 - lr * wd) - lr * Math.sign(c);
        state.m[i] = opt.beta2 * state.m[i] + (1 - opt.beta2) * g;
        break;
      }
      default: {
        // SGD: m ← μm + g; the step is m (heavy ball) or g + μm (Nesterov, as torch.optim.SGD).
        const m = opt.momentum * state.m[i] + g;
        state.m[i] = m;
        const u = opt.nesterov ? g + opt.momentum * m : m;
        params[i] -= lr * (u + wd * params[i]);
      }
    }
  }
}

function matrixStep(opt: OptimizerSpec, params: Float64Array, grad: ArrayLike<number>, state: OptimizerState, b: ParamBlock, extraAt: number, step: number, lr: number): void {
  const { offset, rows, cols } = b;
  const size = rows * cols;
  const g = Float64Array.from({ length: size }, (_, i) => grad[offset + i]);
  const wd = opt.weightDecay;
  if (opt.kind === 'muon' || opt.kind === 'polargrad') {
    // Both keep an EMA of the gradient, m ← μm + (1 − μ)g (KellerJordan/Muon's and timlautk/polargrad's lerp),
    // and step along it or, with Nesterov, along (1 − μ)g + μm.
    const mu = opt.momentum;
    const u = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const m = mu * state.m[offset + i] + (1 - mu) * g[i];
      state.m[offset + i] = m;
      u[i] = opt.nesterov ? (1 - mu) * g[i] + mu * m : m;
    }
    let dir: Float64Array;
    let s: number;
    if (opt.kind === 'muon') {
      dir = newtonSchulz5(u, rows, cols);
      s = Math.sqrt(Math.max(1, rows / cols));
    } else {
      const p = polarFactor(u, rows, cols);
      dir = p.u;
      s = opt.polarScale === 'nuclear' ? p.nuclear : Math.sqrt(Math.max(1, rows / cols));
    }
    for (let i = 0; i < size; i++) params[offset + i] = params[offset + i] * (1 - lr * wd) - lr * s * dir[i];
    return;
  }
  // SOAP (nikhilvyas/SOAP): Adam on G' = Q_Lᵀ G Q_R, applied back as Q_L N' Q_Rᵀ; then L, R and, every
  // precondFreq steps, the eigenbases. The lab refreshes them by an exact eigendecomposition where the
  // reference takes one power-iteration step with a QR (an approximation of it, warm-started).
  const e = state.extra;
  const precL = rows <= SOAP_MAX_DIM;
  const precR = cols <= SOAP_MAX_DIM;
  const r2 = precL ? rows * rows : 0;
  const c2 = precR ? cols * cols : 0;
  const L = e.subarray(extraAt, extraAt + r2);
  const R = e.subarray(extraAt + r2, extraAt + r2 + c2);
  const QL = precL ? e.subarray(extraAt + r2 + c2, extraAt + 2 * r2 + c2) : null;
  const QR = precR ? e.subarray(extraAt + 2 * r2 + c2, extraAt + 2 * (r2 + c2)) : null;
  const flags = soapStepFlags(opt, step);
  const m = state.m.subarray(offset, offset + size);
  const v = state.v.subarray(offset, offset + size);
  if (!flags.init) {
    const gp = sandwichT(QL, g, QR, rows, cols);
    const n = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      m[i] = opt.beta1 * m[i] + (1 - opt.beta1) * gp[i];
      v[i] = opt.beta2 * v[i] + (1 - opt.beta2) * gp[i] * gp[i];
      n[i] = m[i] / (Math.sqrt(v[i]) + opt.eps);
    }
    const upd = sandwich(QL, n, QR, rows, cols);
    const stepSize = lr * soapBiasFactor(opt, step);
    for (let i = 0; i < size; i++) {
      params[offset + i] -= stepSize * upd[i];
      params[offset + i] -= lr * wd * params[offset + i];
    }
  }
  const beta = opt.beta2;
  if (precL)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++) {
        let s = 0;
        for (let k = 0; k < cols; k++) s += g[i * cols + k] * g[j * cols + k];
        L[i * rows + j] = beta * L[i * rows + j] + (1 - beta) * s;
      }
  if (precR)
    for (let i = 0; i < cols; i++)
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let k = 0; k < rows; k++) s += g[k * cols + i] * g[k * cols + j];
        R[i * cols + j] = beta * R[i * cols + j] + (1 - beta) * s;
      }
  if (flags.refresh) {
    // The first moment follows the basis exactly: back to the original coordinates, then into the new
    // basis. The second moment is only reordered, as the reference does: each old direction's entry goes
    // where its Rayleigh quotient under the new L (R) ranks, the new basis being sorted the same way.
    const orig = flags.init ? null : sandwich(QL, m, QR, rows, cols);
    if (!flags.init) {
      const old = Float64Array.from(v);
      const rl = QL ? rayleighRanks(QL, L, rows) : null;
      const rr = QR ? rayleighRanks(QR, R, cols) : null;
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) v[(rl ? rl[i] : i) * cols + (rr ? rr[j] : j)] = old[i * cols + j];
    }
    if (QL) QL.set(jacobiEigen(L, rows).vectors);
    if (QR) QR.set(jacobiEigen(R, cols).vectors);
    if (orig) m.set(sandwichT(QL, orig, QR, rows, cols));
  }
}

/** Where each column q_k of Q goes when sorted by descending q_kᵀ A q_k (stable): its rank. */
function rayleighRanks(Q: ArrayLike<number>, A: ArrayLike<number>, n: number): number[] {
  const est = Array.from({ length: n }, (_, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += A[i * n + j] * Q[j * n + k];
      s += Q[i * n + k] * t;
    }
    return s;
  });
  return est.map((e, k) => est.reduce((r, f, j) => r + (f > e || (f === e && j < k) ? 1 : 0), 0));
}

/** Q_Lᵀ X Q_R for X rows×cols. */
function sandwichT(QL: ArrayLike<number> | null, x: ArrayLike<number>, QR: ArrayLike<number> | null, rows: number, cols: number): Float64Array {
  const tmp = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      if (!QL) s = x[i * cols + j];
      else for (let k = 0; k < rows; k++) s += QL[k * rows + i] * x[k * cols + j];
      tmp[i * cols + j] = s;
    }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      if (!QR) s = tmp[i * cols + j];
      else for (let k = 0; k < cols; k++) s += tmp[i * cols + k] * QR[k * cols + j];
      out[i * cols + j] = s;
    }
  return out;
}

/** Q_L X Q_Rᵀ for X rows×cols. */
function sandwich(QL: ArrayLike<number> | null, x: ArrayLike<number>, QR: ArrayLike<number> | null, rows: number, cols: number): Float64Array {
  const tmp = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      if (!QL) s = x[i * cols + j];
      else for (let k = 0; k < rows; k++) s += QL[i * rows + k] * x[k * cols + j];
      tmp[i * cols + j] = s;
    }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      if (!QR) s = tmp[i * cols + j];
      else for (let k = 0; k < cols; k++) s += tmp[i * cols + k] * QR[j * cols + k];
      out[i * cols + j] = s;
    }
  return out;
}
