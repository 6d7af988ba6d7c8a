import type { JSX } from 'preact';
import { t } from '../../shared/i18n.js';
import { currencySymbol } from '../format.js';
import { TextField, type TextFieldProps } from './TextField.js';

export interface AmountFieldProps extends Omit<TextFieldProps, 'prefix' | 'inputMode' | 'type'> {
  /** ISO 4217 code; its symbol is shown in front of the amount. Default USD. */
  currency?: string;
}

/**
 * A money input: text (never type=number, which rounds and drops what people type), decimal
 * keyboard, the currency symbol in front. Parse what it holds with parseAmountInput (format.ts),
 * which gives integer minor units or the message to pass back as `error`.
 */
export function AmountField({ currency = 'USD', placeholder, ...rest }: AmountFieldProps): JSX.Element {
  return (
    <TextField
      {...rest}
      type="text"
      inputMode="decimal"
      autoComplete="off"
      spellcheck={false}
      placeholder={placeholder ?? t('amount_placeholder')}
      prefix={currencySymbol(currency)}
      class="field--amount"
    />
  );
}
