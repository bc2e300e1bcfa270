// The experiment's settings: a control for every field of the spec, grouped
// as the field table groups them, each shown only where it matters for the
// current spec (κ only for the geometric spectrum, β₁ only for Adam, the pool
// seed only for a task pool…). The test distribution's overrides have a
// section of their own, collapsed while they all keep the training values.
// Everything else about a control comes from the field table. Above them, a
// picker loads one of the presets (a whole spec) in one click.
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { sameFieldValue } from '../store/fieldValues.ts';
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
  type FieldValue,
} from '../spec/index.ts';
import { FieldControl } from './FieldControl.tsx';

/**
 * Every field of the spec gets a control, in the field table's order, grouped
 * as the table groups them (the few Eval fields sit with Run).
 */
export const CONTROLLED_FIELDS: readonly string[] = FIELDS.map((f) => f.path);

/** Seeds are typed (or drawn anew), not slid: nearby seeds are unrelated. */
const SEED_FIELDS = new Set(['task.covariance.rotationSeed', 'task.poolSeed', 'train.dataSeed', 'train.initSeed']);

const COVARIANCE_LABELS = {
  isotropic: 'isotropic (Σ = I)',
  powerlaw: 'power law',
  geometric: 'geometric (κ)',
  ar1: 'AR(1) (ρ)',
  uniform: 'uniform (i.i.d., Σ = I)',
  custom: 'custom eigenvalues',
};

