import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import type { AuditEntry } from '../../common/schemas/models.js';
import { killStrays, runCli, tempRoot } from '../helpers/cli.js';
import { ADMIN_PASSWORD, addUser, connect, loginAs, startTestRelay } from '../helpers/relay.js';

/** Generous: these spawn processes, and a busy machine must not turn slowness into failures. */
const SLOW = { timeout: 90_000 };

/** Every password typed during the run, right or wrong. */
const JANE_PASSWORD = 'jane secret password';
const REGISTER_PASSWORD = 'newcomer password';
const NEW_ADMIN_PASSWORD = 'the admin password, changed';
const WRONG_PASSWORDS = ['wrong guess number 1', 'wrong guess number 2', 'nobody has this password'];
const tokens: string[] = [];

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let dataDir: string;
/** The audit log as written by the relay, in key order. */
let entries: AuditEntry[];
let copies = 0;

/** Opens DIR/db directly, as an attacker with file access would. */
async function withDb<T>(dir: string, fn: (db: Level<string, unknown>) => Promise<T>): Promise<T> {
  const db = new Level<string, unknown>(path.join(dir, 'db'), { valueEncoding: 'json' });
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const auditOf = (db: Level<string, unknown>) => db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
const key = (seq: number) => String(seq).padStart(16, '0');

/** A copy of the data directory with `edit` applied to its database. */
async function tampered(edit: (db: Level<string, unknown>) => Promise<void>): Promise<string> {
  const dir = tmp.path(`copy-${++copies}`);
  await cp(dataDir, dir, { recursive: true });
  await withDb(dir, edit);
  return dir;
}

const verify = (dir: string) => runCli(['audit', 'verify', '--data', dir]);

/** Exit 1 and "BROKEN at seq N" naming exactly `seq` as the first bad one. */
function expectBrokenAt(expect: ExpectStatic, res: { code: number | null; stdout: string; stderr: string }, seq: number): void {
  expect(res.stderr).toBe('');
  expect(res.code).toBe(1);
  expect(res.stdout).toMatch(/^audit chain BROKEN at seq \d+: .+\n$/);
  expect(Number(/BROKEN at seq (\d+)/.exec(res.stdout)?.[1])).toBe(seq);
}

/** One character changed, the length kept: one byte of the stored JSON. */
function flipChar(s: string, at: number): string {
  const c = s[at]!;
  const other = /\d/.test(c) ? String((Number(c) + 1) % 10) : c === 'x' ? 'y' : 'x';
  return s.slice(0, at) + other + s.slice(at + 1);
}

beforeAll(async () => {
  tmp = await tempRoot('bank-audit-');
  dataDir = tmp.path('data');
  // A real relay writing a real log over real connections: registration, sign-ins on both
  // transports, failures, resume, a password change and logouts.
  const t = await startTestRelay({ dataDir });
  try {
    const anon = await connect(t, 'tcp');
    await anon.request('auth.register', { username: 'newcomer', password: REGISTER_PASSWORD, displayName: 'New Comer' });
    await addUser(t, 'jane_smith', JANE_PASSWORD, 'user', 'Jane Smith');
    for (const password of WRONG_PASSWORDS.slice(0, 2)) {
      expect(await anon.call('auth.login', { username: 'jane_smith', password })).toMatchObject({ ok: false });
    }
    expect(await anon.call('auth.login', { username: 'nobody', password: WRONG_PASSWORDS[2] })).toMatchObject({ ok: false });

    const jane = await loginAs(t, 'tcp', 'jane_smith', JANE_PASSWORD);
    tokens.push(jane.token);
    const resumed = await connect(t, 'ws');
    expect((await resumed.request('auth.resume', { token: jane.token })).token).toBe(jane.token);
    await resumed.request('auth.logout', {});

    const admin = await loginAs(t, 'ws', 'admin', ADMIN_PASSWORD);
    tokens.push(admin.token);
    await admin.client.request('auth.changePassword', { oldPassword: ADMIN_PASSWORD, newPassword: NEW_ADMIN_PASSWORD });
    await admin.client.request('auth.logout', {});
    const again = await loginAs(t, 'tcp', 'admin', NEW_ADMIN_PASSWORD);
    tokens.push(again.token);
    for (const c of [anon, jane.client, resumed, admin.client, again.client]) c.close();
  } finally {
    // Closes the database (the directory is ours, so it stays).
    await t.stop();
  }
  entries = await withDb(dataDir, async (db) => (await auditOf(db).values().all()) as AuditEntry[]);
}, SLOW.timeout);

afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

describe('bank-relay audit verify on a real log', SLOW, () => {
  it('was given a log worth checking', () => {
    expect(entries.length).toBeGreaterThanOrEqual(12);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect([...new Set(entries.map((e) => e.action))]).toEqual(
      expect.arrayContaining(['admin.bootstrap', 'auth.register', 'user.add', 'auth.login', 'auth.resume', 'auth.logout', 'auth.changePassword']),
    );
    expect(entries.filter((e) => e.outcome === 'bad_password')).toHaveLength(2);
    expect(tokens).toHaveLength(3);
  });

  it('exits 0 and reports the entry count and the head', async () => {
    const res = await verify(dataDir);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const last = entries.at(-1)!;
    expect(res.stdout).toBe(`audit chain OK: ${entries.length} entries, head seq ${last.seq} ${last.hash}\n`);
  });

  it('holds no password and no session token', async () => {
    const texts = await withDb(dataDir, async (db) => (await db.sublevel<string, string>('audit', { valueEncoding: 'utf8' }).values().all()) as string[]);
    expect(texts).toHaveLength(entries.length);
    const all = texts.join('\n');
    for (const secret of [ADMIN_PASSWORD, NEW_ADMIN_PASSWORD, JANE_PASSWORD, REGISTER_PASSWORD, ...WRONG_PASSWORDS, ...tokens]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/scrypt\$/);
  });

  it('fails on a data directory that does not exist, and does not create it', async () => {
    const dir = tmp.path('no-such-data');
    const res = await verify(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: no bank database in .*no-such-data/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.concurrent('bank-relay audit verify after tampering (each on a fresh copy)', SLOW, () => {
  const middle = () => Math.ceil(entries.length / 2);

  it('one character of an entry\'s actor changed: exit 1, first bad seq is that entry', async ({ expect }) => {
    const seq = middle();
    const dir = await tampered(async (db) => {
      const audit = auditOf(db);
      const entry = (await audit.get(key(seq)))!;
      await audit.put(key(seq), { ...entry, actor: flipChar(entry.actor, 0) });
    });
    expectBrokenAt(expect, await verify(dir), seq);
  });

  it('one digit of an entry\'s timestamp changed: exit 1, first bad seq is that entry', async ({ expect }) => {
    const seq = middle() + 1;
    const dir = await tampered(async (db) => {
      const audit = auditOf(db);
      const entry = (await audit.get(key(seq)))!;
      await audit.put(key(seq), { ...entry, ts: flipChar(entry.ts, entry.ts.length - 2) });
    });
    expectBrokenAt(expect, await verify(dir), seq);
  });

  it('one byte of the stored text changed so it is no longer JSON: exit 1, names that seq', async ({ expect }) => {
    const seq = middle();
    const dir = await tampered(async (db) => {
      const raw = db.sublevel<string, string>('audit', { valueEncoding: 'utf8' });
      const text = (await raw.get(key(seq)))!;
      expect(text.endsWith('}')).toBe(true);
      await raw.put(key(seq), `${text.slice(0, -1)} `);
    });
    expectBrokenAt(expect, await verify(dir), seq);
  });

  it('an entry in the middle deleted: exit 1, first bad seq is the deleted one', async ({ expect }) => {
    const seq = middle();
    const dir = await tampered((db) => auditOf(db).del(key(seq)));
    expectBrokenAt(expect, await verify(dir), seq);
  });

  it('two entries swapped (the values at two keys): exit 1, first bad seq is the earlier one', async ({ expect }) => {
    const [a, b] = [2, entries.length - 1];
    const dir = await tampered(async (db) => {
      const audit = auditOf(db);
      const [ea, eb] = [(await audit.get(key(a)))!, (await audit.get(key(b)))!];
      await audit.batch([
        { type: 'put', key: key(a), value: eb },
        { type: 'put', key: key(b), value: ea },
      ]);
    });
    expectBrokenAt(expect, await verify(dir), a);
  });

  it('the last entry deleted while the head still names it: exit 1, first bad seq is the last', async ({ expect }) => {
    const last = entries.length;
    const dir = await tampered((db) => auditOf(db).del(key(last)));
    const res = await verify(dir);
    expectBrokenAt(expect, res, last);
    expect(res.stdout).toMatch(/head says seq \d+ but the log ends at seq \d+/);
  });
});
