import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runTransfers, type BenchTransport } from './load.js';
import { prepareBank, prepareTransfers } from './prepare.js';
import { ledgerCheckpointPath } from '../store/leveldb/ledger-checkpoint.js';
import { mib, rssOf } from './process-stats.js';
import { startRelayProcess } from './relay-process.js';

/** The first start makes an admin; a chosen password keeps the generated one off the bench's output. */
const QUIET_ADMIN = { BANK_RELAY_ADMIN_PASSWORD: 'bench-admin-password' };

export interface ScaleLoad {
  /** Account counts to measure transfers/s at, smallest first. */
  levels: number[];
  /** Transfers in the largest bank before the start-up is timed. */
  startupTransfers: number;
  transport: BenchTransport;
  connections: number;
  pipeline: number;
  durationS: number;
  log: (line: string) => void;
}

export interface ScaleLevel {
  accounts: number;
  prepareS: number;
  perSecond: number;
  p99: number;
  errors: number;
}

export interface ScaleResult {
  levels: ScaleLevel[];
  startup: {
    accounts: number;
    transfers: number;
    prepareS: number;
    /** After a clean stop: the signed checkpoint trusted, no journal read. */
    startupS: number;
    loadS: number | null;
    trusted: string | null;
    /** With no usable checkpoint, as after a crash: the whole journal replayed and checked. */
    startupAfterCrashS: number;
    loadAfterCrashS: number | null;
    trustedAfterCrash: string | null;
    rssMiB: number | null;
  };
}

/** Transfers/s as the bank grows, then the relay's start-up time on the largest bank. */
export async function runScale(load: ScaleLoad): Promise<ScaleResult> {
  const levels: ScaleLevel[] = [];
  let largest: { dir: string; accounts: string[]; transfers: number } | undefined;
  const made: string[] = [];
  try {
    for (const count of load.levels) {
      if (largest) await rm(largest.dir, { recursive: true, force: true });
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bank-scale-'));
      made.push(dir);
      load.log(`scale: preparing ${count} accounts…`);
      const t0 = performance.now();
      const accounts = await prepareBank(dir, count, 1_000_000_000);
      const prepareS = (performance.now() - t0) / 1000;
      const relay = await startRelayProcess(['--data', dir], QUIET_ADMIN, 600_000);
      try {
        load.log(`scale: ${count} accounts, transfers over ${load.transport} for ${load.durationS} s…`);
        const r = await runTransfers(
          { host: '127.0.0.1', tcpPort: relay.tcpPort, wsPort: relay.wsPort },
          { transport: load.transport, connections: load.connections, pipeline: load.pipeline, accounts, mix: 'uniform', durationS: load.durationS, warmupS: 2 },
        );
        const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
        levels.push({ accounts: count, prepareS: round(prepareS), perSecond: r.perSecond, p99: r.latency.p99, errors });
        // Opening deposits are transfers too; the load added the rest.
        largest = { dir, accounts, transfers: count + r.ok };
      } finally {
        await relay.stop();
      }
    }
    if (!largest) throw new Error('no scale levels given');
    const more = Math.max(0, load.startupTransfers - largest.transfers);
    load.log(`scale: adding ${more} transfers to the ${largest.accounts.length}-account bank…`);
    const t1 = performance.now();
    let lastLog = 0;
    await prepareTransfers(largest.dir, largest.accounts, more, (done) => {
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        load.log(`scale: ${done} of ${more} transfers added`);
      }
    });
    const prepareS = (performance.now() - t1) / 1000;
    load.log('scale: timing the relay start-up after a clean stop…');
    const relay = await startRelayProcess(['--data', largest.dir], QUIET_ADMIN, 600_000);
    const rss = await rssOf(relay.child.pid);
    await relay.stop();
    // A crash leaves no checkpoint that still describes the database: the same as none at all.
    load.log('scale: timing the start-up with no checkpoint, as after a crash…');
    await rm(ledgerCheckpointPath(largest.dir), { force: true });
    const cold = await startRelayProcess(['--data', largest.dir], QUIET_ADMIN, 600_000);
    await cold.stop();
    const seconds = (ms: number | undefined) => (ms === undefined ? null : round(ms / 1000));
    return {
      levels,
      startup: {
        accounts: largest.accounts.length,
        transfers: largest.transfers + more,
        prepareS: round(prepareS),
        startupS: round(relay.startupMs / 1000),
        loadS: seconds(relay.loaded?.loadMs),
        trusted: relay.loaded?.trusted ?? null,
        startupAfterCrashS: round(cold.startupMs / 1000),
        loadAfterCrashS: seconds(cold.loaded?.loadMs),
        trustedAfterCrash: cold.loaded?.trusted ?? null,
        rssMiB: mib(rss),
      },
    };
  } finally {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
