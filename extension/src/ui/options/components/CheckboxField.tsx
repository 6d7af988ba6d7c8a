import type { JSX } from 'preact';
import { useId } from 'preact/hooks';

export interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  hint?: string | undefined;
  disabled?: boolean;
  /** Shown as an on/off switch (role=switch) rather than a tick box. */
  switch?: boolean;
}

/** A native checkbox with its label (the whole line is clickable, Space toggles it). */
export function CheckboxField({ label, checked, onChecked, hint, disabled, switch: asSwitch }: CheckboxFieldProps): JSX.Element {
  const id = `c${useId()}`;
  return (
    <div class="o-check">
      <input
        id={id}
        type="checkbox"
        class={asSwitch ? 'o-check__input o-switch' : 'o-check__input'}
        role={asSwitch ? 'switch' : undefined}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChecked(e.currentTarget.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label for={id} class="o-check__label">
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} class="field__hint o-check__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
