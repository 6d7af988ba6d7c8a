import { t } from '../../../shared/i18n.js';

/*
 * Date inputs give "YYYY-MM-DD" in the person's own time zone; the relay wants ISO instants.
 * A range is inclusive of both days, from local midnight to the last millisecond of the end day.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function localDate(text: string): Date | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Refuse 2024-02-31 rather than rolling it over into March.
  if (d.getFullYear() !== Number(m[1]) || d.getMonth() !== Number(m[2]) - 1 || d.getDate() !== Number(m[3])) return undefined;
  return d;
}

/** Local midnight starting that day, as an ISO instant; undefined for an empty or bad date. */
export function startOfDayIso(text: string): string | undefined {
  return localDate(text)?.toISOString();
}

/** The last millisecond of that local day, as an ISO instant. */
export function endOfDayIso(text: string): string | undefined {
  const d = localDate(text);
  if (!d) return undefined;
  d.setHours(23, 59, 59, 999);
  return d.toISOString();
}

/** "YYYY-MM-DD" for a date in local time (for defaults of date inputs). */
export function toDateInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface DateRangeInput {
  from: string;
  to: string;
}

export interface DateRangeResult {
  since?: string;
  until?: string;
  errors: { from?: string; to?: string };
}

/** Validates an optional date range (either end may be empty). */
export function parseDateRange(input: DateRangeInput, options: { required?: boolean } = {}): DateRangeResult {
  const errors: DateRangeResult['errors'] = {};
  const since = input.from ? startOfDayIso(input.from) : undefined;
  const until = input.to ? endOfDayIso(input.to) : undefined;
  if (input.from && !since) errors.from = t('date_range_from_invalid');
  else if (!input.from && options.required) errors.from = t('date_range_from_missing');
  if (input.to && !until) errors.to = t('date_range_to_invalid');
  else if (!input.to && options.required) errors.to = t('date_range_to_missing');
  if (since && until && since > until) errors.to = t('date_range_to_before_from');
  return { ...(since !== undefined && { since }), ...(until !== undefined && { until }), errors };
}
