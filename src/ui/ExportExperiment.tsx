// "Export experiment (JSON)": the spec, link, adapter, parameters, loss
// history and whatever results the run has so far in one file
// (src/export/experiment.ts documents the fields).
import { buildExperimentExport, experimentJson } from '../export/experiment.ts';
import { encodeSpec } from '../spec/index.ts';
import { addNotice, useLab } from '../store/labStore.ts';
import { modelMatrices } from '../store/runController.ts';
import { downloadText } from './download.ts';

export const EXPERIMENT_FILE = 'icl-lab_experiment.json';

function exportExperiment(): void {
  const s = useLab.getState();
  if (!s.params) return;
  const model = modelMatrices(s.params);
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
    steps: s.step,
    params: s.params,
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
      onClick={exportExperiment}
      title="Download the spec, link, parameters, loss history and results in one JSON file"
    >
      Export experiment (JSON)
    </button>
  );
}
