// The experiment's settings. Which fields get a control is a list of spec
// paths; everything else about a control comes from the field table, so adding
// a control for any other field is one more path here. Above them, a picker
// loads one of the presets (a whole spec) in one click.
import { useId, useMemo } from 'react';
import { useLab } from '../store/labStore.ts';
import { loadPreset, matchingPresetId, setSpecField } from '../store/runController.ts';
import {
  FIELD_BY_PATH,
  FIELDS,
  getPath,
  PRESETS,
  presetSpec,
  type ExperimentSpec,
  type FieldDef,
  type FieldGroup,
} from '../spec/index.ts';
import { FieldControl } from './FieldControl.tsx';

export const CONTROLLED_FIELDS = [
  'model.type',
  'model.heads',
  'model.init',
  'model.initScale',
  'task.d',
  'task.n',
  'task.noiseVar',
  'optimizer.lr',
  'train.steps',
] as const;

/** Settings without a control yet that are still worth seeing next to the controls. */
const ALWAYS_LISTED = ['optimizer.kind', 'train.batch', 'task.prior.tau2'];

/** Whether a controlled field matters for the current spec (the others are hidden). */
function isRelevant(path: string, spec: ExperimentSpec): boolean {
  if (path === 'model.heads') return spec.model.type === 'softmax';
  // PyTorch's default init has no scale.
  if (path === 'model.initScale') return spec.model.init !== 'default';
  return true;
}

/** Init options the current model cannot use (repairCombinations' rules), with the reason. */
function unavailableInits(spec: ExperimentSpec): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (spec.model.type === 'lsa') {
    for (const o of ['default', 'small-identity', 'opposite-identity']) out.set(o, 'softmax only');
  } else if (spec.model.heads % 2 !== 0) {
    out.set('opposite-identity', 'needs even H');
  }
  return out;
}

function fieldsOf(paths: readonly string[]): FieldDef[] {
  return paths.map((p) => {
    const f = FIELD_BY_PATH.get(p);
    if (!f) throw new Error(`no spec field ${p}`);
    return f;
  });
}

function showValue(f: FieldDef, v: unknown): string {
  if (f.kind === 'bool') return v ? 'yes' : 'no';
  return String(v);
}

/** Beyond this many changed fields the spec is no longer shown as an edited preset. */
const MAX_EDITS = 4;

/** Labels of the fields where two specs differ. */
function differences(a: ExperimentSpec, b: ExperimentSpec): string[] {
  return FIELDS.filter((f) => getPath(a, f.path) !== getPath(b, f.path)).map((f) => f.label);
}

function PresetPicker({ spec }: { spec: ExperimentSpec }) {
  const id = useId();
  const loaded = useLab((s) => s.loadedPreset);
  const current = matchingPresetId(spec);
  const preset = PRESETS.find((p) => p.id === current);
  // A preset loaded here and then edited a little is still named, with what changed.
  const base = current === null ? PRESETS.find((p) => p.id === loaded) : undefined;
  const changed = useMemo(() => (base ? differences(presetSpec(base), spec) : []), [base, spec]);
  const edited = changed.length <= MAX_EDITS ? base : undefined;
  return (
    <div className="field preset-picker">
      <label htmlFor={id} className="field-label">
        Preset
      </label>
      <select id={id} className="select" data-testid="preset-picker" value={current ?? ''} onChange={(e) => loadPreset(e.target.value)}>
        <option value="" disabled>
          {edited ? `${edited.label} (edited)` : 'Custom settings'}
        </option>
        {PRESETS.map((p) => (
          <option key={p.id} value={p.id} title={p.description}>
            {p.label}
          </option>
        ))}
      </select>
      <p className="field-help">
        {preset
          ? preset.description
          : edited
            ? `${edited.description} Changed here: ${changed.join(', ')}.`
            : 'Loads a whole experiment; the controls below then adjust it.'}
      </p>
    </div>
  );
}

export function SpecControls() {
  const spec = useLab((s) => s.spec);
  const controlled = fieldsOf(CONTROLLED_FIELDS);
  const shown = controlled.filter((f) => isRelevant(f.path, spec));
  const groups = new Map<FieldGroup, FieldDef[]>();
  for (const f of shown) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);

  const others = FIELDS.filter(
    (f) => !shown.includes(f) && (ALWAYS_LISTED.includes(f.path) || getPath(spec, f.path) !== f.default),
  );
  const initOptions = unavailableInits(spec);

  return (
    <div className="spec-controls">
      <PresetPicker spec={spec} />
      {[...groups].map(([group, fields]) => (
        <fieldset key={group} className="field-group">
          <legend>{group}</legend>
          {fields.map((f) => (
            <FieldControl
              key={f.path}
              field={f}
              value={getPath(spec, f.path)}
              onCommit={(v) => setSpecField(f.path, v)}
              disabledOptions={f.path === 'model.init' ? initOptions : undefined}
            />
          ))}
        </fieldset>
      ))}
      <details className="other-settings">
        <summary>Other settings ({others.length})</summary>
        <dl>
          {others.map((f) => (
            <div key={f.path} className="kv" title={f.help}>
              <dt>{f.label}</dt>
              <dd>{showValue(f, getPath(spec, f.path))}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">Set through the link for now.</p>
      </details>
    </div>
  );
}
