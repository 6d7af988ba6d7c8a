/**
 * Aggregation for `bank-relay monitor`: every `monitor.request` goes through `record` (O(1),
 * bounded memory, so thousands a second cost little), and the view asks for a summary when it
 * redraws. Time is passed in (ms), so tests drive it with a fake clock.
 */

/** One `monitor.request` event as the relay sends it (§6), with the time it arrived. */
export interface RequestSample {
  /** Arrival time, ms since the epoch. */
  at: number;
  op: string;
  actor: string;
  transport: string;
  ms: number;
  outcome: string;
}

/** `admin.stats` (§5, plus `commits` from §8). */
export interface RelayStats {
  connections: { tcp: number; ws: number; legacy?: number };
  sessions: number;
  uptimeS: number;
  ops: Record<string, number>;
  ledger: { accounts: number; transfers: number };
  commits?: { batches: number; jobs: number };
}

export interface OpSummary {
  op: string;
  /** Requests per second over the rate window. */
  rate: number;
  /** Requests in the latency window. */
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface Summary {
  /** Requests per second over the rate window, all ops. */
  rate: number;
  /** Busiest first (by count in the latency window), then by name. */
  ops: OpSummary[];
}

export interface CommitRate {
  /** Group-commit batches (one fsync each) per second between the last two polls. */
  fsyncsPerS: number;
  /** Changes per batch between the last two polls; null when no batch was written. */
  meanBatch: number | null;
}

export interface AggregatorOptions {
  /** Latency percentiles cover the last `windowS` seconds. Default 10. */
  windowS?: number;
  /** ops/s covers the last `rateWindowS` seconds. Default 3. */
  rateWindowS?: number;
  /** Latency samples kept per op per second; beyond it, reservoir sampling. Default 2048. */
  samplesPerSecond?: number;
  /** Latest requests kept for the scrolling list. Default 500. */
  recent?: number;
}

interface OpBucket {
  count: number;
  /** Up to `samplesPerSecond` latencies, a uniform sample of the `count` seen. */
  samples: number[];
}

interface Bucket {
  /** Start of the second, ms. */
  second: number;
  ops: Map<string, OpBucket>;
}

/** A fixed-size ring of the latest items, oldest overwritten first. */
export class Ring<T> {
  private items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  get length(): number {
    return this.size;
  }

  /** Up to `n` items, newest first. */
  latest(n = this.size): T[] {
    const out: T[] = [];
    for (let i = 0; i < Math.min(n, this.size); i++) {
      out.push(this.items[(this.next - 1 - i + this.capacity * 2) % this.capacity] as T);
    }
    return out;
  }
}

/** Nearest-rank percentile of an ascending array (0 for an empty one). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export class MonitorAggregator {
  readonly windowS: number;
  readonly rateWindowS: number;
  private readonly samplesPerSecond: number;
  /** One bucket per second, indexed by second % length. */
  private readonly buckets: Bucket[];
  readonly recent: Ring<RequestSample>;
  /** Every request recorded since the start. */
  total = 0;
  private readonly startedAt: number;
  private random: () => number;

  constructor(now: number, opts: AggregatorOptions = {}, random: () => number = Math.random) {
    this.windowS = opts.windowS ?? 10;
    this.rateWindowS = Math.min(opts.rateWindowS ?? 3, this.windowS); // every op with a rate has a latency row
    this.samplesPerSecond = opts.samplesPerSecond ?? 2048;
    this.recent = new Ring(opts.recent ?? 500);
    const length = Math.max(this.windowS, this.rateWindowS) + 1;
    this.buckets = Array.from({ length }, () => ({ second: -1, ops: new Map() }));
    this.startedAt = now;
    this.random = random;
  }

  record(sample: RequestSample): void {
    this.total++;
    this.recent.push(sample);
    const second = Math.floor(sample.at / 1000) * 1000;
    const bucket = this.buckets[(second / 1000) % this.buckets.length]!;
    if (bucket.second !== second) {
      if (bucket.second > second) return; // older than the window (a clock step back): only listed
      bucket.second = second;
      bucket.ops.clear();
    }
    let op = bucket.ops.get(sample.op);
    if (!op) {
      op = { count: 0, samples: [] };
      bucket.ops.set(sample.op, op);
    }
    op.count++;
    if (op.samples.length < this.samplesPerSecond) {
      op.samples.push(sample.ms);
    } else {
      // Reservoir sampling (algorithm R): each of the `count` seen stays with equal chance.
      const j = Math.floor(this.random() * op.count);
      if (j < this.samplesPerSecond) op.samples[j] = sample.ms;
    }
  }

  /** Buckets whose second lies in the last `seconds` seconds up to `now` (the current one included). */
  private bucketsWithin(now: number, seconds: number): Bucket[] {
    const current = Math.floor(now / 1000) * 1000;
    const oldest = current - (seconds - 1) * 1000;
    return this.buckets.filter((b) => b.second >= oldest && b.second <= current);
  }

  /** How long the rate window really spans: it starts no earlier than the monitor did. */
  private rateSpanS(now: number): number {
    const current = Math.floor(now / 1000) * 1000;
    const windowStart = current - (this.rateWindowS - 1) * 1000;
    const start = Math.max(windowStart, this.startedAt);
    return Math.max(0.001, (now - start) / 1000);
  }

  summary(now: number): Summary {
    const span = this.rateSpanS(now);
    const rateCounts = new Map<string, number>();
    for (const b of this.bucketsWithin(now, this.rateWindowS)) {
      for (const [op, ob] of b.ops) rateCounts.set(op, (rateCounts.get(op) ?? 0) + ob.count);
    }
    const latency = new Map<string, { count: number; samples: number[] }>();
    for (const b of this.bucketsWithin(now, this.windowS)) {
      for (const [op, ob] of b.ops) {
        const acc = latency.get(op) ?? { count: 0, samples: [] };
        acc.count += ob.count;
        for (const s of ob.samples) acc.samples.push(s);
        latency.set(op, acc);
      }
    }
    const ops: OpSummary[] = [];
    let totalRate = 0;
    for (const [op, acc] of latency) {
      const sorted = acc.samples.sort((a, b) => a - b);
      const rate = (rateCounts.get(op) ?? 0) / span;
      totalRate += rate;
      ops.push({ op, rate, count: acc.count, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) });
    }
    ops.sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
    return { rate: totalRate, ops };
  }
}

/** fsyncs/s and mean batch size from two `admin.stats` polls' `commits` counters. */
export function commitRate(prev: { stats: RelayStats; at: number } | undefined, cur: { stats: RelayStats; at: number }): CommitRate | null {
  if (!prev || !prev.stats.commits || !cur.stats.commits) return null;
  const dt = (cur.at - prev.at) / 1000;
  const batches = cur.stats.commits.batches - prev.stats.commits.batches;
  const jobs = cur.stats.commits.jobs - prev.stats.commits.jobs;
  if (dt <= 0 || batches < 0 || jobs < 0) return null; // a relay restart resets the counters
  return { fsyncsPerS: batches / dt, meanBatch: batches > 0 ? jobs / batches : null };
}
