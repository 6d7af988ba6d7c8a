import type { RawResponse } from '../../common/client/bank-client.js';
import { summarize, type LatencySummary } from './percentiles.js';

/** What a measured load answered: counts, error codes and latency percentiles. */
export interface LoadResult {
  ok: number;
  errors: Record<string, number>;
  elapsedS: number;
  perSecond: number;
  latency: LatencySummary;
}

/** Collects the answers of a load as they come, for LoadResult. */
export class Tally {
  private ok = 0;
  private readonly errors: Record<string, number> = {};
  private readonly latencies: number[] = [];

  record(response: RawResponse, latencyMs: number): void {
    this.latencies.push(latencyMs);
    if (response.ok) this.ok++;
    else this.errors[response.error.code] = (this.errors[response.error.code] ?? 0) + 1;
  }

  result(elapsedS: number): LoadResult {
    return { ok: this.ok, errors: this.errors, elapsedS, perSecond: Math.round(this.ok / elapsedS), latency: summarize(this.latencies) };
  }
}

/** A random index in [0, count) other than `own` (any index when `own` is outside the range). */
export function randomOther(count: number, own: number): number {
  if (own < 0 || own >= count) return Math.floor(Math.random() * count);
  const i = Math.floor(Math.random() * (count - 1));
  return i >= own ? i + 1 : i;
}

/** A small random amount in minor units (1.00 at most), well inside every limit. */
export function randomAmount(): number {
  return 1 + Math.floor(Math.random() * 100);
}
