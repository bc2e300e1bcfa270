// "Import experiment…": reads a file written by "Export experiment (JSON)",
// checks it (src/export/importExperiment.ts: the file is untrusted, and its
// text only ever reaches the page as plain text in notices) and continues its
// run paused at the exported step. On any problem a notice names it and the
// current experiment stays as it is.
import { useRef } from 'react';
import { checkImportSize, parseExperimentImport } from '../export/importExperiment.ts';
import { addNotice, useLab } from '../store/labStore.ts';
import { importExperimentRun } from '../store/runController.ts';

const FAILED = 'Could not import the experiment';
const SPEC_ISSUES = "Some settings in the imported experiment's spec could not be used; their defaults apply.";

async function importFile(file: File): Promise<void> {
  const tooBig = checkImportSize(file.size);
  if (tooBig) {
    addNotice({ tone: 'error', title: FAILED, items: [`${file.name}: ${tooBig}`] });
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    addNotice({ tone: 'error', title: FAILED, items: [`${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`] });
    return;
  }
  const r = parseExperimentImport(text);
  if (!r.ok) {
    addNotice({ tone: 'error', title: FAILED, items: r.errors.slice(0, 20) });
    return;
  }
  if (!(await importExperimentRun(r.experiment))) return;
  if (r.experiment.specIssues.length > 0) {
    addNotice({ tone: 'warning', title: SPEC_ISSUES, items: r.experiment.specIssues.map((i) => i.message) });
  }
}

export function ImportExperiment() {
  const ready = useLab((s) => s.gpu.kind === 'ready');
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="btn import-experiment"
        data-action="import-experiment"
        disabled={!ready}
        onClick={() => input.current?.click()}
        title="Continue an experiment from a file written by Export experiment (JSON)"
      >
        Import experiment…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-experiment-file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ''; // the same file can be chosen again
          if (file) void importFile(file);
        }}
      />
    </>
  );
}
