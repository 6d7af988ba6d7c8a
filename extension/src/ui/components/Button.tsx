import type { ButtonHTMLAttributes, ComponentChildren, JSX } from 'preact';
import { t } from '../../shared/i18n.js';
import { formatNumber } from '../format.js';
import { Spinner } from './Spinner.js';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'size' | 'loading'> {
  /** primary: the one main action of a screen; danger: destructive; ghost: low emphasis. */
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
  /** Full width. */
  block?: boolean;
  /** Shows a spinner, disables the button and sets aria-busy; `loadingText` replaces the label. */
  loading?: boolean;
  loadingText?: string;
  children?: ComponentChildren;
}

/** A real <button> (type="button" unless told otherwise, so it never submits a form by accident). */
export function Button({
  variant = 'secondary',
  size = 'md',
  block = false,
  loading = false,
  loadingText,
  type = 'button',
  disabled,
  class: className,
  children,
  ...rest
}: ButtonProps): JSX.Element {
  const classes = ['btn', `btn--${variant}`, size === 'sm' ? 'btn--sm' : '', block ? 'btn--block' : '', className ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <button {...rest} type={type} class={classes} disabled={Boolean(disabled) || loading} aria-busy={loading || undefined}>
      {loading ? <Spinner /> : null}
      {loading && loadingText ? loadingText : children}
    </button>
  );
}

export interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'label'> {
  /** The accessible name, also shown as a tooltip. */
  label: string;
  /** A small count shown on the button (e.g. unread notifications), and said in its name; 0 hides it. */
  badge?: number;
  /** The icon. */
  children?: ComponentChildren;
}

/** A square icon-only button; `label` names it for screen readers and as its tooltip. */
export function IconButton({ label, badge, class: className, children, type = 'button', ...rest }: IconButtonProps): JSX.Element {
  const count = badge ? (badge > 99 ? `${formatNumber(99)}+` : formatNumber(badge)) : '';
  // The count people see is part of the name ("Notifications, 3 new"), so speech input can say it.
  const name = count ? t('icon_button_with_count', label, count) : label;
  return (
    <button {...rest} type={type} class={className ? `icon-btn ${className}` : 'icon-btn'} aria-label={name} title={label}>
      {children}
      {count ? (
        <span class="badge" aria-hidden="true">
          {count}
        </span>
      ) : null}
    </button>
  );
}
