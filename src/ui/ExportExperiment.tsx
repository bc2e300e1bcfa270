// "Export experiment (JSON)": the spec, link, adapter, parameters, loss
// history and whatever results the run has so far in one file
// (src/export/experiment.ts documents the fields).
import { buildExperimentExport, experimentJson } from '../export/experiment.ts';
import { encodeSpec } from '../spec/index.ts';
import { addNotice, useLab } from '../store/labStore.ts';
import { modelMatrices, resumableSnapshot, showTimelineStep } from '../store/runController.ts';
import type { Timeline } from '../orchestration/timeline.ts';
import { downloadText } from './download.ts';

export const EXPERIMENT_FILE = 'icl-lab_experiment.json';

/** The kept snapshots up to the exported step (readbacks may run ahead of the step shown while training). */
function timelineUpTo(timeline: Timeline | null, step: number) {
  if (!timeline) return null;
  const json = timeline.toJson();
  const n = json.step.filter((s) => s <= step).length;
  return { step: json.step.slice(0, n), params: json.params.slice(0, n) };
}

async function exportExperiment(): Promise<void> {
  // The exact step, parameters and optimizer state that resume the run (where the run is steady).
  let snap = null;
  try {
    snap = await resumableSnapshot();
  } catch {
    snap = null;
  }
  // The file holds the run as it stands: the views go back to the latest weights first.
  if (useLab.getState().viewStep !== null) showTimelineStep(null);
  const s = useLab.getState();
  if (!s.params) return;
  const params = snap && snap.params.length === s.params.length ? snap.params : s.params;
  const model = modelMatrices(params);
  if (!model) {
    addNotice({ tone: 'warning', title: 'Could not export the experiment', items: ['the parameters do not match the current model'] });
    return;
  }
  const names = new Set(model.matrices.map((m) => m.name));
  const shown = (s.matrices ?? []).filter((m) => !names.has(m.name));
  const history = s.history.points();
  const om = s.omegaMu.points();
  const doc = buildExperimentExport({
    spec: s.spec,
    share: encodeSpec(s.spec),
    shareUrl: window.location.href,
    adapter: s.gpu.kind === 'ready' ? s.gpu.description : s.gpu.kind,
    status: s.status,
    steps: snap && params === snap.params ? snap.step : s.step,
    params,
    optimizerState: snap && params === snap.params ? snap.optState : null,
    layout: model.layout,
    matrices: [...model.matrices, ...shown],
    lossHistory: { step: history.x, loss: history.y },
    theory: s.theory,
    theoryByOutput: s.theoryByOutput,
    lsa: s.lsa,
    test: s.evaluation,
    identification: s.identification,
    outputs: s.outputs,
    lengthCurves: s.lengthCurves,
    shift: s.shift,
    shiftLengthCurves: s.shiftLengthCurves,
    trainSet: s.trainSet,
    timeline: timelineUpTo(s.timeline, snap && params === snap.params ? snap.step : s.step),
    softmax: s.softmax
      ? {
          ...s.softmax,
          trajectory: { step: Array.from(om.step), omega: om.omega.map((a) => Array.from(a)), mu: om.mu.map((a) => Array.from(a)) },
          reduced: s.reduced,
        }
      : null,
  });
  downloadText(experimentJson(doc), EXPERIMENT_FILE, 'application/json');
}

export function ExportExperiment() {
  const ready = useLab((s) => s.params !== null);
  return (
    <button
      type="button"
      className="btn export-experiment"
      data-action="export-experiment"
      disabled={!ready}
      onClick={() => void exportExperiment()}
      title="Download the spec, link, parameters, loss history and results in one JSON file"
    >
      Export experiment (JSON)
    </button>
  );
}
