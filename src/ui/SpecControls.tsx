// The experiment's settings. Which fields get a control is a list of spec
// paths; everything else about a control comes from the field table, so adding
// a control for any other field is one more path here.
import { useLab } from '../store/labStore.ts';
import { setSpecField } from '../store/runController.ts';
import { FIELD_BY_PATH, FIELDS, getPath, type FieldDef, type FieldGroup } from '../spec/index.ts';
import { FieldControl } from './FieldControl.tsx';

export const CONTROLLED_FIELDS = ['task.d', 'task.n', 'task.noiseVar', 'optimizer.lr', 'train.steps'] as const;

/** Settings without a control yet that are still worth seeing next to the controls. */
const ALWAYS_LISTED = ['model.type', 'optimizer.kind', 'train.batch', 'task.prior.tau2'];

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

export function SpecControls() {
  const spec = useLab((s) => s.spec);
  const controlled = fieldsOf(CONTROLLED_FIELDS);
  const groups = new Map<FieldGroup, FieldDef[]>();
  for (const f of controlled) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);

  const others = FIELDS.filter(
    (f) =>
      !controlled.includes(f) && (ALWAYS_LISTED.includes(f.path) || getPath(spec, f.path) !== f.default),
  );

  return (
    <div className="spec-controls">
      {[...groups].map(([group, fields]) => (
        <fieldset key={group} className="field-group">
          <legend>{group}</legend>
          {fields.map((f) => (
            <FieldControl key={f.path} field={f} value={getPath(spec, f.path)} onCommit={(v) => setSpecField(f.path, v)} />
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
