// A training step's sampling, forward and backward pass is one dispatch over
// the batch's prompts. At the largest shapes the field table allows (d = 64,
// 16 heads, n = 1024, a batch of 65,536) that is hundreds of GFLOPs: seconds
// on a laptop GPU, past the driver's watchdog (about 2 s on Windows), which
// resets the device. Such a step runs as several dispatches over consecutive
// workgroups instead, each told its first prompt (StepInfo.prompt_base).
// Every prompt's row is computed as before, so no number changes.
import { trainWorkPerPrompt } from './cost.ts';
import type { ExperimentSpec } from '../spec/types.ts';

/**
 * The work one training dispatch may carry, in FLOPs: about 0.2 s on a GPU
 * that runs these kernels at 20 GFLOP/s, ten times inside the watchdog. Every
 * preset and benchmark configuration stays in one dispatch.
 */
export const TRAIN_DISPATCH_FLOPS = 4e9;

/** StepInfo.prompt_base's word in a step slot (shaders/common.wgsl: the struct's eighth u32). */
export const PROMPT_BASE_WORD = 7;

export interface DispatchParts {
  /** Dispatches a step's training kernel is split into. */
  parts: number;
  /** Workgroups of each (the last may have fewer). */
  groupsPerPart: number;
}

/** How `workgroups` workgroups of `runs` runs' prompts split so no dispatch carries over TRAIN_DISPATCH_FLOPS (or `parts`, where given). */
export function trainDispatchParts(spec: ExperimentSpec, workgroups: number, runs = 1, parts?: number): DispatchParts {
  const want = parts ?? Math.ceil((runs * spec.train.batch * trainWorkPerPrompt(spec)) / TRAIN_DISPATCH_FLOPS);
  const groupsPerPart = Math.ceil(workgroups / Math.max(1, Math.min(workgroups, Math.floor(want))));
  return { parts: Math.ceil(workgroups / groupsPerPart), groupsPerPart };
}

/** Step slots a submission may hold across its parts: a split step's submissions take fewer steps so the slots stay a few MiB. */
export const MAX_STEP_SLOTS = 4096;

/**
 * The training work one submission may carry, in FLOPs: about a second on a
 * GPU that runs these kernels at 20 GFLOP/s. A submission is one readback, so
 * this bounds how long the curve waits and a pause takes. It is a count from
 * the spec, not a measured time: where submissions end decides which step a
 * diverged run's last finite parameters come from, and that must not vary
 * from one machine to the next. Every preset keeps its requested steps.
 */
export const SUBMISSION_FLOPS = 2e10;

/**
 * Steps a submission of one run may take: `requested`, at most as many as
 * SUBMISSION_FLOPS holds (at least 1), and few enough that a split step's
 * slots fit MAX_STEP_SLOTS. A batch of runs uses one run's figure, so each
 * run's submissions end where its solo run's do.
 */
export function stepsPerSubmission(spec: ExperimentSpec, requested: number, parts: number): number {
  const byWork = Math.floor(SUBMISSION_FLOPS / (spec.train.batch * trainWorkPerPrompt(spec)));
  return Math.max(1, Math.min(Math.floor(requested), 1024, byWork, Math.floor(MAX_STEP_SLOTS / parts)));
}
