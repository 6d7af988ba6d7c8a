import { canonicalJson } from '../canonical-json.js';
import { hexEncode } from '../encoding.js';
import type { PaymentRow } from './payment-file.js';

/*
 * The digest of a payment run: the relay keeps it with the run (run.start) so the same payments
 * uploaded again are recognised before they are paid twice. It covers what moves money and what
 * the payee sees: each valid row's account, amount (minor units) and memo, in file order. Name and
 * reference are the payer's own notes and move nothing, so they do not count; neither does
 * anything about how the file was written (separator, quoting, byte order mark, header, decimal
 * comma, line ends, blank lines), which parsePaymentFile has already read away.
 */

/** Names this canonical form, so a later form can never produce the same digest for other rows. */
const FORM = 'bank-payment-run/1';

/** Lowercase hex SHA-256 of the valid rows (no problems; duplicates are valid), by WebCrypto. */
export async function runDigest(rows: readonly PaymentRow[]): Promise<string> {
  const payments = rows
    .filter((row) => row.problems.length === 0 && row.amount !== null)
    .map((row) => [row.account, row.amount, row.memo ?? '']);
  // TextEncoder directly: WebCrypto's types want a view over an ArrayBuffer, which it gives.
  const bytes = new TextEncoder().encode(canonicalJson([FORM, payments]));
  return hexEncode(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes)));
}
