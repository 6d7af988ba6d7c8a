/** What an amount typed into the old client reads as: minor units, or why not. */
export type LegacyAmount = { ok: true; minor: number } | { ok: false };

const AMOUNT_RE = /^[+-]?\d+(\.\d{1,2})?$/;
/** Larger amounts are refused as malformed, before any op sees them (the ops have their own limits). */
const MAX_MINOR = 1e15;

/**
 * Only plain decimals with up to 2 places (LEGACY-PROTOCOL §4): the old server read anything as
 * a C double, so "abc" was 0, "1e3" was 1000 and "nan" broke balances. Signed: the caller decides
 * what a sign means.
 */
export function readLegacyAmount(text: string): LegacyAmount {
  if (!AMOUNT_RE.test(text)) return { ok: false };
  const negative = text.startsWith('-');
  const [whole, frac = ''] = text.replace(/^[+-]/, '').split('.');
  const minor = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) return { ok: false };
  return { ok: true, minor: negative ? -minor : minor };
}

/** A JSON number from CreateNewUser/UpdateUser (`balance`): at most 2 decimals, not negative. */
export function readLegacyBalance(value: unknown): LegacyAmount {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { ok: false };
  const scaled = value * 100;
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6 || minor > MAX_MINOR) return { ok: false };
  return { ok: true, minor };
}
