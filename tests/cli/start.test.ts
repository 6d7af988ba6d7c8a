import { existsSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { EPHEMERAL, connectTcp, isShortMessage, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';

/** Generous: these spawn processes, and a busy machine must not turn slowness into failures. */
const SLOW = { timeout: 90_000 };

const ENV_PASSWORD = 'operator chosen password';
const withPassword = { BANK_RELAY_ADMIN_PASSWORD: ENV_PASSWORD };

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

/** Counts non-overlapping occurrences. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe.concurrent('bank-relay start: first start and restart', SLOW, () => {
  it('creates the data dir, prints where it listens, the fingerprint and a generated admin password once; a restart keeps the key', async ({ expect }) => {
    const dir = freshDir();
    expect(existsSync(dir)).toBe(false);

    const first = await startRelayProcess(['--data', dir, ...EPHEMERAL]);
    expect(existsSync(dir)).toBe(true);
    expect(first.listening).toMatchObject({ level: 'info', msg: 'relay listening', data: dir });
    expect(first.listening.tcp).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(first.listening.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(first.tcpPort).toBeGreaterThan(0);
    expect(first.wsPort).toBeGreaterThan(0);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const password = (await first.waitForStderr(/with password\s+(\S+)/))[1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);

    // The printed password signs in, and the handshake presents the printed fingerprint.
    const c = await connectTcp(first);
    expect(c.handshake.fingerprint).toBe(first.fingerprint);
    const login = await c.request('auth.login', { username: 'admin', password });
    expect(login.user).toMatchObject({ username: 'admin', role: 'admin', status: 'active' });
    c.close();

    // The identity key is private to the relay's user; a mode loosened by hand is refused on start.
    const keyFile = path.join(dir, 'identity.pem');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    expect(await first.stop('SIGINT')).toBe(0);
    expect(count(first.stderr(), password)).toBe(1);
    expect(first.stdout()).not.toContain(password);

    await chmod(keyFile, 0o644);
    const refused = await runCli(['start', '--data', dir, ...EPHEMERAL]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`bank-relay: the identity key ${keyFile} can be read by any user on this machine (mode 644); fix it with chmod 600 ${keyFile}, and if someone else may have read it, replace it (docs/SECURITY.md, "Keys")\n`);
    await chmod(keyFile, 0o640);
    expect((await runCli(['start', '--data', dir, ...EPHEMERAL])).stderr).toMatch(/can be read by its group \(mode 640\)/);
    await chmod(keyFile, 0o600);

    const second = await startRelayProcess(['--data', dir, ...EPHEMERAL]);
    expect(second.fingerprint).toBe(first.fingerprint);
    const again = await connectTcp(second);
    expect(again.handshake.fingerprint).toBe(first.fingerprint);
    await again.request('auth.login', { username: 'admin', password });
    again.close();
    expect(await second.stop('SIGTERM')).toBe(0);
    // Output is complete once the process has gone: no password this time, nor a new key.
    expect(second.stderr()).not.toContain(password);
    expect(second.stderr()).not.toMatch(/password/i);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(second.jsonLines().some((l) => l.msg === 'created a new identity key')).toBe(false);
    expect(first.jsonLines().some((l) => l.msg === 'created a new identity key')).toBe(true);
  });

  it('uses BANK_RELAY_ADMIN_PASSWORD when set and prints no password; identity.pem has mode 0600', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    expect((await stat(path.join(dir, 'identity.pem'))).mode & 0o777).toBe(0o600);
    const c = await connectTcp(r);
    expect(await c.call('auth.login', { username: 'admin', password: 'not the password' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const login = await c.request('auth.login', { username: 'admin', password: ENV_PASSWORD });
    expect(login.user).toMatchObject({ username: 'admin', role: 'admin' });
    c.close();
    expect(await r.stop('SIGTERM')).toBe(0);
    expect(r.stderr()).not.toMatch(/password/i);
    expect(r.stdout()).not.toContain(ENV_PASSWORD);
    expect(r.jsonLines().some((l) => l.msg === 'created the administrator from BANK_RELAY_ADMIN_PASSWORD' && l.username === 'admin')).toBe(true);
  });

});

describe.concurrent('bank-relay start: shutdown', SLOW, () => {
  it.for(['SIGINT', 'SIGTERM'] as const)('on %s closes connections and the database and exits 0', async (signal, { expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    const c = await connectTcp(r);
    await c.request('auth.login', { username: 'admin', password: ENV_PASSWORD });
    const closed = c.closedPromise();
    expect(await r.stop(signal)).toBe(0);
    await closed;
    const messages = r.jsonLines().map((l) => l.msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    expect(r.jsonLines().find((l) => l.msg === 'shutting down')).toMatchObject({ signal });

    // The database lock was released and everything written is intact.
    const verify = await runCli(['audit', 'verify', '--data', dir]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    const entries = Number(/audit chain OK: (\d+) entries/.exec(verify.stdout)?.[1]);
    expect(entries).toBeGreaterThanOrEqual(2); // at least admin.bootstrap and the auth.login
  });
});

describe.concurrent('bank-relay start: the request log', SLOW, () => {
  it('logs each request as one JSON line with time, conn, transport, op, actor, outcome, ms', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    const c = await connectTcp(r);
    await c.request('ping', {});
    const bad = await c.call('auth.login', { username: 'admin', password: 'a wrong password' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await c.request('auth.login', { username: 'admin', password: ENV_PASSWORD });
    await c.request('ping', {});
    c.close();

    // A log line may reach us after its response did.
    const requestLines = () => r.jsonLines().filter((l) => l.msg === 'request');
    await r.waitUntil(() => requestLines().length >= 4);
    const all = requestLines();
    for (const l of all) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['time', 'conn', 'transport', 'op', 'actor', 'outcome', 'ms']));
      expect(Date.parse(String(l.time))).not.toBeNaN();
      expect(typeof l.ms).toBe('number');
      expect(l.transport).toBe('tcp');
      expect(l.conn).toBe(all[0]!.conn);
    }
    expect(all.map((l) => [l.op, l.actor, l.outcome])).toEqual([
      ['ping', null, 'ok'],
      ['auth.login', null, 'UNAUTHENTICATED'],
      ['auth.login', 'admin', 'ok'],
      ['ping', 'admin', 'ok'],
    ]);
    // One request, one line: every stdout line is a JSON object, and no password is in the log.
    for (const line of r.lines()) expect(() => JSON.parse(line)).not.toThrow();
    expect(r.stdout()).not.toContain('a wrong password');
    expect(r.stdout()).not.toContain(ENV_PASSWORD);
    expect(await r.stop()).toBe(0);
  });

  it('prints a human line per request with --log-format pretty', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL, '--log-format', 'pretty'], withPassword);
    expect(r.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const c = await connectTcp(r);
    await c.request('ping', {});
    await c.call('auth.login', { username: 'admin', password: 'a wrong password' });
    c.close();
    const ping = await r.waitForLine((l) => /\bping\b/.test(l) && /\bok\b/.test(l));
    const login = await r.waitForLine((l) => /\bauth\.login\b/.test(l) && /\bUNAUTHENTICATED\b/.test(l));
    for (const line of [ping, login]) {
      expect(line.startsWith('{')).toBe(false);
      expect(() => JSON.parse(line)).toThrow();
      expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} tcp\s+#\d+\s+-\s+\S+\s+\S+\s+[\d.]+ms$/);
    }
    expect(r.lines().some((l) => l.startsWith('{'))).toBe(false);
    expect(await r.stop()).toBe(0);
  });
});

describe.concurrent('bank-relay start: errors for a person', SLOW, () => {
  /** Exit code non-zero, one short message on stderr, no stack frames. */
  function expectPersonError(expect: ExpectStatic, res: { code: number | null; stderr: string }, message: RegExp): void {
    expect(res.code, res.stderr).not.toBe(0);
    expect(res.code).not.toBeNull();
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(isShortMessage(res.stderr)).toBe(true);
    expect(res.stderr.startsWith('bank-relay: ')).toBe(true);
  }

  it('a port in use', async ({ expect }) => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const res = await runCli(['start', '--data', freshDir(), '--tcp-port', String(port), '--ws-port', '0'], { env: withPassword });
      expectPersonError(expect, res, new RegExp(`port ${port} .*already in use`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Relay.start creates the first admin only once both ports listen.
  it('a first start that fails on a busy port does not use up the one-time admin password', async ({ expect }) => {
    const dir = freshDir();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const res = await runCli(['start', '--data', dir, '--tcp-port', String(port), '--ws-port', '0']);
      expectPersonError(expect, res, /already in use/);
      expect(res.stderr).not.toMatch(/with password/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL]);
    expect(await r.stop()).toBe(0);
    // Output is complete once it exited: the password must have been shown now.
    const password = /with password\s+(\S+)/.exec(r.stderr())?.[1];
    expect(password).toBeDefined();
    const again = await startRelayProcess(['--data', dir, ...EPHEMERAL]);
    try {
      const c = await connectTcp(again);
      expect(await c.call('auth.login', { username: 'admin', password })).toMatchObject({ ok: true });
      c.close();
    } finally {
      await again.stop();
    }
  });

  it('a data directory locked by a running relay; the running relay keeps serving', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], withPassword);
    const res = await runCli(['start', '--data', dir, ...EPHEMERAL], { env: withPassword });
    expectPersonError(expect, res, /in use by another running relay/);
    expect(res.stderr).toContain(dir);
    const c = await connectTcp(r);
    await c.request('ping', {});
    c.close();
    expect(await r.stop()).toBe(0);
  });

  it.for<[string[], RegExp]>([
    [['--no-such-flag'], /--no-such-flag/],
    [['--tcp-port', 'abc'], /--tcp-port must be a whole number, not "abc"/],
    [['--ws-port', '70000'], /--ws-port must be between 0 and 65535/],
  ])('a bad flag or value: start %j', async ([args, message], { expect }) => {
    const dir = freshDir();
    const res = await runCli(['start', '--data', dir, ...args]);
    expectPersonError(expect, res, message);
    // Refused before touching anything.
    expect(existsSync(dir)).toBe(false);
  });

  it('an unknown command', async ({ expect }) => {
    const res = await runCli(['frobnicate', '--data', freshDir()]);
    expectPersonError(expect, res, /unknown command "frobnicate/);
    expect(res.stderr).toMatch(/bank-relay help/);
  });

  it('a BANK_RELAY_ADMIN_PASSWORD that is too short', async ({ expect }) => {
    const res = await runCli(['start', '--data', freshDir(), ...EPHEMERAL], { env: { BANK_RELAY_ADMIN_PASSWORD: 'short' } });
    expectPersonError(expect, res, /BANK_RELAY_ADMIN_PASSWORD: must be at least 8 characters/);
  });
});

describe.concurrent('bank-relay help', SLOW, () => {
  it('prints the usage and exits 0', async ({ expect }) => {
    const res = await runCli(['help']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^bank-relay: the Distributed Bank relay/);
    for (const usage of ['bank-relay start', 'bank-relay fingerprint', 'bank-relay user add', 'bank-relay audit verify', '--log-format json|pretty']) {
      expect(res.stdout).toContain(usage);
    }
  });
});
