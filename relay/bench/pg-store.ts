import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import { isBankError } from '../../common/errors.js';
import type { AccountState, LedgerRules } from '../ledger/types.js';
import { migrate } from '../store/postgres/migrations.js';
import { PgLedgerWriter } from '../store/postgres/ledger-writer.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { randomAmount, randomOther } from './tally.js';

/**
 * `bank-relay bench --scenario store --store postgres://…` (issue 8): the PostgreSQL store's
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
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await migrate(setup);
    const held = await setup.query<{ n: string }>('SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM users) AS n');
    if (Number(held.rows[0]!.n) > 0) throw new Error('the --store database already holds data; the store bench needs an empty scratch database');
    const now = new Date().toISOString();
    const rows: AccountState[] = [{ account: CASH_ACCOUNT, owner: null, status: 'active', balance: 0, entrySeq: 0, createdAt: now }];
    for (let i = 1; i <= opts.accounts; i++) rows.push({ account: makeAccountNumber(i), owner: owner(i), status: 'active', balance: 0, entrySeq: 0, createdAt: now });
    await setup.query('INSERT INTO accounts (account, owner, balance, record) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])', [
      rows.map((a) => a.account),
      rows.map((a) => a.owner ?? ''),
      rows.map((a) => a.balance),
      rows.map((a) => JSON.stringify(a)),
    ]);
  } finally {
    await setup.end();
  }
  const pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })];
  try {
    const funding = new PgLedgerWriter(pools[0]!, RULES);
    opts.log(`store: opening ${opts.accounts} accounts…`);
    await Promise.all(
      Array.from({ length: opts.accounts }, (_, i) =>
        funding.move({ req: { kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: makeAccountNumber(i + 1), amount: OPENING, actor: 'bench' }, audit: { actor: 'bench', role: 'admin', action: 'admin.account.deposit' } }),
      ),
    );
    const out: StoreRow[] = [];
    for (const mix of ['uniform', 'hot'] as const) {
      for (const writers of [1, 2]) {
        opts.log(`store ${mix} with ${writers} writer${writers > 1 ? 's' : ''}: ${opts.inFlight} in flight for ${opts.durationS} s…`);
        out.push(await measure(pools.slice(0, writers), mix === 'hot' ? Math.min(10, opts.accounts) : opts.accounts, mix, opts));
      }
    }
    return out;
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
}

async function measure(pools: pg.Pool[], spread: number, mix: 'uniform' | 'hot', opts: { inFlight: number; durationS: number }): Promise<StoreRow> {
  const writers = pools.map((p) => new PgLedgerWriter(p, RULES));
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const end = performance.now() + opts.durationS * 1000;
  await Promise.all(
    Array.from({ length: opts.inFlight }, async (_, lane) => {
      const writer = writers[lane % writers.length]!;
      while (performance.now() < end) {
        const from = Math.floor(Math.random() * spread);
        const to = randomOther(spread, from);
        const started = performance.now();
        try {
          await writer.move({
            req: { kind: 'transfer', transferId: randomUUID(), from: makeAccountNumber(from + 1), to: makeAccountNumber(to + 1), amount: randomAmount(), actor: owner(from + 1) },
            audit: { actor: owner(from + 1), role: 'user', action: 'transfer.create' },
          });
          latencies.push(performance.now() - started);
        } catch (err) {
          const code = isBankError(err) ? err.code : 'ERROR';
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  return { mix, writers: writers.length, perSecond: Math.round(latencies.length / opts.durationS), latency: summarize(latencies), errors, batches: writers.reduce((n, w) => n + w.stats.batches, 0) };
}

function owner(i: number): string {
  return `store_bench_${i}`;
}
