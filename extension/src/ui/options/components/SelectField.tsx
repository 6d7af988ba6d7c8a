import type { JSX } from 'preact';
import { useId } from 'preact/hooks';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps {
  label: string;
  value: string;
  options: readonly SelectOption[];
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  disabled?: boolean;
  name?: string;
}

/** A labelled <select>, laid out like the shared TextField (same classes). */
export function SelectField({ label, value, options, onValue, error, hint, disabled, name }: SelectFieldProps): JSX.Element {
  const id = `s${useId()}`;
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <div class="field__top">
        <label class="field__label" for={id}>
          {label}
        </label>
      </div>
      <div class="field__box">
        <select
          id={id}
          name={name}
          class="field__input field__select"
          value={value}
          disabled={disabled}
          onChange={(e) => onValue(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <p id={`${id}-error`} class="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={`${id}-hint`} class="field__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
