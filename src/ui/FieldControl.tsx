// A control generated from one row of the spec's field table: a slider plus
// an exact-entry box for numbers, a select for enums, a checkbox for booleans,
// a text box of comma-separated numbers for lists. A nullable number (a test
// override) has a "same as training" box beside it: ticked, the field holds
// null and the training value applies. Edits commit on release / Enter / blur
// (not on every slider tick), because a committed change rebuilds the trainer.
import { useEffect, useId, useState } from 'react';
import { checkField, describeRange, parseValue, type FieldDef, type FieldValue, type ListField, type NumberField } from '../spec/index.ts';
import { fromSlider, sliderBounds, toSlider } from './sliderScale.ts';

interface Props {
  field: FieldDef;
  value: unknown;
  /** Applies a valid value; returns false if it was declined (the control then reverts). */
  /** Applies the value; false (or a promise of it) when it was declined, and the control shows the old value again. */
  onCommit: (value: FieldValue) => boolean | Promise<boolean>;
  /** A nullable field's training value: shown while the field is null, and the value it takes when "same as training" is unticked. */
  sameValue?: number;
  /** A rule between fields (e.g. a list's length against d): a message where the value breaks it, else null. */
  check?: (value: FieldValue) => string | null;
  /** Enum options that cannot be chosen now, each with the reason (shown as the option's tooltip). */
  disabledOptions?: ReadonlyMap<string, string>;
  /** Enum options' readable names (the value stays the option itself). */
  optionLabels?: Readonly<Record<string, string>>;
  /** A seed: a typed box and a button that draws a fresh one, no slider. */
  seed?: boolean;
}

export function FieldControl({ field, value, onCommit, sameValue, check, disabledOptions, optionLabels, seed }: Props) {
  const id = useId();
  let control;
  switch (field.kind) {
    case 'int':
    case 'float':
      control = field.nullable ? (
        <NullableNumberControl id={id} field={field} value={value as number | null} onCommit={onCommit} sameValue={sameValue} />
      ) : (
        <NumberControl id={id} field={field} value={value as number} onCommit={onCommit} seed={seed} />
      );
      break;
    case 'list':
      control = <ListControl id={id} field={field} value={value as number[]} onCommit={onCommit} check={check} />;
      break;
    case 'enum':
      control = (
        <select id={id} className="select" value={String(value)} onChange={(e) => onCommit(e.target.value)}>
          {field.options.map((o) => {
            const why = disabledOptions?.get(o);
            const name = optionLabels?.[o] ?? o;
            return (
              <option key={o} value={o} disabled={why !== undefined} title={why}>
                {why !== undefined ? `${name} (${why})` : name}
              </option>
            );
          })}
        </select>
      );
      break;
    case 'bool':
      control = <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onCommit(e.target.checked)} />;
      break;
  }
  return (
    <div className="field" data-field={field.path}>
      <label htmlFor={id} className="field-label" title={field.help}>
        {field.label}
      </label>
      {control}
      <p className="field-help">{field.help}</p>
    </div>
  );
}

interface NumberProps {
  id: string;
  field: NumberField;
  value: number;
  onCommit: Props['onCommit'];
  seed?: boolean;
  /** Shown greyed and not editable (a nullable field holding null shows the training value so). */
  disabled?: boolean;
}

