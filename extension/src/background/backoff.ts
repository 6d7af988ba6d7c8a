import type { ConnectionStatus } from '../shared/api.js';

/** Exponential backoff with full jitter (delay uniform in [0, min(cap, base·factor^n))). */
export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
  /** After this many failures in a row the status reads 'offline' rather than 'reconnecting'. */
  offlineAfter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, factor: 2, capMs: 30_000, offlineAfter: 3 };

/** The upper bound of the wait before retry number `failures` (1 = after the first failure). */
export function backoffCeiling(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, failures - 1);
  return Math.min(opts.capMs, opts.baseMs * opts.factor ** Math.min(n, 64));
}

/** `random` in [0, 1), as Math.random. */
export function backoffDelay(failures: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(failures, opts));
}

export function statusAfterFailures(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): ConnectionStatus {
  return failures >= opts.offlineAfter ? 'offline' : 'reconnecting';
}
