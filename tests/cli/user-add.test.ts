import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EPHEMERAL, connectTcp, isShortMessage, killStrays, runCli, startRelayProcess, tempRoot, type RelayProcess } from '../helpers/cli.js';

/** Generous: these spawn processes, and a busy machine must not turn slowness into failures. */
const SLOW = { timeout: 90_000 };

const ADMIN_PASSWORD = 'operator chosen password';
const withPassword = { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD };

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let n = 0;
const freshDir = () => tmp.path(`data-${++n}`);

beforeAll(async () => {
  tmp = await tempRoot();
});
afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

const userAdd = (dir: string, args: string[], input?: string) => runCli(['user', 'add', '--data', dir, ...args], input === undefined ? {} : { input });

/** Signs in on a running relay process; resolves with the raw response. */
async function tryLogin(r: RelayProcess, username: string, password: string) {
  const c = await connectTcp(r);
  try {
    return await c.call('auth.login', { username, password });
  } finally {
    c.close();
  }
}

describe.concurrent('bank-relay user add', SLOW, () => {
  it('on a new data directory, with the password on stdin: the user is active and signs in with the role and display name given; a duplicate is refused', async ({ expect }) => {
    const dir = freshDir();
    const res = await userAdd(dir, ['--username', 'jane_smith', '--role', 'user', '--display-name', 'Jane Smith'], 'jane secret password\n');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('added user jane_smith (Jane Smith)\n');
    expect(existsSync(dir)).toBe(true);

    // A duplicate, also in another case, is refused with a clear message.
    for (const name of ['jane_smith', 'JANE_Smith']) {
      const again = await userAdd(dir, ['--username', name, '--role', 'admin'], 'another password');
      expect(again.code).toBe(1);
      expect(again.stderr).toBe('bank-relay: the username "jane_smith" is taken\n');
      expect(again.stdout).toBe('');
    }

    // The relay then starts on that directory and still creates its own administrator;
    // jane is as first added.
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    expect(await tryLogin(r, 'jane_smith', 'another password')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const login = await tryLogin(r, 'jane_smith', 'jane secret password');
    expect(login).toMatchObject({ ok: true, result: { user: { username: 'jane_smith', displayName: 'Jane Smith', role: 'user', status: 'active' } } });
    // The trailing newline from stdin is not part of the password.
    expect(await tryLogin(r, 'jane_smith', 'jane secret password\n')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await tryLogin(r, 'admin', ADMIN_PASSWORD)).toMatchObject({ ok: true });
    expect(await r.stop()).toBe(0);
  });

  it('a bank with no administrator whose name "admin" a customer holds refuses to start in one line saying what to do, and starts once an administrator is added', async ({ expect }) => {
    const dir = freshDir();
    expect((await userAdd(dir, ['--username', 'admin', '--role', 'user'], 'a customer password')).code).toBe(0);
    const refused = await runCli(['start', '--data', dir, ...EPHEMERAL], { env: withPassword });
    expect(refused.code).toBe(1);
    expect(isShortMessage(refused.stderr)).toBe(true);
    expect(refused.stderr).toMatch(/no administrator, and the username "admin" is taken by a customer .*bank-relay user add --role admin/);
    expect((await userAdd(dir, ['--username', 'boss', '--role', 'admin'], 'the boss password')).code).toBe(0);
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    expect(await tryLogin(r, 'boss', 'the boss password')).toMatchObject({ ok: true });
    expect(await tryLogin(r, 'admin', 'a customer password')).toMatchObject({ ok: true, result: { user: { role: 'user' } } });
    expect(await r.stop()).toBe(0);
  });

  it('on a data directory made by a previous start: --password-file, role admin, and the default display name', async ({ expect }) => {
    const dir = freshDir();
    const first = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    expect(await first.stop()).toBe(0);

    const file = tmp.path('bob-password');
    await writeFile(file, 'bob the admin password\n', { mode: 0o600 });
    const bob = await userAdd(dir, ['--username', 'bob', '--role', 'admin', '--display-name', 'Bob Admin', '--password-file', file]);
    expect(bob.stderr).toBe('');
    expect(bob.code).toBe(0);
    expect(bob.stdout).toBe('added admin bob (Bob Admin)\n');
    const carol = await userAdd(dir, ['--username', 'carol', '--role', 'user'], 'carol password here');
    expect(carol.code).toBe(0);
    expect(carol.stdout).toBe('added user carol (carol)\n');

    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    expect(r.fingerprint).toBe(first.fingerprint);
    expect(await tryLogin(r, 'bob', 'bob the admin password')).toMatchObject({
      ok: true,
      result: { user: { username: 'bob', displayName: 'Bob Admin', role: 'admin', status: 'active' } },
    });
    expect(await tryLogin(r, 'carol', 'carol password here')).toMatchObject({
      ok: true,
      result: { user: { username: 'carol', displayName: 'carol', role: 'user', status: 'active' } },
    });
    expect(await tryLogin(r, 'admin', ADMIN_PASSWORD)).toMatchObject({ ok: true });
    expect(await r.stop()).toBe(0);
    expect(r.stderr()).toBe('');
  });

  it.for<[string, string[], string | undefined, RegExp]>([
    ['an invalid username', ['--username', 'Bad Name!', '--role', 'user'], 'a good password', /^bank-relay: --username: .*may use only a-z, 0-9/],
    ['a short password', ['--username', 'shorty', '--role', 'user'], 'short\n', /^bank-relay: password: must be at least 8 characters/],
    ['an unknown role', ['--username', 'rooted', '--role', 'root'], 'a good password', /^bank-relay: --role: /],
    ['an unreadable --password-file', ['--username', 'filed', '--role', 'user', '--password-file', '/nonexistent/pw'], undefined, /^bank-relay: cannot read password from \/nonexistent\/pw/],
  ])('fails on %s, naming the problem, before touching the data directory', async ([, args, input, message], { expect }) => {
    const dir = freshDir();
    const res = await userAdd(dir, args, input);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(isShortMessage(res.stderr)).toBe(true);
    expect(res.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('fails with the "in use" message while a relay runs on the directory, and works once it stopped', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    const busy = await userAdd(dir, ['--username', 'late_user', '--role', 'user'], 'late user password');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^bank-relay: the data directory .* is in use by another running relay/);
    expect(isShortMessage(busy.stderr)).toBe(true);
    // The running relay is unaffected and has no such user.
    expect(await tryLogin(r, 'late_user', 'late user password')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await r.stop()).toBe(0);
    const later = await userAdd(dir, ['--username', 'late_user', '--role', 'user'], 'late user password');
    expect(later.code).toBe(0);
  });
});
