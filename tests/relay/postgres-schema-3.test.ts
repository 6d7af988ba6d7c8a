import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import type { Transfer, User } from '../../common/schemas/models.js';
import { newClient } from '../../relay/store/postgres/connect.js';
import { migrate, SCHEMA_VERSION } from '../../relay/store/postgres/migrations.js';
import { allTransfers, allUsers, chainProblems, expectReplayed, fullHistory } from '../helpers/ledger.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { connect, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';

/*
 * A PostgreSQL bank written by the release whose schema was version 3 (fixture:
 * tests/fixtures/pg-schema-3, each transfer's legs in an entries table) is migrated when a
 * relay starts on it, and then serves exactly what that release served, replays its transfer
 * ids and verifies. A database whose entries disagree with its transfers is not migrated.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/pg-schema-3/', import.meta.url));
const IDENTITY = fileURLToPath(new URL('../fixtures/layout-1/bank/identity.pem', import.meta.url));
const ADMIN = 'fixture admin password';

interface Expected {
  users: User[];
  transfers: Transfer[];
  histories: Record<string, Transfer[]>;
}

describe('a PostgreSQL bank written at schema version 3', () => {
  let server: TestPostgres;
  let root: string;
  let expected: Expected;
  let dump: string;

  beforeAll(async () => {
    server = await startPostgres();
    root = await tempDir('bank-pg-3-');
    expected = JSON.parse(await readFile(path.join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
    dump = await readFile(path.join(FIXTURE, 'bank.sql'), 'utf8');
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  /** A new database holding the fixture, through a client of its own (the dump empties its search_path). */
  async function restored(name: string, edit?: (c: pg.Client) => Promise<void>): Promise<string> {
    const url = await server.createDatabase(name);
    const c = newClient(url);
    await c.connect();
    try {
      await c.query(dump);
      await c.query('SET search_path TO public');
      if (edit) await edit(c);
    } finally {
      await c.end();
    }
    return url;
  }

  /** A data directory holding the bank's identity key (the fixture's), 0600 as the relay wants it. */
  async function dataDir(name: string): Promise<string> {
    const dir = path.join(root, name);
    await mkdir(dir, { mode: 0o700 });
    await copyFile(IDENTITY, path.join(dir, 'identity.pem'));
    await chmod(path.join(dir, 'identity.pem'), 0o600);
    return dir;
  }

  async function fixtureAdmin(t: TestRelay): Promise<BankClient> {
    const admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN });
    return admin;
  }

  it('is migrated at start, serves the same bank, replays old transfer ids and verifies', async () => {
    const url = await restored('schema3');
    const t = await startTestRelay({ store: url, dataDir: await dataDir('relay') });
    try {
      const admin = await fixtureAdmin(t);
      const users = await allUsers(admin);
      expect(users.map((u) => ({ username: u.username, status: u.status, limits: u.limits, accounts: u.accounts }))).toEqual(
        expected.users.map((u) => ({ username: u.username, status: u.status, limits: u.limits, accounts: u.accounts })),
      );
      expect(await allTransfers(admin)).toEqual(expected.transfers);
      for (const [account, transfers] of Object.entries(expected.histories)) expect(await allTransfers(admin, account), account).toEqual(transfers);
      expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, accounts: 7, transfers: expected.transfers.length, sum: 0 });
      expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });

      // A customer's history reads as an unbroken chain, memos and all.
      const jane = await connect(t, 'ws');
      await jane.request('auth.login', { username: 'jane_smith', password: 'jane-demo-pass' });
      const history = await fullHistory(jane);
      expect(chainProblems(history, true)).toEqual([]);
      expect(history.find((e) => e.transferId === '44444444-4444-4444-8444-000000000001')).toMatchObject({ amount: -321, memo: 'On PostgreSQL — first' });
      // A transfer of the old schema sent again is a replay; a new one posts after it.
      const dora = expected.users.find((u) => u.username === 'dora_diaz')!.accounts[0]!.account;
      await expectReplayed(jane, expected.transfers.find((x) => x.id === '44444444-4444-4444-8444-000000000001')!);
      const before = (await jane.request('account.balance', {})).balance;
      const fresh = await jane.request('transfer.create', { transferId: randomUUID(), to: dora, amount: 5 });
      expect(fresh.balance).toBe(before - 5);
      expect((await fullHistory(jane))[0]).toMatchObject({ transferId: fresh.transfer.id, amount: -5, balanceAfter: before - 5 });
      expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, transfers: expected.transfers.length + 1, sum: 0 });
      jane.close();
      admin.close();
    } finally {
      await t.relay.close();
    }
    const c = newClient(url);
    await c.connect();
    try {
      expect((await c.query<{ v: number }>('SELECT max(version)::int AS v FROM bank_schema_migrations')).rows[0]!.v).toBe(SCHEMA_VERSION);
      expect((await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'entries'")).rows).toEqual([]);
    } finally {
      await c.end();
    }
  });

  it('is not migrated when an entry disagrees with its transfer: the migration is rolled back whole, naming it', async () => {
    const victim = expected.transfers.find((x) => x.id === '44444444-4444-4444-8444-000000000001')!;
    const url = await restored('schema3_edited', (c) =>
      c.query(`UPDATE entries SET record = jsonb_set(record, '{balanceAfter}', '1') WHERE transfer_id = $1 AND account = $2`, [victim.id, victim.to]).then(() => undefined),
    );
    const c = newClient(url);
    await c.connect();
    try {
      await expect(migrate(c)).rejects.toThrow(/migration 4 \(.*\) failed and was rolled back: entry \d+ of account DB\d+ is not the leg its transfer records/);
      expect((await c.query<{ v: number }>('SELECT max(version)::int AS v FROM bank_schema_migrations')).rows[0]!.v).toBe(3);
      const columns = await c.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'transfers' AND column_name IN ('from_entry', 'to_entry')");
      expect(columns.rows).toEqual([]);
      expect(Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM entries')).rows[0]!.n)).toBe(2 * expected.transfers.length);
    } finally {
      await c.end();
    }
  });
});
