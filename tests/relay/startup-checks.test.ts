import { randomUUID } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../common/schemas/models.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { AccountState } from '../../relay/ledger/types.js';
import type { LogFields, Logger, LogLevel } from '../../relay/log.js';
import { Relay } from '../../relay/server.js';
import { StartupError } from '../../relay/startup/startup-error.js';
import { ADMIN_PASSWORD, connect, startTestRelay, tempDir } from '../helpers/relay.js';
import { healthz, promValue, scrape } from '../helpers/prom.js';

/*
 * "audit chain head and ledger totals verified at start (quick check), with a clear
 * refusal to serve on a mismatch unless --force". Data directories are tampered with through
 * LevelDB directly (sublevel names and keys as in relay/store/leveldb/tables.ts and journal.ts),
 * as someone with file access could, after a clean stop (whose signed checkpoint then no longer
 * describes the database, so the journal is read and checked).
 */

let root: string;
let dataDir: string;
let copies = 0;

type Db = Level<string, unknown>;
const sub = <V>(db: Db, name: string) => db.sublevel<string, V>(name, { valueEncoding: 'json' });
const seqKey = (seq: number) => String(seq).padStart(16, '0');
const legKey = (account: string, n: number) => `${account}!${String(n).padStart(12, '0')}`;

/** A copy of the relay's data directory with `edit` applied to its database. */
async function tampered(edit: (db: Db) => Promise<void>): Promise<string> {
  const dir = path.join(root, `copy-${++copies}`);
  await cp(dataDir, dir, { recursive: true });
  const db = new Level<string, unknown>(path.join(dir, 'db'), { valueEncoding: 'json' });
  await db.open();
  try {
    await edit(db);
  } finally {
    await db.close();
  }
  return dir;
}

/** A customer account with entries (one the test run paid into). */
async function fundedAccount(db: Db): Promise<AccountState> {
  for await (const a of sub<AccountState>(db, 'accounts').values()) if (a.account !== CASH_ACCOUNT && a.entrySeq > 0) return a;
  throw new Error('no funded customer account');
}

async function lastAuditSeq(db: Db): Promise<number> {
  for await (const e of sub<AuditEntry>(db, 'audit').values({ reverse: true, limit: 1 })) return e.seq;
  return 0;
}

