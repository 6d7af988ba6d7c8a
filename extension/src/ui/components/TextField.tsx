import type { ComponentChildren, InputHTMLAttributes, JSX, Ref } from 'preact';
import { useId } from 'preact/hooks';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'label' | 'prefix' | 'onInput'> {
  /** The visible <label>; every field has one. */
  label: string;
  value: string;
  /** Called with the new text on every keystroke. */
  onValue: (value: string) => void;
  /** Shown under the field, linked with aria-describedby, announced (role=alert); sets aria-invalid. */
  error?: string | null | undefined;
  /** Help under the field (format, limits), also linked with aria-describedby. */
  hint?: ComponentChildren;
  /** Right of the label, e.g. a character counter "12/140". */
  aside?: ComponentChildren;
  /** Inside the box before the text, e.g. a currency symbol. */
  prefix?: ComponentChildren;
  /** To focus the input from outside (e.g. the first field of a form, or the field with an error). */
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled text input with its hint and its error right next to it. */
export function TextField({
  label,
  value,
  onValue,
  error,
  hint,
  aside,
  prefix,
  inputRef,
  id,
  class: className,
  type = 'text',
  ...rest
}: TextFieldProps): JSX.Element {
  const autoId = useId();
  const inputId = (typeof id === 'string' && id) || `f${autoId}`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={['field', error ? 'field--invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <div class="field__top">
        <label class="field__label" for={inputId}>
          {label}
        </label>
        {aside ? <span class="field__aside">{aside}</span> : null}
      </div>
      <div class="field__box">
        {prefix ? (
          <span class="field__prefix" aria-hidden="true">
            {prefix}
          </span>
        ) : null}
        <input
          {...rest}
          ref={inputRef}
          id={inputId}
          type={type}
          class="field__input"
          value={value}
          onInput={(e) => onValue(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      </div>
      {error ? (
        <p id={errorId} class="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} class="field__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