function NumberControl({ id, field, value, onCommit, seed, disabled }: NumberProps) {
  const [text, setText] = useState(String(value));
  const [dragPos, setDragPos] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Follow the spec when it changes elsewhere (or when a change was declined).
  useEffect(() => {
    setText(String(value));
    setError(null);
  }, [value]);

  const commit = (v: number) => {
    if (v === value) {
      setText(String(value));
      return;
    }
    // A declined change (the confirmation) puts the box back.
    void Promise.resolve(onCommit(v)).then((ok) => {
      if (!ok) setText(String(value));
    });
  };

  const commitText = () => {
    const t = text.trim();
    const parsed = t === '' ? NaN : Number(t);
    const r = checkField(field, parsed);
    if (!r.ok) {
      setError(`Expected ${describeRange(field)}.`);
      return;
    }
    setError(null);
    commit(r.value as number);
  };

  const endDrag = () => {
    if (dragPos === null) return;
    const v = fromSlider(field, dragPos);
    setDragPos(null);
    commit(v);
  };

  const bounds = sliderBounds(field);
  const errorId = `${id}-error`;
  return (
    <div className="number-control">
      <div className="number-row">
        {seed ? (
          <button
            type="button"
            className="btn small seed-button"
            title="Draw a new random seed"
            aria-label={`new random ${field.label}`}
            onClick={() => {
              const [r] = crypto.getRandomValues(new Uint32Array(1));
              const v = Math.min(field.max, Math.max(field.min, r));
              setText(String(v));
              commit(v);
            }}
          >
            new
          </button>
        ) : (
        <input
          type="range"
          className="slider"
          aria-label={`${field.label} slider`}
          disabled={disabled}
          min={bounds.min}
          max={bounds.max}
          step={bounds.step}
          value={dragPos ?? toSlider(field, value)}
          onChange={(e) => {
            const pos = Number(e.target.value);
            setDragPos(pos);
            setText(String(fromSlider(field, pos)));
          }}
          onPointerUp={endDrag}
          onKeyUp={endDrag}
          onBlur={endDrag}
        />
        )}
        <EntryBox id={id} className="number-input" text={text} error={error} disabled={disabled} onText={setText} onCommit={commitText} onEscape={() => {
          setText(String(value));
          setError(null);
        }} />
        {field.unit ? <span className="unit">{field.unit}</span> : null}
      </div>
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A nullable number (a test override): "same as training" ticked holds null
 * and shows the training value greyed; unticked, the field takes the training
 * value to start from and the number control edits it.
 */
function NullableNumberControl({ id, field, value, onCommit, sameValue }: { id: string; field: NumberField; value: number | null; onCommit: Props['onCommit']; sameValue?: number }) {
  const same = value === null;
  const start = sameValue ?? (typeof field.default === 'number' ? field.default : field.min);
  return (
    <div className="nullable-control">
      <label className="same-toggle">
        <input type="checkbox" checked={same} aria-label={`${field.label}: same as training`} onChange={(e) => onCommit(e.target.checked ? null : start)} />
        same as training
      </label>
      <NumberControl id={id} field={field} value={same ? start : value} onCommit={onCommit} disabled={same} />
    </div>
  );
}

/**
 * checkField's message for a list, as the box says it: the bad entry and the
 * expected form ('Entry 2 ("x") is not a number. Expected …'), without the
 * field's path and the whole list (the box shows both).
 */
function listMessage(message: string): string {
  const m = /^\S+ = .*? (?:has entry (\d+) \((.*)\), which is (.*)|has (\d+ entries)|(is not a list)): expected (.*)$/s.exec(message);
  if (!m) return message;
  const [, entry, shown, why, count, notList, expected] = m;
  const what = entry ? `Entry ${entry} (${shown}) is ${why}` : count ? `The list has ${count}` : `The value ${notList}`;
  return `${what}. Expected ${expected}.`;
}

/** "1, 2, 3, 4" from a list; the empty list (the default) as an empty box. */
function listText(value: readonly number[]): string {
  return value.join(', ');
}

/**
 * A list of numbers typed comma-separated ("1, 2, 3, 4"), committed on Enter
 * or blur, checked as a link's value is (checkField) and by the caller's rule
 * between fields; an empty box is the default (the empty list).
 */
function ListControl({ id, field, value, onCommit, check }: { id: string; field: ListField; value: number[]; onCommit: Props['onCommit']; check?: Props['check'] }) {
  const [text, setText] = useState(listText(value));
  const [error, setError] = useState<string | null>(null);
  const shown = listText(value);

  useEffect(() => {
    setText(shown);
    setError(null);
  }, [shown]);

  const commitText = () => {
    // Read as a link's value is, each entry trimmed ("1, 2" is "1,2").
    const r = checkField(field, parseValue(field, text.split(',').map((t) => t.trim()).join(',')));
    const message = r.ok ? check?.(r.value) ?? null : listMessage(r.message);
    if (!r.ok || message !== null) {
      setError(message);
      return;
    }
    setError(null);
    const next = r.value as number[];
    if (listText(next) === shown) {
      setText(shown);
      return;
    }
    setText(listText(next));
    void Promise.resolve(onCommit(next)).then((ok) => {
      if (!ok) setText(shown);
    });
  };

  const errorId = `${id}-error`;
  return (
    <div className="number-control">
      <EntryBox id={id} className="list-input" placeholder="1, 2, …, d" text={text} error={error} onText={setText} onCommit={commitText} onEscape={() => {
        setText(shown);
        setError(null);
      }} />
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The exact-entry text box of a number or a list: commits on Enter and blur, reverts on Escape, names its error. */
function EntryBox(props: {
  id: string;
  className: string;
  text: string;
  error: string | null;
  disabled?: boolean;
  placeholder?: string;
  onText: (t: string) => void;
  onCommit: () => void;
  onEscape: () => void;
}) {
  const { id, className, text, error, disabled, placeholder, onText, onCommit, onEscape } = props;
  return (
    <input
      id={id}
      type="text"
      inputMode="decimal"
      spellCheck={false}
      className={error ? `${className} invalid` : className}
      disabled={disabled}
      placeholder={placeholder}
      value={text}
      aria-invalid={error !== null}
      aria-describedby={error ? `${id}-error` : undefined}
      onChange={(e) => onText(e.target.value)}
      onBlur={onCommit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onCommit();
        else if (e.key === 'Escape') onEscape();
      }}
    />
  );
}
