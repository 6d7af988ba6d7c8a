import { randomUUID } from 'node:crypto';
import { meterWindow, signIn, targetAt, type BenchTransport, type Targets } from './load.js';
import type { CpuMeter } from './process-stats.js';
import { randomAmount, randomOther, Tally, type LoadResult } from './tally.js';

export interface PacedLoad {
  transport: BenchTransport;
  connections: number;
  /** Offered transfers per second, whatever the relay answers. */
  ratePerS: number;
  accounts: string[];
  durationS: number;
  /** Paced this long first without counting (JIT, caches, the sign-ins' commits). */
  warmupS?: number;
  /** Measures the relays' CPU over the counted window. */
  meter?: CpuMeter;
}

/** `latency` runs from each request's intended send time, so a stalled relay shows up (no coordinated omission). */
export interface PacedResult extends LoadResult {
  offered: number;
}

/**
 * An open-loop load: request k is due at start + k / rate and is sent then (round-robin over the
 * connections) however many are still unanswered; its latency runs from when it was due.
 */
export async function runPaced(targets: Targets, load: PacedLoad): Promise<PacedResult> {
  const n = load.accounts.length;
  const clients = await Promise.all(Array.from({ length: load.connections }, (_, i) => signIn(targetAt(targets, i), load.transport, i % n)));
  const tally = new Tally();
  const pending: Promise<void>[] = [];
  const warmup = Math.round(load.ratePerS * (load.warmupS ?? 0));
  const total = warmup + Math.max(1, Math.round(load.ratePerS * load.durationS));
  const start = performance.now();
  meterWindow(load.meter, start + (load.warmupS ?? 0) * 1000, start + (load.warmupS ?? 0) * 1000 + load.durationS * 1000);
  let sent = 0;
  while (sent < total) {
    const dueNow = Math.min(total, Math.floor(((performance.now() - start) * load.ratePerS) / 1000) + 1);
    for (; sent < dueNow; sent++) {
      const k = sent;
      const intended = start + (k * 1000) / load.ratePerS;
      const c = sent % clients.length;
      pending.push(
        clients[c]!.call('transfer.create', { transferId: randomUUID(), to: load.accounts[randomOther(n, c % n)], amount: randomAmount() }).then((r) => {
          if (k >= warmup) tally.record(r, performance.now() - intended);
        }),
      );
    }
    // Sleep until the next request is due, at least one timer tick (~1 ms): each wake sends the
    // whole backlog due by then. (Spinning on setImmediate instead would hold a core the relay
    // needs; a request sent up to a tick late still counts its latency from when it was due.)
    const next = start + (sent * 1000) / load.ratePerS - performance.now();
    await new Promise((r) => setTimeout(r, Math.min(Math.max(next, 1), 50)));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000 - (load.warmupS ?? 0);
  for (const c of clients) c.close();
  return { offered: total - warmup, ...tally.result(elapsedS) };
}
