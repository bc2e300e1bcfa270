// He et al.'s paper run (their recipe, 500,000 steps) through the runner's own
// runExperiment, under a time budget: past it the run is stopped, and the
// steps it got through and their rate are kept instead of the evaluation.
import { RunCancelled, runExperiment } from '../orchestration/run.ts';
import { presetSpec, PRESETS } from '../spec/presets.ts';
import { encodeSpec } from '../spec/codec.ts';
import type { Estimate } from '../engine/stats.ts';

/** He et al. train for 500,000 steps. */
export const PAPER_STEPS = 500_000;

export interface PaperRunOptions {
  /** A preset of He et al.'s recipe (he-h1 … he-h8). */
  presetId: string;
  steps: number;
  /** Steps per GPU submission and readback (the runner's --chunk). */
  chunkSteps: number;
  /** Training stops once this many seconds have passed since the run started. */
  budgetSeconds: number;
  adapter: string;
  log?: (line: string) => void;
}

export interface PaperRunResult {
  presetId: string;
  share: string;
  chunkSteps: number;
  stepsPlanned: number;
  stepsDone: number;
  /** Whether the budget stopped training before stepsPlanned. */
  stopped: boolean;
  budgetSeconds: number;
  /** Training wall time (the runner's wallSeconds; for a stopped run, up to its last readback, setup included). */
  trainSeconds: number;
  stepsPerSecond: number;
  /** The end-of-run evaluation after training (test MSEs, reduced predictor, length curve); null when stopped. */
  evalSeconds: number | null;
  test: { prompts: number; nCtx: number; model: Estimate; oneStepGd: Estimate; oneStepEta: number; modelMinusGd?: Estimate } | null;
  identification: string | null;
}

export async function paperRun(device: GPUDevice, o: PaperRunOptions): Promise<PaperRunResult> {
  const preset = PRESETS.find((p) => p.id === o.presetId);
  if (!preset) throw new Error(`no preset ${o.presetId}`);
  const base = presetSpec(preset);
  const spec = { ...base, train: { ...base.train, steps: o.steps } };
  const start = performance.now();
  const deadline = start + o.budgetSeconds * 1000;
  let last = { step: 0, at: start };
  let lastLog = start;
  const common = { presetId: o.presetId, share: encodeSpec(spec), chunkSteps: o.chunkSteps, stepsPlanned: o.steps, budgetSeconds: o.budgetSeconds };
  try {
    const r = await runExperiment(device, spec, {
      adapter: o.adapter,
      chunkSteps: o.chunkSteps,
      shouldStop: () => performance.now() > deadline,
      onProgress: (rb) => {
        last = { step: rb.step, at: performance.now() };
        if (last.at - lastLog < 5000) return;
        lastLog = last.at;
        o.log?.(`  step ${rb.step}/${o.steps}, ${(rb.step / ((last.at - start) / 1000)).toFixed(0)} steps/s`);
      },
    });
    return {
      ...common,
      stepsDone: r.steps,
      stopped: false,
      trainSeconds: r.wallSeconds,
      stepsPerSecond: r.stepsPerSecond,
      evalSeconds: (performance.now() - start) / 1000 - r.wallSeconds,
      test: { prompts: r.test.prompts, nCtx: r.test.nCtx, model: r.test.model, oneStepGd: r.test.oneStepGd, oneStepEta: r.test.oneStepEta, modelMinusGd: r.test.modelMinusGd },
      identification: r.identification.label,
    };
  } catch (e) {
    if (!(e instanceof RunCancelled)) throw e;
    const seconds = (last.at - start) / 1000;
    return {
      ...common,
      stepsDone: last.step,
      stopped: true,
      trainSeconds: seconds,
      stepsPerSecond: seconds > 0 ? last.step / seconds : 0,
      evalSeconds: null,
      test: null,
      identification: null,
    };
  }
}