/** Readable names of enum options (the link keeps the short ones). */
const OPTION_LABELS: Record<string, Record<string, string>> = {
  'task.covariance.kind': COVARIANCE_LABELS,
  'task.prior.kind': { isotropic: 'isotropic N(0, τ²I)', whitened: 'whitened N(0, Σ⁻¹)' },
  'eval.test.covariance.kind': { same: 'same as training', ...COVARIANCE_LABELS },
  'eval.test.prior.kind': { same: 'same as training', isotropic: 'isotropic N(0, τ²I)', whitened: 'whitened N(0, Σ⁻¹)' },
  'eval.test.tasks': { fresh: 'fresh from the prior', pool: "the training pool's" },
  'task.response': { identity: 'linear', tanh: 'tanh', relu: 'ReLU', cubic: 'cubic' },
  'model.type': { lsa: 'linear self-attention', softmax: 'softmax attention' },
  'optimizer.kind': { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', lion: 'Lion', muon: 'Muon', polargrad: 'PolarGrad', soap: 'SOAP' },
  'optimizer.schedule': { constant: 'constant', cosine: 'cosine', 'warmup-cosine': 'warmup, then cosine', wsd: 'warmup–stable–decay' },
  'optimizer.polarScale': { nuclear: 'nuclear norm', muon: "Muon's √max(1, rows/cols)" },
};

/** Whether a field matters for the current spec (the others are hidden until they do). */
export function isRelevant(path: string, spec: ExperimentSpec): boolean {
  const cov = spec.task.covariance;
  const test = spec.eval.test;
  const pooled = spec.task.pool > 0;
  switch (path) {
    case 'model.heads':
      return true; // softmax heads, or linear-attention heads summed per layer
    case 'model.param':
    case 'model.layers':
      return spec.model.type !== 'softmax';
    case 'model.rank':
      return spec.model.type !== 'softmax' && spec.model.param === 'separate';
    case 'model.tied':
      return spec.model.type !== 'softmax' && spec.model.layers > 1;
    case 'model.initScale':
      return spec.model.init !== 'default'; // PyTorch's default init has no scale
    case 'task.covariance.alpha':
      return cov.kind === 'powerlaw';
    case 'task.covariance.kappa':
      return cov.kind === 'geometric';
    case 'task.covariance.rho':
      return cov.kind === 'ar1';
    case 'task.covariance.eigenvalues':
      return cov.kind === 'custom';
    case 'task.covariance.rotate':
      return rotatable(cov.kind); // rotating I changes nothing
    case 'task.covariance.rotationSeed':
      return rotatable(cov.kind) && cov.rotate;
    case 'task.prior.tau2':
      return spec.task.prior.kind === 'isotropic';
    case 'task.poolSeed':
    case 'task.poolSymmetric':
    case 'eval.test.tasks':
      return pooled;
    case 'eval.test.covariance.alpha':
      return test.covariance.kind === 'powerlaw';
    case 'eval.test.covariance.kappa':
      return test.covariance.kind === 'geometric';
    case 'eval.test.covariance.rho':
      return test.covariance.kind === 'ar1';
    case 'eval.test.covariance.eigenvalues':
      return test.covariance.kind === 'custom';
    case 'eval.test.covariance.rotate':
      return test.covariance.kind !== 'same' && rotatable(test.covariance.kind);
    case 'eval.test.prior.tau2':
      return test.prior.kind === 'isotropic' || (test.prior.kind === 'same' && spec.task.prior.kind === 'isotropic');
    case 'task.windowSize':
    case 'task.windowStride':
      return spec.task.tasks > 1 || spec.task.windowSize !== 0;
    case 'optimizer.momentum':
    case 'optimizer.nesterov':
      return ['sgd', 'muon', 'polargrad'].includes(spec.optimizer.kind);
    case 'optimizer.beta1':
    case 'optimizer.beta2':
      return ['adam', 'adamw', 'soap', 'lion'].includes(spec.optimizer.kind);
    case 'optimizer.eps':
      return ['adam', 'adamw', 'soap'].includes(spec.optimizer.kind);
    case 'optimizer.polarScale':
      return spec.optimizer.kind === 'polargrad';
    case 'optimizer.precondFreq':
      return spec.optimizer.kind === 'soap';
    case 'optimizer.warmup':
      return spec.optimizer.schedule === 'warmup-cosine' || spec.optimizer.schedule === 'wsd';
    case 'optimizer.decayFraction':
      return spec.optimizer.schedule === 'wsd';
    default:
      return true;
  }
}

/** Whether rotating Σ changes anything: not for Σ = I (isotropic), and uniform covariates are not rotated. */
function rotatable(kind: string): boolean {
  return kind !== 'isotropic' && kind !== 'uniform';
}

/** A nullable test override's training value (eval.test.noiseVar: task.noiseVar): shown while it holds null. */
function trainingValueOf(path: string, spec: ExperimentSpec): number | undefined {
  const v = path.startsWith('eval.test.') ? getPath(spec, path.replace(/^eval\.test\./, 'task.')) : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** An eigenvalue list must list d entries (or none): said beside the box instead of repaired. */
function listCheck(path: string, spec: ExperimentSpec): ((v: FieldValue) => string | null) | undefined {
  if (!path.endsWith('.eigenvalues')) return undefined;
  const d = spec.task.d;
  return (v) => (Array.isArray(v) && v.length !== 0 && v.length !== d ? `${v.length} eigenvalues listed; d = ${d} needs ${d} (or none, for 1, 2, …, d).` : null);
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

const TEST_SECTION = 'Test distribution';

/** The sidebar's sections: the field table's groups, Eval folded into Run, and the test distribution's overrides on their own. */
function sectionOf(f: FieldDef): string {
  if (f.path.startsWith('eval.test.')) return TEST_SECTION;
  return f.group === 'Eval' ? 'Run' : f.group;
}

/** Whether a field holds its default (the test overrides' "same as training"). */
function atDefault(f: FieldDef, spec: ExperimentSpec): boolean {
  return sameFieldValue(getPath(spec, f.path), f.default);
}

/**
 * One section of controls. The test distribution starts collapsed unless the
 * spec sets one of its fields; after that the section stays as the user left it.
 */
function Section({ name, startOpen, children }: { name: string; startOpen: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(startOpen);
  return (
    <details className="field-group" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-section={name}>
      <summary>{name}</summary>
      {children}
    </details>
  );
}

function fieldsOf(paths: readonly string[]): FieldDef[] {
  return paths.map((p) => {
    const f = FIELD_BY_PATH.get(p);
    if (!f) throw new Error(`no spec field ${p}`);
    return f;
  });
}

/** Beyond this many changed fields the spec is no longer shown as an edited preset. */
const MAX_EDITS = 4;

/** Labels of the fields where two specs differ. */
function differences(a: ExperimentSpec, b: ExperimentSpec): string[] {
  return FIELDS.filter((f) => !sameFieldValue(getPath(a, f.path), getPath(b, f.path))).map((f) => f.label);
}

const HINT_KEY = 'icl-lab:first-run-done';

/** One line for a first visit, until the first run starts (remembered in this browser). */
function FirstVisitHint() {
  const started = useLab((s) => s.step > 0 || s.status === 'running');
  const [seen] = useState(() => {
    try {
      return globalThis.localStorage?.getItem(HINT_KEY) === '1';
    } catch {
      return false;
    }
  });
  useEffect(() => {
    if (!started || seen) return;
    try {
      globalThis.localStorage?.setItem(HINT_KEY, '1');
    } catch {
      // Storage may be off; the hint then shows again next time.
    }
  }, [started, seen]);
  if (seen || started) return null;
  return (
    <p className="first-visit-hint" data-testid="first-visit-hint">
      Pick a preset and press <strong>Train</strong> (or Space).
    </p>
  );
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
      <FirstVisitHint />
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
  const shown = fieldsOf(CONTROLLED_FIELDS).filter((f) => isRelevant(f.path, spec));
  const sections = new Map<string, FieldDef[]>();
  for (const f of shown) sections.set(sectionOf(f), [...(sections.get(sectionOf(f)) ?? []), f]);
  const initOptions = unavailableInits(spec);

  return (
    <div className="spec-controls">
      <PresetPicker spec={spec} />
      {[...sections].map(([section, fields]) => (
        <Section key={section} name={section} startOpen={section !== TEST_SECTION || !fields.every((f) => atDefault(f, spec))}>
          {fields.map((f) => (
            <FieldControl
              key={f.path}
              field={f}
              value={getPath(spec, f.path)}
              onCommit={(v) => setSpecField(f.path, v)}
              sameValue={trainingValueOf(f.path, spec)}
              check={listCheck(f.path, spec)}
              disabledOptions={f.path === 'model.init' ? initOptions : undefined}
              optionLabels={OPTION_LABELS[f.path]}
              seed={SEED_FIELDS.has(f.path)}
            />
          ))}
        </Section>
      ))}
    </div>
  );
}