function capturingLogger(): Logger & { calls: { level: LogLevel; msg: string; fields: LogFields | undefined }[] } {
  const calls: { level: LogLevel; msg: string; fields: LogFields | undefined }[] = [];
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => void calls.push({ level, msg, fields });
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const start = (dir: string, extra: { forceStart?: boolean } = {}, log: Logger = capturingLogger()) =>
  Relay.start({ dataDir: dir, tcpPort: 0, wsPort: 0, scryptLog2N: 12, logLevel: 'silent', ...extra }, { log, adminPassword: ADMIN_PASSWORD });

/** Start must fail with a StartupError naming the problem and the commands for a full report. */
async function expectRefused(dir: string, problem: RegExp): Promise<string> {
  const err = await start(dir).then(
    async (relay) => {
      await relay.close();
      throw new Error('the relay started on tampered data');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  const message = (err as Error).message;
  expect(message).toMatch(/^refusing to serve: the start-up check of .+ found a mismatch\n/);
  expect(message).toMatch(problem);
  expect(message).toContain(`bank-relay audit verify --data ${dir}`);
  expect(message).toContain(`bank-relay ledger verify --data ${dir}`);
  expect(message).toContain('--force');
  return message;
}

describe('start-up checks', () => {
  beforeAll(async () => {
    root = await tempDir('bank-startup-');
    dataDir = path.join(root, 'data');
    const t = await startTestRelay({ dataDir });
    const admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const username of ['jane_smith', 'john_doe']) {
      await admin.request('auth.register', { username, password: `${username} password`, displayName: username });
      await admin.request('admin.registration.decide', { username, approve: true });
    }
    const jane = (await t.relay.context.ledger.accountsOf('jane_smith'))[0]!.account;
    const john = (await t.relay.context.ledger.accountsOf('john_doe'))[0]!.account;
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: jane, amount: 10_000 });
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: john, amount: 5_000 });
    admin.close();
    await t.stop();
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('passes on untouched data and serves', async () => {
    const relay = await start(dataDir);
    try {
      expect(relay.startupProblems).toEqual([]);
      expect((await healthz(relay.wsAddress.port)).body).toMatchObject({ status: 'ok', startupCheck: 'ok' });
    } finally {
      await relay.close();
    }
  });

  it('refuses an account balance changed behind the ledger\'s back', async () => {
    const dir = await tampered(async (db) => {
      const a = await fundedAccount(db);
      await sub<AccountState>(db, 'accounts').put(a.account, { ...a, balance: a.balance + 1 });
    });
    const message = await expectRefused(dir, /\n {2}- ledger: account [A-Z0-9]+: balance \d+ but its last entry ends at \d+\n/);
    expect(message).not.toMatch(/- audit:/);
  });

  it('refuses balances that no longer sum to zero, even when each account agrees with its entries', async () => {
    const dir = await tampered(async (db) => {
      const a = await fundedAccount(db);
      // The account's last entry: the last seq of its last history run, a row in the journal.
      let seq = 0;
      for await (const seqs of sub<number[]>(db, 'legs').values({ lte: legKey(a.account, a.entrySeq), reverse: true, limit: 1 })) seq = seqs[seqs.length - 1]!;
      const journal = sub<unknown[][]>(db, 'journal');
      const chunk = seqKey(Math.floor((seq - 1) / 32));
      const rows = (await journal.get(chunk))!;
      const row = rows[(seq - 1) % 32]!;
      // [id, kind, from, to, amount, actor, fromEntry, toEntry, fromBalanceAfter, toBalanceAfter, ts, memo?]
      const after = row[2] === a.account ? 8 : 9;
      row[after] = (row[after] as number) + 700;
      await journal.put(chunk, rows);
      await sub<AccountState>(db, 'accounts').put(a.account, { ...a, balance: a.balance + 700 });
    });
    await expectRefused(dir, /- ledger: the account balances sum to 700, not 0/);
  });

  it('refuses an audit log whose last entry was deleted', async () => {
    let head = 0;
    const dir = await tampered(async (db) => {
      head = await lastAuditSeq(db);
      await sub<AuditEntry>(db, 'audit').del(seqKey(head));
    });
    await expectRefused(dir, new RegExp(`- audit: the head says seq ${head} but the last stored entry is seq ${head - 1}`));
  });

  it('refuses an audit entry edited at the head', async () => {
    const dir = await tampered(async (db) => {
      const audit = sub<AuditEntry>(db, 'audit');
      const seq = await lastAuditSeq(db);
      const e = (await audit.get(seqKey(seq)))!;
      await audit.put(seqKey(seq), { ...e, actor: 'mallory' });
    });
    await expectRefused(dir, /- audit: seq \d+: hash does not match its content/);
  });

  it('refuses a head entry re-hashed over a rewritten predecessor', async () => {
    const dir = await tampered(async (db) => {
      const audit = sub<AuditEntry>(db, 'audit');
      const seq = await lastAuditSeq(db);
      const before = (await audit.get(seqKey(seq - 1)))!;
      await audit.put(seqKey(seq - 1), { ...before, outcome: 'rewritten' });
    });
    await expectRefused(dir, /- audit: seq \d+: hash does not match its content/);
  });

  it('names every problem found, audit and ledger together', async () => {
    const dir = await tampered(async (db) => {
      await sub<AuditEntry>(db, 'audit').del(seqKey(await lastAuditSeq(db)));
      const a = await fundedAccount(db);
      await sub<AccountState>(db, 'accounts').put(a.account, { ...a, balance: a.balance - 3 });
    });
    await expectRefused(dir, /- audit: .+\n {2}- ledger: .+\n/);
  });

  it('serves anyway with forceStart, after a loud warning, and says so in /healthz and /metrics', async () => {
    const dir = await tampered(async (db) => {
      const a = await fundedAccount(db);
      await sub<AccountState>(db, 'accounts').put(a.account, { ...a, balance: a.balance + 1 });
    });
    // A refused start releases the ports and the database lock: the forced start right after works.
    await expectRefused(dir, /- ledger: /);
    const log = capturingLogger();
    const relay = await start(dir, { forceStart: true }, log);
    try {
      expect(relay.startupProblems).toHaveLength(1);
      expect(relay.startupProblems[0]).toMatch(/^ledger: account [A-Z0-9]+: balance/);
      const warning = log.calls.find((c) => c.level === 'error' && /START-UP CHECK FAILED/.test(c.msg));
      expect(warning?.msg).toMatch(/--force/);
      expect(warning?.fields).toEqual({ problems: relay.startupProblems });
      const h = await healthz(relay.wsAddress.port);
      expect(h).toMatchObject({ status: 200, body: { status: 'ok', startupCheck: 'failed (forced)' } });
      expect(promValue((await scrape(relay.wsAddress.port)).samples, 'bankrelay_startup_check_ok')).toBe(0);
      const c = await connect({ relay, dataDir: dir, tcpPort: relay.tcpAddress.port, wsPort: relay.wsAddress.port, wsUrl: '', stop: () => relay.close() }, 'tcp');
      expect(await c.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD })).toMatchObject({ token: expect.any(String) });
      c.close();
    } finally {
      await relay.close();
    }
  });
});
