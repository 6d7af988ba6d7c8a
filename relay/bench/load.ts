import { randomUUID } from 'node:crypto';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport, wsTransport } from '../client/node-transports.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { randomAmount, randomOther, Tally, type LoadResult } from './tally.js';
import { BENCH_PASSWORD, benchUser } from './prepare.js';
import type { CpuMeter } from './process-stats.js';

export type BenchTransport = 'tcp' | 'ws';

export interface Target {
  host: string;
  tcpPort: number;
  wsPort: number;
}

/** One relay, or several serving one bank (the PostgreSQL store): connection i goes to relay i mod n. */
export type Targets = Target | readonly Target[];

export function targetAt(targets: Targets, i: number): Target {
  return 'host' in targets ? targets : targets[i % targets.length]!;
}

export async function openClient(target: Target, transport: BenchTransport): Promise<BankClient> {
  const pipe = transport === 'tcp' ? await tcpTransport(target.host, target.tcpPort) : await wsTransport(`ws://${target.host}:${target.wsPort}/`);
  // Keep-alive: the bench's admin connection idles for whole runs (the relay drops TCP silent for 2·hb).
  return BankClient.connect(pipe, nodeCryptoSuite, { keepAliveMs: 5_000 });
}

export async function signIn(target: Target, transport: BenchTransport, userIndex: number): Promise<BankClient> {
  const client = await openClient(target, transport);
  await client.request('auth.login', { username: benchUser(userIndex), password: BENCH_PASSWORD });
  return client;
}

export interface TransferLoad {
  transport: BenchTransport;
  connections: number;
  pipeline: number;
  accounts: string[];
  /**
   * uniform: payer and payee over all accounts. hot: every payee is one of 10 hot accounts
   * (a merchant's), payers over the others. hot-both: payers and payees both among the 10 hot
   * accounts, so every connection signs in as one of 10 people and each transfer is also told
   * to all of their sessions (the fan-out of PROTOCOL §6).
   */
  mix: TransferMix;
  durationS: number;
  /** Run this long first without counting (JIT, caches, the sign-ins' commits). */
  warmupS?: number;
  /** Measures the relays' CPU over the counted window. */
  meter?: CpuMeter;
}

/** Starts `meter` when counting starts and stops it when counting ends. */
export function meterWindow(meter: CpuMeter | undefined, startsAt: number, endsAt: number): void {
  if (!meter) return;
  setTimeout(() => meter.start(), Math.max(0, startsAt - performance.now())).unref();
  setTimeout(() => meter.stop(), Math.max(0, endsAt - performance.now())).unref();
}

export type TransferMix = 'uniform' | 'hot' | 'hot-both';

/** How many accounts the hot mixes concentrate on. */
export const HOT_ACCOUNTS = 10;

export type TransferResult = LoadResult;

/** C connections, each keeping P transfers in flight, for a fixed time. */
export async function runTransfers(targets: Targets, load: TransferLoad): Promise<TransferResult> {
  const n = load.accounts.length;
  const hot = Math.min(HOT_ACCOUNTS, n - 1);
  // Payers are the connections' own accounts: in the hot mix they stay clear of the hot ones.
  const payers = load.mix === 'hot-both' ? hot : load.mix === 'hot' ? n - hot : n;
  const payerIndex = (i: number) => (load.mix === 'hot' ? hot + (i % payers) : i % payers);
  const payees = load.mix === 'uniform' ? n : hot;
  const clients = await Promise.all(Array.from({ length: load.connections }, (_, i) => signIn(targetAt(targets, i), load.transport, payerIndex(i))));
  const tally = new Tally();
  const started = performance.now() + (load.warmupS ?? 0) * 1000;
  const deadline = started + load.durationS * 1000;
  meterWindow(load.meter, started, deadline);
  await Promise.all(
    clients.map(async (client, i) => {
      const own = payerIndex(i);
      const worker = async () => {
        while (performance.now() < deadline) {
          const sent = performance.now();
          const r = await client.call('transfer.create', { transferId: randomUUID(), to: load.accounts[randomOther(payees, own)], amount: randomAmount() });
          if (sent >= started) tally.record(r, performance.now() - sent);
        }
      };
      await Promise.all(Array.from({ length: load.pipeline }, worker));
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return tally.result(elapsedS);
}

export interface BatchLoad extends Omit<TransferLoad, 'mix'> {
  /** Transfers in each `transfer.batch`. */
  batchSize: number;
}

/**
 * C connections, each keeping P batches in flight, for a fixed time: every batch pays `batchSize`
 * random other accounts from the connection's own. Counts acknowledged transfers (items answered
 * ok); latency is per batch.
 */
export async function runBatches(targets: Targets, load: BatchLoad): Promise<TransferResult> {
  const n = load.accounts.length;
  const clients = await Promise.all(Array.from({ length: load.connections }, (_, i) => signIn(targetAt(targets, i), load.transport, i % n)));
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  const started = performance.now() + (load.warmupS ?? 0) * 1000;
  const deadline = started + load.durationS * 1000;
  meterWindow(load.meter, started, deadline);
  await Promise.all(
    clients.map(async (client, i) => {
      const own = i % n;
      const worker = async () => {
        while (performance.now() < deadline) {
          const transfers = Array.from({ length: load.batchSize }, () => ({ transferId: randomUUID(), to: load.accounts[randomOther(n, own)]!, amount: randomAmount() }));
          const sent = performance.now();
          const r = await client.call('transfer.batch', { transfers });
          // A batch answered after the deadline counts only if it was sent inside the window.
          if (sent < started || sent >= deadline) continue;
          latencies.push(performance.now() - sent);
          if (!r.ok) {
            errors[r.error.code] = (errors[r.error.code] ?? 0) + load.batchSize;
            continue;
          }
          for (const item of (r.result as { results: { ok: boolean; error?: { code: string } }[] }).results) {
            if (item.ok) ok++;
            else errors[item.error!.code] = (errors[item.error!.code] ?? 0) + 1;
          }
        }
      };
      await Promise.all(Array.from({ length: load.pipeline }, worker));
    }),
  );
  const elapsedS = (Math.max(performance.now(), deadline) - started) / 1000;
  for (const c of clients) c.close();
  return { ok, errors, elapsedS, perSecond: Math.round(ok / elapsedS), latency: summarize(latencies) };
}

export interface EventResult {
  sent: number;
  received: number;
  latency: LatencySummary;
}

/**
 * A payee on WebSocket; latency from the payer's send to the payee's `transfer.received`. With
 * several relays the payer is on the first and the payee on the last: the event crosses relays.
 */
export async function runEvents(targets: Targets, accounts: string[], ratePerS: number, durationS: number): Promise<EventResult> {
  const payer = await signIn(targetAt(targets, 0), 'tcp', 0);
  const payee = await signIn('host' in targets ? targets : targets[targets.length - 1]!, 'ws', 1);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  payee.onEvent((e) => {
    if (e.event !== 'transfer.received') return;
    const id = (e.data.transfer as { id: string }).id;
    const t0 = sentAt.get(id);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
  });
  const total = Math.max(1, Math.round(ratePerS * durationS));
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    // Paced by the intended send time, not by the previous answer.
    const due = start + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = randomUUID();
    sentAt.set(id, performance.now());
    pending.push(payer.call('transfer.create', { transferId: id, to: accounts[1], amount: 1 }));
  }
  await Promise.all(pending);
  const settle = performance.now() + 2000;
  while (latencies.length < total && performance.now() < settle) await new Promise((r) => setTimeout(r, 10));
  payer.close();
  payee.close();
  return { sent: total, received: latencies.length, latency: summarize(latencies) };
}
