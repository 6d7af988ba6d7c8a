import type { JSX } from 'preact';
import { formatMoney, formatSignedMoney } from '../format.js';

export interface MoneyProps {
  /** Integer minor units (cents). */
  minor: number;
  /** ISO 4217; default USD. */
  currency?: string;
  /** Show "+" / "−" and colour incoming money green (outgoing stays neutral). */
  signed?: boolean;
  /** Large, for a balance. */
  size?: 'md' | 'lg' | 'xl';
  /** Tooltip (e.g. "Balance after: $40.00"). */
  title?: string;
  class?: string;
}

/** An amount of money, formatted with Intl.NumberFormat from exact minor units, tabular digits. */
export function Money({ minor, currency = 'USD', signed = false, size = 'md', title, class: className }: MoneyProps): JSX.Element {
  const text = signed ? formatSignedMoney(minor, currency) : formatMoney(minor, currency);
  const tone = signed ? (minor > 0 ? 'money--in' : 'money--out') : '';
  return (
    <span class={['money', `money--${size}`, tone, className ?? ''].filter(Boolean).join(' ')} title={title}>
      {text}
    </span>
  );
}
