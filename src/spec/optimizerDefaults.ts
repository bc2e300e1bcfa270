// Each optimizer's hyperparameters as its source publishes them, other than
// the learning rate: what the page sets when the optimizer is changed, and what
// an optimizer sweep with source defaults (odef=1) gives each of its values.
import type { OptimizerKind, OptimizerSpec } from './types.ts';

export type SourceDefaults = Partial<Pick<OptimizerSpec, 'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'eps' | 'precondFreq'>>;

export const OPTIMIZER_SOURCES: Record<OptimizerKind, { source: string; defaults: SourceDefaults }> = {
  sgd: { source: 'SGD with Nesterov momentum 0.9 (Sutskever et al. 2013)', defaults: { momentum: 0.9, nesterov: true } },
  adam: { source: 'Adam (Kingma & Ba 2015)', defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8 } },
  adamw: { source: 'AdamW (Loshchilov & Hutter 2019)', defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8 } },
  lion: { source: 'Lion (Chen et al. 2023, google/automl)', defaults: { beta1: 0.9, beta2: 0.99 } },
  muon: { source: 'Muon (Jordan et al. 2024, KellerJordan/Muon)', defaults: { momentum: 0.95, nesterov: true } },
  polargrad: { source: 'PolarGrad (Lau et al. 2025, timlautk/polargrad)', defaults: { momentum: 0.95, nesterov: false } },
  soap: { source: 'SOAP (Vyas et al. 2024, nikhilvyas/SOAP)', defaults: { beta1: 0.95, beta2: 0.95, eps: 1e-8, precondFreq: 10 } },
};

/** The optimizer spec with `kind` and that optimizer's source defaults; the list of fields it changed, as "b2 = 0.99". */
export function withSourceDefaults(opt: OptimizerSpec, kind: OptimizerKind): { optimizer: OptimizerSpec; changed: string[] } {
  const out: OptimizerSpec = { ...opt, kind };
  const changed: string[] = [];
  const keys: Record<keyof SourceDefaults, string> = { momentum: 'mom', nesterov: 'nest', beta1: 'b1', beta2: 'b2', eps: 'eps', precondFreq: 'pfreq' };
  for (const [k, v] of Object.entries(OPTIMIZER_SOURCES[kind].defaults) as [keyof SourceDefaults, number | boolean][]) {
    if (out[k] !== v) {
      (out as unknown as Record<string, unknown>)[k] = v;
      changed.push(`${keys[k]} = ${typeof v === 'boolean' ? (v ? 1 : 0) : v}`);
    }
  }
  return { optimizer: out, changed };
}
