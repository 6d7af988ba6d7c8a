import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '../../relay/store/postgres/connect.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { AuditHead } from '../../common/schemas/models.js';
import { isBankError } from '../../common/errors.js';
import { verifyChain } from '../../relay/audit/chain.js';
import type { AccountState, LedgerRules, TransferRecord } from '../../relay/ledger/types.js';
import { EventListener, type RelayNotice } from '../../relay/store/postgres/event-hub.js';
import type { MoveRequest } from '../../relay/ledger/engine.js';
import { prng } from '../helpers/ledger.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { pgRelayLedger, type PgRelayLedger } from '../helpers/stores.js';

/*
 * The PostgreSQL store's money path against a real PostgreSQL. Two writers on two
 * connection pools stand for two relays on one database: concurrent random transfers conserve
 * money, keep every acknowledged transfer and one audit order; a transfer id is idempotent
 * across them; hot accounts never surface a deadlock.
 */
const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1_000_000_000, defaultLimits: { perTransfer: 10_000_000, perDay: 1_000_000_000 } };

interface Bank {
  url: string;
  pools: pg.Pool[];
  relays: PgRelayLedger[];
  accounts: { account: string; owner: string }[];
  /** Audit entries written by the set-up (the cash account, and each customer's opening). */
  openings: number;
}

async function openBank(server: TestPostgres, name: string, customers: number, opening: number): Promise<Bank> {
  const url = await server.createBank(name);
  const pools = [openPool(url, 4), openPool(url, 4)];
  const relays = pools.map((p, i) => pgRelayLedger(p, RULES, { relayName: `relay-${'AB'[i]}` }));
  // The bank's cash account, as a relay's first start opens it.
  await relays[0]!.ledger.openCashAccount();
  const accounts: { account: string; owner: string }[] = [];
  for (let i = 1; i <= customers; i++) {
    const owner = `pg_user_${i}`;
    const opened = await relays[0]!.ledger.openAccount(owner, [], [{ actor: 'admin', role: 'admin', action: 'account.open', target: owner, outcome: 'ok' }]);
    accounts.push({ account: opened.account, owner });
  }
  await Promise.all(accounts.map((a, i) => relays[i % 2]!.ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: a.account, amount: opening, actor: 'admin' }, { actor: 'admin', role: 'admin', action: 'admin.account.deposit' })));
  // Audit entries of the set-up: the cash account's opening, and two per customer (the request and the opening).
  return { url, pools, relays, accounts, openings: 1 + 2 * customers };
}

/** A customer's transfer through one relay's ledger, audited as `transfer.create` is. */
function transfer(relay: PgRelayLedger, req: MoveRequest) {
  return relay.ledger.move(req, { actor: req.actor, role: 'user', action: 'transfer.create' });
}

