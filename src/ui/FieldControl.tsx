// A control generated from one row of the spec's field table: a slider plus
// an exact-entry box for numbers, a select for enums, a checkbox for booleans.
// Edits commit on release / Enter / blur (not on every slider tick), because a
// committed change rebuilds the trainer.
import { useEffect, useId, useState } from 'react';
import { checkField, describeRange, type FieldDef, type NumberField } from '../spec/index.ts';
import { fromSlider, sliderBounds, toSlider } from './sliderScale.ts';

interface Props {
  field: FieldDef;
  value: unknown;
  /** Applies a valid value; returns false if it was declined (the control then reverts). */
  onCommit: (value: number | string | boolean) => boolean;
  /** Enum options that cannot be chosen now, each with the reason (shown as the option's tooltip). */
  disabledOptions?: ReadonlyMap<string, string>;
  /** Enum options' readable names (the value stays the option itself). */
  optionLabels?: Readonly<Record<string, string>>;
  /** A seed: a typed box and a button that draws a fresh one, no slider. */
  seed?: boolean;
}

export function FieldControl({ field, value, onCommit, disabledOptions, optionLabels, seed }: Props) {
  const id = useId();
  let control;
  switch (field.kind) {
    case 'int':
    case 'float':
      control = <NumberControl id={id} field={field} value={value as number} onCommit={onCommit} seed={seed} />;
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

function NumberControl({ id, field, value, onCommit, seed }: { id: string; field: NumberField; value: number; onCommit: Props['onCommit']; seed?: boolean }) {
  const [text, setText] = useState(String(value));
  const [dragPos, setDragPos] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Follow the spec when it changes elsewhere (or when a change was declined).
  useEffect(() => {
    setText(String(value));
    setError(null);
  }, [value]);

  const commit = (v: number) => {
    if (v === value || !onCommit(v)) setText(String(value));
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
        <input
          id={id}
          type="text"
          inputMode="decimal"
          spellCheck={false}
          className={error ? 'number-input invalid' : 'number-input'}
          value={text}
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => setText(e.target.value)}
          onBlur={commitText}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commitText();
            else if (e.key === 'Escape') {
              setText(String(value));
              setError(null);
            }
          }}
        />
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
