import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { isBankError } from '../../common/errors.js';
import type { LedgerRules } from '../ledger/types.js';
import { newClient, openPool } from '../store/postgres/connect.js';
import { holdsBank, migrate } from '../store/postgres/migrations.js';
import { Ledger } from '../ledger/ledger.js';
import { LedgerWriter } from '../ledger/writer.js';
import { EMPTY_HEAD } from '../audit/chain.js';
import { PgLedgerReads } from '../store/postgres/pg-reads.js';
import { PgBank } from '../store/postgres/pg-bank.js';
import { PgLedgerStorage } from '../store/postgres/pg-storage.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { randomAmount, randomOther } from './tally.js';

/**
 * `bank-relay bench --scenario store --store postgres://…`: the PostgreSQL store's
 * money path measured on its own, in this process, with one and with two writers standing for
 * one and two relays, uniform and on 10 hot accounts. No sockets: this is the store's ceiling,
 * not a relay figure. The database must be empty (a scratch database): the bench creates the
 * schema and its accounts there and leaves them.
 */
export interface StoreRow {
  mix: 'uniform' | 'hot';
  writers: number;
  perSecond: number;
  latency: LatencySummary;
  errors: Record<string, number>;
  batches: number;
}

const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: Number.MAX_SAFE_INTEGER, defaultLimits: { perTransfer: Number.MAX_SAFE_INTEGER, perDay: Number.MAX_SAFE_INTEGER } };
const OPENING = 1_000_000_000;

export async function runPgStore(url: string, opts: { accounts: number; inFlight: number; durationS: number; log: (line: string) => void }): Promise<StoreRow[]> {
  const setup = newClient(url);
  await setup.connect();
  try {
    await migrate(setup);
    if (await holdsBank(setup)) throw new Error('the --store database already holds data; the store bench needs an empty scratch database');
  } finally {
    await setup.end();
  }
  const pools = [openPool(url, 2), openPool(url, 2)];
  try {
    const funding = ledgerOn(pools[0]!);
    // The bank's cash account, as a relay's first start opens it.
    await funding.ledger.openCashAccount();
    opts.log(`store: opening ${opts.accounts} accounts…`);
    const accounts = await Promise.all(
      Array.from({ length: opts.accounts }, async (_, i) => {
        const name = owner(i + 1);
        const { account } = await funding.ledger.openAccount(name, [], [{ actor: 'bench', role: 'admin', action: 'account.open', target: name, outcome: 'ok' }]);
        await funding.ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: account, amount: OPENING, actor: 'bench' }, { actor: 'bench', role: 'admin', action: 'admin.account.deposit' });
        return { account, owner: name };
      }),
    );
    const out: StoreRow[] = [];
    for (const mix of ['uniform', 'hot'] as const) {
      for (const writers of [1, 2]) {
        opts.log(`store ${mix} with ${writers} writer${writers > 1 ? 's' : ''}: ${opts.inFlight} in flight for ${opts.durationS} s…`);
        out.push(await measure(pools.slice(0, writers), accounts.slice(0, mix === 'hot' ? 10 : accounts.length), mix, opts));
      }
    }
    return out;
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
}

async function measure(pools: pg.Pool[], accounts: { account: string; owner: string }[], mix: 'uniform' | 'hot', opts: { inFlight: number; durationS: number }): Promise<StoreRow> {
  const writers = pools.map((p) => ledgerOn(p));
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const end = performance.now() + opts.durationS * 1000;
  await Promise.all(
    Array.from({ length: opts.inFlight }, async (_, lane) => {
      const { ledger } = writers[lane % writers.length]!;
      while (performance.now() < end) {
        const i = Math.floor(Math.random() * accounts.length);
        const from = accounts[i]!;
        const to = accounts[randomOther(accounts.length, i)]!;
        const started = performance.now();
        try {
          await ledger.move(
            { kind: 'transfer', transferId: randomUUID(), from: from.account, to: to.account, amount: randomAmount(), actor: from.owner },
            { actor: from.owner, role: 'user', action: 'transfer.create' },
          );
          latencies.push(performance.now() - started);
        } catch (err) {
          const code = isBankError(err) ? err.code : 'ERROR';
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  return { mix, writers: writers.length, perSecond: Math.round(latencies.length / opts.durationS), latency: summarize(latencies), errors, batches: writers.reduce((n, w) => n + w.writer.stats.batches, 0) };
}

/** One writer standing for one relay: the bank's writer on its own pool, and the ledger over it. */
function ledgerOn(pool: pg.Pool): { writer: LedgerWriter; ledger: Ledger } {
  const writer = new LedgerWriter(new PgLedgerStorage(pool, RULES), () => new Date(), EMPTY_HEAD);
  return { writer, ledger: new Ledger(writer, new PgLedgerReads(new PgBank(pool)), RULES) };
}

function owner(i: number): string {
  return `store_bench_${i}`;
}
