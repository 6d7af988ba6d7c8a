import { randomUUID } from 'node:crypto';
import { chmod, cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import type { Transfer, User } from '../../common/schemas/models.js';
import { runCli } from '../helpers/cli.js';
import { allTransfers, allUsers, chainProblems, expectReplayed, fullHistory } from '../helpers/ledger.js';
import { connect, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';

/*
 * A data directory and a backup written by the release before the journal layout (fixture:
 * tests/fixtures/layout-1) open with this one: the database is moved to the current layout at
 * start, and the bank then serves exactly what the previous release served (every balance,
 * every transfer, each account's transfers), replays old transfer ids, and verifies.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/layout-1/', import.meta.url));
const ADMIN = 'fixture admin password';

interface Expected {
  users: User[];
  transfers: Transfer[];
  histories: Record<string, Transfer[]>;
}

/** A private copy of the fixture's data directory (git keeps no modes; the relay wants its key 0600). */
async function copyOfBank(root: string, name: string): Promise<string> {
  const dir = path.join(root, name);
  await cp(path.join(FIXTURE, 'bank'), dir, { recursive: true });
  await chmod(dir, 0o700);
  await chmod(path.join(dir, 'identity.pem'), 0o600);
  return dir;
}

/** Logs in as the fixture's admin on a relay started with the default admin password of the tests: the fixture's own admin stays. */
async function fixtureAdmin(t: TestRelay): Promise<BankClient> {
  const admin = await connect(t, 'tcp');
  await admin.request('auth.login', { username: 'admin', password: ADMIN });
  return admin;
}

/** The bank serves what the previous release served, and verifies. */
async function expectSameBank(admin: BankClient, expected: Expected): Promise<void> {
  const users = await allUsers(admin);
  expect(users.map((u) => ({ username: u.username, status: u.status, limits: u.limits, accounts: u.accounts }))).toEqual(
    expected.users.map((u) => ({ username: u.username, status: u.status, limits: u.limits, accounts: u.accounts })),
  );
  expect(await allTransfers(admin)).toEqual(expected.transfers);
  for (const [account, transfers] of Object.entries(expected.histories)) expect(await allTransfers(admin, account), account).toEqual(transfers);
  expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, accounts: 7, transfers: 57, sum: 0 });
  expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
}

describe('a bank written by the release before the journal layout', () => {
  let root: string;
  let expected: Expected;
  beforeAll(async () => {
    root = await tempDir('bank-layout-1-');
    expected = JSON.parse(await readFile(path.join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('opens: the database moves to the current layout, serves the same bank, and replays old transfer ids', async () => {
    const dir = await copyOfBank(root, 'opened');
    let t = await startTestRelay({ dataDir: dir });
    try {
      let admin = await fixtureAdmin(t);
      await expectSameBank(admin, expected);
      // A customer signs in and reads their history: an unbroken chain, as before.
      const jane = await connect(t, 'ws');
      await jane.request('auth.login', { username: 'jane_smith', password: 'jane-demo-pass' });
      const history = await fullHistory(jane);
      expect(chainProblems(history, true)).toEqual([]);
      expect(history.find((e) => e.transferId === '11111111-1111-4111-8111-111111111111')).toMatchObject({ amount: -1234, memo: 'Rent — June' });
      // An old transfer sent again is a replay: the original answer, no money moved.
      await expectReplayed(jane, expected.transfers.find((x) => x.id === '11111111-1111-4111-8111-111111111111')!);
      // The limit set before still holds, and the frozen customer is still frozen.
      const johnClient = await connect(t, 'tcp');
      await johnClient.request('auth.login', { username: 'john_doe', password: 'john-demo-pass' });
      const jane2 = expected.users.find((u) => u.username === 'jane_smith')!.accounts[0]!.account;
      await expect(johnClient.request('transfer.create', { transferId: randomUUID(), to: jane2, amount: 2501 })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
      const bob = await connect(t, 'tcp');
      await expect(bob.request('auth.login', { username: 'bob_brown', password: 'bob-demo-pass' })).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });
      for (const c of [jane, johnClient, bob, admin]) c.close();

      // After a clean stop and a start on the new layout, the same bank.
      await t.relay.close();
      t = await startTestRelay({ dataDir: dir });
      admin = await fixtureAdmin(t);
      const stillExpected = { ...expected, users: await allUsers(admin) };
      await expectSameBank(admin, stillExpected);
      admin.close();
    } finally {
      await t.relay.close();
    }
    // Nothing of the old layout is left.
    const db = new Level<string, unknown>(path.join(dir, 'db'));
    try {
      const left: string[] = [];
      for await (const key of db.keys()) if (/^!(transfers|txlog|entries)!/.test(key)) left.push(key);
      expect(left).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('moves again from the start when a move was cut short', async () => {
    const dir = await copyOfBank(root, 'interrupted');
    // What an interrupted move leaves: some new keys, no mark that it finished.
    const db = new Level<string, unknown>(path.join(dir, 'db'), { valueEncoding: 'json' });
    await db.put('!journal!0000000000000000', [['half-written']]);
    await db.put('!legs!DB880000000002!000000000001', [999]);
    await db.close();
    const t = await startTestRelay({ dataDir: dir });
    try {
      const admin = await fixtureAdmin(t);
      await expectSameBank(admin, expected);
      admin.close();
    } finally {
      await t.relay.close();
    }
  });

  it('restores from a backup the previous release made, and serves the same bank', async () => {
    const target = path.join(root, 'restored');
    const res = await runCli(['restore', '--in', path.join(FIXTURE, 'bank.bak'), '--data', target]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/\nledger OK: 7 accounts, 57 transfers, balances sum to 0\naudit chain OK: 75 entries, head seq 75 [0-9a-f]{64}\n$/);
    const t = await startTestRelay({ dataDir: target });
    try {
      const admin = await fixtureAdmin(t);
      await expectSameBank(admin, expected);
      admin.close();
    } finally {
      await t.relay.close();
    }
  });
});
