import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { resolveConfig } from '../../relay/config.js';
import { IDLE_IN_TRANSACTION_MS, newClient, openPool } from '../../relay/store/postgres/connect.js';
import { openPgOffline } from '../../relay/store/postgres/pg-offline.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * A connection the server ends while it sits idle (a restart, a failover, pg_terminate_backend,
 * or a shutdown racing our own pool.end()) must not take the process down: pg reports it as an
 * 'error' event, which throws when nobody listens. A CI run once died of exactly that, a test
 * pool's idle connections cut by the server's shutdown. Vitest fails this file on any such
 * uncaught error, so each case below also checks that nothing escaped.
 */
describe('PostgreSQL connections ended by the server', () => {
  let server: TestPostgres;
  let url: string;
  let admin: ReturnType<typeof newClient>;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('bank_connections');
    admin = newClient(server.url);
    await admin.connect();
  }, 90_000);
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  /** Ends every connection to the bank's database but the admin's, as the server's shutdown does; how many it ended. */
  async function terminateAll(): Promise<number> {
    const r = await admin.query<{ pid: number }>("SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = 'bank_connections' AND pid <> pg_backend_pid()");
    return r.rowCount ?? 0;
  }

  it('a pool drops its idle connections the server ended, tells onError, and serves the next query on a fresh one', async () => {
    const errors: Error[] = [];
    const pool = openPool(url, 4, (err) => errors.push(err));
    try {
      await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.02)')));
      expect(pool.idleCount).toBe(4);
      expect(await terminateAll()).toBe(4);
      await expect.poll(() => pool.totalCount).toBe(0);
      expect(errors.map((e) => (e as Error & { code?: string }).code)).toEqual(['57P01', '57P01', '57P01', '57P01']);
      const after = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(after.rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('a lone client ended while idle refuses its next query with an error instead of crashing', async () => {
    const errors: Error[] = [];
    const client = newClient(url, (err) => errors.push(err));
    await client.connect();
    expect(await terminateAll()).toBe(1);
    // pg reports the server's FATAL message, then the socket's end.
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect((errors[0] as Error & { code?: string }).code).toBe('57P01');
    await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminated/);
    await client.end().catch(() => undefined);
  });

  it("the offline store (operator commands, the bench's set-up) goes on after its idle connections are cut", async () => {
    const offline = await openPgOffline(resolveConfig({ store: url }));
    try {
      const before = await offline.bank.auditHead();
      expect(await terminateAll()).toBeGreaterThan(0);
      await expect.poll(() => offline.bank.pool.totalCount).toBe(0);
      expect(await offline.bank.auditHead()).toEqual(before);
      expect((await offline.bank.verifyLedger()).ok).toBe(true);
    } finally {
      await offline.close();
    }
  });
  it('a relay frozen inside a batch holds the audit-head lock only until the server ends its idle transaction; the other relay then goes on', async () => {
    const offline = await openPgOffline(resolveConfig({ store: url }));
    // A short timeout for the frozen side, so the test need not wait the default.
    const frozenPool = openPool(url, 1, () => undefined, { idleInTransactionMs: 300 });
    try {
      const shown = await offline.bank.pool.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout');
      expect(shown.rows[0]!.idle_in_transaction_session_timeout).toBe(`${IDLE_IN_TRANSACTION_MS / 1000}s`);
      const account = await offline.ledger.openAccount('frozen_relay_owner', [], [{ actor: 'admin', role: 'admin', action: 'account.open', target: 'frozen_relay_owner', outcome: 'ok' }]);
      // Relay A takes the head lock, as the first round trip of a batch does, and freezes there.
      const frozen = await frozenPool.connect();
      await frozen.query('BEGIN');
      await frozen.query('SELECT seq FROM audit_head FOR UPDATE');
      // Relay B's deposit waits for the lock, and goes through once the server has ended A's transaction.
      const moved = await offline.ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: account.account, amount: 100, actor: 'admin' }, { actor: 'admin', role: 'admin', action: 'admin.account.deposit' });
      expect(moved.balance).toBe(100);
      // A's connection is gone (it was checked out, so only its own query tells): nothing of its transaction stays.
      await expect(frozen.query('SELECT 1')).rejects.toThrow();
      frozen.release(true);
      expect((await offline.bank.verifyLedger()).ok).toBe(true);
      expect((await offline.bank.verifyAudit()).ok).toBe(true);
    } finally {
      await frozenPool.end();
      await offline.close();
    }
  });
});