/** Everything a verifier checks, read back from the database. */
/** `otherAudit`: audit entries the test wrote besides one per transfer and the bank's openings (more openings, status changes). */
async function checkBank(bank: Bank, acknowledged: Map<string, TransferRecord>, otherAudit = 0): Promise<void> {
  const c = await bank.pools[0]!.connect();
  try {
    const accounts = (await c.query<{ record: AccountState; balance: string }>('SELECT record, balance FROM accounts')).rows;
    expect(accounts.reduce((n, r) => n + Number(r.balance), 0), 'money is conserved').toBe(0);
    for (const r of accounts) {
      expect(Number(r.balance)).toBe(r.record.balance);
      if (r.record.owner !== null) expect(r.record.balance, `${r.record.account} went negative`).toBeGreaterThanOrEqual(0);
      // Every account's entries run 1..entrySeq and end at its balance.
      const entries = (
        await c.query<{ seq: string; after: string }>(
          `SELECT from_entry AS seq, record->>'fromBalanceAfter' AS after FROM transfers WHERE from_account = $1
           UNION ALL SELECT to_entry, record->>'toBalanceAfter' FROM transfers WHERE to_account = $1 ORDER BY seq`,
          [r.record.account],
        )
      ).rows;
      expect(entries.map((e) => Number(e.seq))).toEqual(Array.from({ length: r.record.entrySeq }, (_, i) => i + 1));
      if (entries.length > 0) expect(Number(entries[entries.length - 1]!.after)).toBe(r.record.balance);
    }
    const stored = new Map((await c.query<{ record: TransferRecord }>('SELECT record FROM transfers')).rows.map((r) => [r.record.id, r.record]));
    for (const [id, t] of acknowledged) expect(stored.get(id), `acknowledged ${id} is missing`).toEqual(t);
    const seqs = [...stored.values()].map((t) => t.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // One audit chain across both writers, with the head row at its end.
    const head = (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head')).rows[0]!;
    const rows = (await c.query<{ entry: unknown }>('SELECT entry FROM audit ORDER BY seq')).rows;
    async function* entries() {
      for (const r of rows) yield r.entry;
    }
    const storedHead: AuditHead = { seq: Number(head.seq), hash: head.hash };
    expect(await verifyChain(entries(), storedHead)).toMatchObject({ ok: true, entries: stored.size + bank.openings + otherAudit });
  } finally {
    c.release();
  }
}

describe('the PostgreSQL store: two relays on one database', () => {
  let server: TestPostgres;
  const banks: Bank[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    for (const b of banks) await Promise.all(b.pools.map((p) => p.end()));
    await server?.stop();
  });

  it('40 connections over both send random transfers: money conserved, none negative, every acknowledged one stored once, one audit order', { timeout: 90_000 }, async () => {
    const bank = await openBank(server, 'bank_two_relays', 30, 50_000);
    banks.push(bank);
    const rnd = prng(8);
    const acknowledged = new Map<string, TransferRecord>();
    const codes = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 40 }, async (_, conn) => {
        const relay = bank.relays[conn % 2]!;
        for (let k = 0; k < 40; k++) {
          const from = bank.accounts[rnd.int(0, bank.accounts.length - 1)]!;
          let to = bank.accounts[rnd.int(0, bank.accounts.length - 1)]!;
          if (to === from) to = bank.accounts[(bank.accounts.indexOf(from) + 1) % bank.accounts.length]!;
          const amount = rnd.chance(0.1) ? 80_000 : rnd.int(1, 2_000);
          try {
            const r = await transfer(relay, { kind: 'transfer', transferId: randomUUID(), from: from.account, to: to.account, amount, actor: from.owner });
            acknowledged.set(r.transfer.id, r.transfer);
          } catch (err) {
            if (!isBankError(err)) throw err;
            codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
          }
        }
      }),
    );
    // The only refusals are the rules' own (no INTERNAL, no deadlock, no serialization failure).
    expect([...codes.keys()].filter((c) => c !== 'INSUFFICIENT_FUNDS')).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(1000);
    expect(bank.relays.every((r) => r.writer.stats.batches > 0)).toBe(true);
    await checkBank(bank, acknowledged);
  });

  it('keeps a transfer id idempotent across relays: sent to both at once, it moves money once', async () => {
    const bank = await openBank(server, 'bank_idempotent', 4, 10_000);
    banks.push(bank);
    const [a, b] = bank.accounts;
    const acknowledged = new Map<string, TransferRecord>();
    for (let round = 0; round < 10; round++) {
      const req: MoveRequest = { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 7, actor: a!.owner };
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => transfer(bank.relays[i % 2]!, req)));
      expect(results.filter((r) => !r.replay)).toHaveLength(1);
      for (const r of results) expect(r.transfer).toEqual(results[0]!.transfer);
      acknowledged.set(req.transferId, results[0]!.transfer);
      // The same id with another amount is a conflict on either relay.
      await expect(transfer(bank.relays[round % 2]!, { ...req, amount: 8 })).rejects.toMatchObject({ code: 'CONFLICT' });
    }
    await checkBank(bank, acknowledged);
    const c = await bank.pools[1]!.connect();
    try {
      const rows = await c.query<{ balance: string }>('SELECT balance FROM accounts WHERE account = $1', [a!.account]);
      expect(Number(rows.rows[0]!.balance)).toBe(10_000 - 70);
    } finally {
      c.release();
    }
  });

  it('serves 10 hot accounts from both relays with no deadlock reaching a client', { timeout: 90_000 }, async () => {
    const bank = await openBank(server, 'bank_hot', 10, 1_000_000);
    banks.push(bank);
    const rnd = prng(10);
    const acknowledged = new Map<string, TransferRecord>();
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, conn) => {
        for (let k = 0; k < 50; k++) {
          const i = rnd.int(0, 9);
          const from = bank.accounts[i]!;
          const to = bank.accounts[(i + rnd.int(1, 9)) % 10]!;
          try {
            const r = await transfer(bank.relays[conn % 2]!, { kind: 'transfer', transferId: randomUUID(), from: from.account, to: to.account, amount: rnd.int(1, 100), actor: from.owner });
            acknowledged.set(r.transfer.id, r.transfer);
          } catch (err) {
            failures.push(isBankError(err) ? `${err.code}: ${err.message}` : String(err));
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(acknowledged.size).toBe(40 * 50);
    await checkBank(bank, acknowledged);
  });

  it('tells every relay what another one posted, once committed, as ranges of seqs naming whom they concern', { timeout: 60_000 }, async () => {
    const bank = await openBank(server, 'bank_events', 6, 100_000);
    banks.push(bank);
    const heard: Record<'A' | 'B', RelayNotice[]> = { A: [], B: [] };
    const errors: Error[] = [];
    const listeners = await Promise.all((['A', 'B'] as const).map((name) => EventListener.open(bank.url, (n) => heard[name].push(n), (e) => errors.push(e))));
    try {
      const [a, b] = bank.accounts;
      // 250 transfers on relay A, in as few batches as the writer makes of them.
      const made = await Promise.all(
        Array.from({ length: 250 }, () => transfer(bank.relays[0]!, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 1, actor: a!.owner })),
      );
      // A refused one is not announced.
      await expect(transfer(bank.relays[0]!, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 10_000_000, actor: a!.owner })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
      const seqs = made.map((r) => r.transfer.seq).sort((x, y) => x - y);
      const rangesHeardBy = (name: 'A' | 'B') => heard[name].filter((n) => n.relay === 'relay-A').flatMap((n) => (n.posted ? [n.posted] : []));
      const seqsHeardBy = (name: 'A' | 'B') =>
        rangesHeardBy(name)
          .flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i))
          .sort((x, y) => x - y);
      await expect.poll(() => seqsHeardBy('B').length, { timeout: 10_000 }).toBe(250);
      expect(seqsHeardBy('B')).toEqual(seqs);
      expect(seqsHeardBy('A')).toEqual(seqs);
      // Each range names the two people its transfers concern, and none is large.
      for (const r of rangesHeardBy('B')) {
        expect([...(r.owners ?? [])].sort()).toEqual([a!.owner, b!.owner].sort());
        expect(r.large).toBeUndefined();
      }
      // Relay B reads the transfers by their seqs, as it does for its own sessions' events.
      const c = await bank.pools[1]!.connect();
      try {
        const rows = await Promise.all(rangesHeardBy('B').map((r) => c.query<{ record: TransferRecord }>('SELECT record FROM transfers WHERE seq BETWEEN $1 AND $2', [r.first, r.last])));
        expect(rows.flatMap((q) => q.rows.map((r) => r.record.id)).sort()).toEqual(made.map((r) => r.transfer.id).sort());
      } finally {
        c.release();
      }
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(listeners.map((l) => l.close()));
    }
  });

  it('announces the sessions a batch ends, grouped by why, so other relays tell their connections the reason', { timeout: 60_000 }, async () => {
    const bank = await openBank(server, 'bank_ended', 1, 1_000);
    banks.push(bank);
    const heard: RelayNotice[] = [];
    const listener = await EventListener.open(bank.url, (n) => heard.push(n), () => undefined);
    try {
      const session = (key: string) => ({ type: 'session' as const, key, session: { username: 'pg_user_1', createdAt: 1, lastSeenAt: 1, expiresAt: Date.now() + 60_000 } });
      const del = (key: string) => ({ type: 'endSession' as const, key });
      const keys = Array.from({ length: 5 }, (_, i) => `session-${i}`);
      const { writer } = bank.relays[0]!;
      await writer.commit(keys.map(session), []);
      // Two revoked with a reason, one logged out without, one ended then made again. The idle
      // writer takes the first job alone; the other three queue meanwhile and go in one batch,
      // where the session made again is not ended.
      await Promise.all([
        writer.commit([del('session-0'), del('session-1')], [], { endedReason: 'this user was frozen by the bank' }),
        writer.commit([del('session-2')], []),
        writer.commit([del('session-3')], [], { endedReason: 'the password was changed' }),
        writer.commit([session('session-3')], []),
      ]);
      await expect.poll(() => heard.filter((n) => n.ended).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const ended = heard.filter((n) => n.ended).map((n) => ({ ended: [...n.ended!].sort(), reason: n.reason }));
      expect(ended).toHaveLength(2);
      expect(ended).toContainEqual({ ended: ['session-0', 'session-1'], reason: 'this user was frozen by the bank' });
      expect(ended).toContainEqual({ ended: ['session-2'], reason: undefined });
    } finally {
      await listener.close();
    }
  });

  it('a batch with one failing statement commits nothing: every job in it is told the change is in doubt, and the next batch goes through', { timeout: 60_000 }, async () => {
    const bank = await openBank(server, 'bank_failed_batch', 2, 10_000);
    banks.push(bank);
    const [a, b] = bank.accounts;
    const headBefore = (await bank.pools[0]!.query<{ seq: string }>('SELECT seq FROM audit_head')).rows[0]!.seq;
    const writer = bank.relays[0]!;
    const { ledger } = writer;
    // The first job goes alone while the writer is idle; the next three share one batch, in
    // which a session row without a username breaks the NOT NULL constraint near the end.
    const first = transfer(writer, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 1, actor: a!.owner });
    const doomed = transfer(writer, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 2, actor: a!.owner });
    const broken = writer.writer.commit([{ type: 'session', key: 'broken', session: {} as never }], [{ actor: 'test', role: 'system', action: 'session.create', outcome: 'ok' }]);
    const alsoDoomed = ledger.setLimits(a!.owner, { perTransfer: 5 }, [], [{ actor: 'admin', role: 'admin', action: 'admin.limits.set', target: a!.owner, outcome: 'ok' }]);
    const acknowledged = new Map<string, TransferRecord>([[(await first).transfer.id, (await first).transfer]]);
    for (const p of [doomed, broken, alsoDoomed]) await expect(p).rejects.toMatchObject({ code: 'IN_DOUBT', message: expect.stringMatching(/could not confirm this change was saved/) });
    // Nothing of that batch is stored: the head moved by the first transfer's entry alone.
    const c = await bank.pools[0]!.connect();
    try {
      expect(Number((await c.query<{ seq: string }>('SELECT seq FROM audit_head')).rows[0]!.seq)).toBe(Number(headBefore) + 1);
      expect((await c.query('SELECT 1 FROM sessions WHERE key = $1', ['broken'])).rowCount).toBe(0);
      expect((await c.query<{ n: string }>('SELECT count(*) AS n FROM transfers')).rows[0]!.n).toBe(String(2 + 1));
    } finally {
      c.release();
    }
    // The writer goes on with a fresh connection.
    const next = await transfer(writer, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 3, actor: a!.owner });
    acknowledged.set(next.transfer.id, next.transfer);
    await checkBank(bank, acknowledged);
  });

  it('opens accounts from both relays at once with distinct, consecutive numbers, and freezes an owner in order with transfers', async () => {
    const bank = await openBank(server, 'bank_accounts', 2, 10_000);
    banks.push(bank);
    const opened = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        bank.relays[i % 2]!.ledger.openAccount(`opened_${i % 10}`, [], [{ actor: 'admin', role: 'admin', action: 'account.open', target: `opened_${i % 10}`, outcome: 'ok' }]),
      ),
    );
    const numbers = opened.map((a) => a.account);
    expect(new Set(numbers).size).toBe(30);
    expect(numbers.map((n) => Number(n.slice(4))).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 3));
    const [a, b] = bank.accounts;
    // A transfer queued before the freeze goes through; the one after it is refused.
    const before = transfer(bank.relays[0]!, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 5, actor: a!.owner });
    const freeze = bank.relays[0]!.ledger.setOwnerStatus(b!.owner, 'frozen', [], [{ actor: 'admin', role: 'admin', action: 'admin.user.setStatus', target: b!.owner, outcome: 'frozen' }]);
    const after = transfer(bank.relays[0]!, { kind: 'transfer', transferId: randomUUID(), from: a!.account, to: b!.account, amount: 5, actor: a!.owner });
    const acknowledged = new Map<string, TransferRecord>([[(await before).transfer.id, (await before).transfer]]);
    expect(await freeze).toMatchObject([{ account: b!.account, status: 'frozen' }]);
    await expect(after).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });
    await checkBank(bank, acknowledged, 2 * 30 + 1);
  });
});
