// What the page does when the user picks another optimizer in its control:
// the new optimizer gets its source's published hyperparameters (momentum,
// Nesterov, β₁, β₂, ε, the preconditioner refresh; spec/optimizerDefaults.ts),
// the learning rate and everything else stay, and the user is told what moved.
// Only the control does this: a link or a preset is applied exactly as written.
import { OPTIMIZER_SOURCES, withSourceDefaults } from '../spec/optimizerDefaults.ts';
import type { ExperimentSpec, OptimizerKind } from '../spec/types.ts';

/** The title of the notice that says which settings a change of optimizer set. */
export const SOURCE_DEFAULTS_TITLE = "Set to the optimizer's published settings (the learning rate is kept)";

/**
 * `spec` (not modified) with the optimizer switched to `kind` and that
 * optimizer's source defaults; `note` names the source and the fields that
 * changed ("Muon (Jordan et al. 2024, KellerJordan/Muon): mom = 0.95, nest = 1"),
 * null when none did.
 */
export function switchOptimizer(spec: ExperimentSpec, kind: OptimizerKind): { spec: ExperimentSpec; note: string | null } {
  const { optimizer, changed } = withSourceDefaults(spec.optimizer, kind);
  const note = changed.length > 0 ? `${OPTIMIZER_SOURCES[kind].source}: ${changed.join(', ')}` : null;
  return { spec: { ...structuredClone(spec), optimizer }, note };
}
