import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUser, ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { expectStillServing, upgradeStatus, withTimeout, WAIT_MS } from '../helpers/raw.js';
import { promValue, scrape } from '../helpers/prom.js';
import type { BankClient } from '../../common/client/bank-client.js';

/*
 * Floods and limits: sockets that never handshake, slowloris-style partial frames
 * and HTTP heads, one address opening too many sockets, a connection sending too fast, and
 * sign-in guessing from one address. Each is cut while an honest client keeps its answers.
 */

/** A plain TCP socket to a port that says nothing; resolves when it is connected. */
function silentSocket(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('a flood of sockets that never finish a handshake', () => {
  let t: TestRelay;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    t = await startTestRelay({ handshakeTimeoutMs: 400, maxConnectionsPerIp: 0 });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t.stop();
  });

  it('is cut by the handshake timeouts (TCP, partial frames, HTTP heads) while an honest client is answered', async () => {
    const FLOOD = 150;
    const closings: Promise<void>[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const port = i % 2 === 0 ? t.tcpPort : t.wsPort;
      const { socket, closed } = await silentSocket(port);
      sockets.push(socket);
      closings.push(closed);
      if (i % 3 === 1) {
        // slowloris: a length prefix announcing a frame, then nothing.
        if (port === t.tcpPort) socket.write(Buffer.from([0, 0, 1]));
        else socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
      }
    }
    // While they hang, an honest client over each transport handshakes and is answered.
    await expectStillServing(t);
    // Every one of them is closed by the relay (the handshake timeout, or HTTP's head timeout).
    await withTimeout(Promise.all(closings), 6 * WAIT_MS, 'the relay kept some flood sockets open');
    expect(t.relay.context.live.all.size).toBe(0);
    await expectStillServing(t);
  });
});

describe('the per-address connection cap', () => {
  let t: TestRelay;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    t = await startTestRelay({ maxConnectionsPerIp: 6 });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await t.stop();
  });

  it('closes the socket over the cap on either port at once, counts it, and admits again once one closes', async () => {
    // Six sockets held, across both ports: the cap is one count per address.
    for (let i = 0; i < 6; i++) held.push((await silentSocket(i < 3 ? t.tcpPort : t.wsPort)).socket);
    const cap = t.relay.connectionCap;
    await expect.poll(() => cap.count('127.0.0.1')).toBe(6);
    const overTcp = await silentSocket(t.tcpPort);
    await withTimeout(overTcp.closed, WAIT_MS, 'the TCP socket over the cap stayed open');
    await expect(upgradeStatus(t)).rejects.toThrow(/closed without an HTTP answer/);
    // The scrape itself needs a socket: free one first.
    held.pop()!.destroy();
    await expect.poll(() => cap.count('127.0.0.1')).toBeLessThan(6);
    const { samples } = await scrape(t.wsPort);
    expect(promValue(samples, 'bankrelay_connections_refused_total', { reason: 'per_ip_cap' })).toBeGreaterThanOrEqual(2);

    // One held socket goes: a real client gets in and is served.
    // (The scrape's keep-alive socket may still count.)
    held.pop()!.destroy();
    await expect.poll(() => cap.count('127.0.0.1')).toBeLessThan(6);
    const c = await connect(t, 'tcp');
    expect((await c.request('ping', {})).ts).toBeTruthy();
    c.close();
  });
});

describe('the per-connection request rate', () => {
  let t: TestRelay;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clients: BankClient[] = [];
  beforeAll(async () => {
    t = await startTestRelay({ requestRate: { perSecond: 5, burst: 10 } }, { clock: () => now });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t.stop());

  it('answers a burst past the allowance RATE_LIMITED, runs none of those, and serves again as the allowance refills', async () => {
    const c = await connect(t, 'ws');
    clients.push(c);
    const replies = await Promise.all(Array.from({ length: 14 }, () => c.call('ping', {})));
    expect(replies.filter((r) => r.ok)).toHaveLength(10);
    const refused = replies.filter((r) => !r.ok);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r.ok === false && r.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/at most 5 a second/) });
    // Another connection has its own allowance.
    const other = await connect(t, 'tcp');
    clients.push(other);
    expect((await other.call('ping', {})).ok).toBe(true);
    // One second later five more are allowed, and the connection was never closed.
    now += 1000;
    const later = await Promise.all(Array.from({ length: 6 }, () => c.call('ping', {})));
    expect(later.filter((r) => r.ok)).toHaveLength(5);
  });

  it('closes a connection that keeps sending over its allowance, and only that one', async () => {
    const greedy = await connect(t, 'tcp');
    const calm = await connect(t, 'ws');
    // Far more than the burst at once: once the refusals in a row reach the burst, the relay hangs up.
    const answers = await Promise.all(Array.from({ length: 400 }, () => greedy.call('ping', {}).then((r) => (r.ok ? 'ok' : r.error.code))));
    // The burst's worth ran, then refusals up to the cut-off (each still answered), then nothing.
    const count = (code: string) => answers.filter((a) => a === code).length;
    expect(count('ok')).toBe(10);
    expect(count('RATE_LIMITED')).toBe(100);
    expect(count('DISCONNECTED')).toBe(290);
    expect(answers.slice(0, 110).every((a) => a !== 'DISCONNECTED')).toBe(true);
    await greedy.closedPromise();
    expect((await calm.call('ping', {})).ok).toBe(true);
    calm.close();
  });
});

describe('sign-in guessing from one address', () => {
  let t: TestRelay;
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clients: BankClient[] = [];
  beforeAll(async () => {
    t = await startTestRelay(
      { loginThrottle: { maxFailuresPerIp: 4, windowMs: 60_000 }, lockout: { maxFailures: 3, windowMs: 60_000, durationMs: 60_000 }, registrationsPerIpPerHour: 2 },
      { clock: () => now },
    );
    await addUser(t, 'victim', 'the right password');
    await addUser(t, 'bystander', 'another right password');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t.stop());

  it('throttles the address after its failures, across usernames and connections, before any password is checked', async () => {
    const a = await connect(t, 'tcp');
    const b = await connect(t, 'ws');
    clients.push(a, b);
    // Four failures over two users and two connections, none reaching a user's own lockout (3).
    for (const [c, username] of [[a, 'victim'], [b, 'bystander'], [a, 'nobody-at-all'], [b, 'victim']] as const) {
      const r = await c.call('auth.login', { username, password: 'a wrong guess' });
      expect(r.ok === false && r.error.code).toBe('UNAUTHENTICATED');
    }
    // The fifth attempt, even with the right password, is refused without being checked.
    const throttled = await a.call('auth.login', { username: 'bystander', password: 'another right password' });
    expect(throttled.ok === false && throttled.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/from this network address; try again in 1 minute/) });
    // Not checked means not counted against the user either: bystander is not locked.
    const bystander = await t.relay.context.users.get('bystander');
    expect(bystander?.failedLogins).toHaveLength(1);
    expect(bystander?.lockedUntil).toBeUndefined();

    // Once the window has passed, the right password works again.
    now += 61_000;
    const ok = await b.call('auth.login', { username: 'bystander', password: 'another right password' });
    expect(ok.ok).toBe(true);
  });

  it('locks an unknown username after as many guesses as a real one, with the same answer, so lockouts do not tell which names exist', async () => {
    now += 61_000;
    const c = await connect(t, 'tcp');
    clients.push(c);
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await c.call('auth.login', { username, password: 'a wrong guess' });
        out.push(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);
      }
      return out;
    };
    await addUser(t, 'exists_here', 'its right password');
    const real = await answers('exists_here');
    now += 61_000;
    const phantom = await answers('exists_nowhere');
    expect(real[2]).toMatch(/^LOCKED_OUT/);
    expect(phantom).toEqual(real);
    // While locked, a further guess is answered the same way without any password work.
    const hashed = t.relay.context.users.passwordWork.counts.hashed;
    const again = await c.call('auth.login', { username: 'exists_nowhere', password: 'a wrong guess' });
    expect(again.ok === false && again.error.code).toBe('LOCKED_OUT');
    expect(t.relay.context.users.passwordWork.counts.hashed).toBe(hashed);
    now += 61_000;
  });

  it('auth.changePassword is no password oracle: wrong current passwords count towards the lockout, are audited, and then even the right one is refused', async () => {
    now += 61_000;
    await addUser(t, 'stolen_session', 'the real password');
    const admin = await connect(t, 'ws');
    clients.push(admin);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const alert = admin.nextEvent('admin.alert', (e) => e.data.kind === 'lockout');
    const thief = await connect(t, 'tcp');
    clients.push(thief);
    await thief.request('auth.login', { username: 'stolen_session', password: 'the real password' });
    const hashed = t.relay.context.users.passwordWork.counts.hashed;
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await thief.call('auth.changePassword', { oldPassword: `guess number ${i}`, newPassword: 'the thief password' });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    // lockout.maxFailures is 3 here; after that the user's lock, and soon the address's budget, refuse unchecked.
    expect(codes.slice(0, 3)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'LOCKED_OUT']);
    for (const code of codes.slice(3)) expect(['LOCKED_OUT', 'RATE_LIMITED']).toContain(code);
    expect((await alert).data).toMatchObject({ kind: 'lockout', data: { username: 'stolen_session' } });
    const right = await thief.call('auth.changePassword', { oldPassword: 'the real password', newPassword: 'the thief password' });
    expect(right.ok === false && ['LOCKED_OUT', 'RATE_LIMITED'].includes(right.error.code)).toBe(true);
    expect(t.relay.context.users.passwordWork.counts.hashed - hashed).toBe(3);
    const audit = await admin.request('admin.audit.query', { actor: 'stolen_session', limit: 100 });
    const outcomes = audit.entries.filter((e) => e.action === 'auth.changePassword').map((e) => e.outcome);
    const lockedAnswers = [...codes, right.ok ? 'ok' : right.error.code].filter((c) => c === 'LOCKED_OUT').length;
    expect(outcomes).toEqual(['bad_password', 'bad_password', 'bad_password', ...Array<string>(lockedAnswers - 1).fill('locked_out')]);
    expect((await t.relay.context.users.get('stolen_session'))?.lockedUntil).toBeGreaterThan(now);
    now += 61_000;
  });

  it('limits sign-ups per address per hour', async () => {
    const c = await connect(t, 'ws');
    clients.push(c);
    for (const name of ['newcomer_one', 'newcomer_two']) {
      expect((await c.call('auth.register', { username: name, password: 'a good long password', displayName: name })).ok).toBe(true);
    }
    const third = await c.call('auth.register', { username: 'newcomer_three', password: 'a good long password', displayName: 'Three' });
    expect(third.ok === false && third.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/sign-ups from this network address/) });
    expect(await t.relay.context.users.get('newcomer_three')).toBeUndefined();
    now += 60 * 60_000;
    expect((await c.call('auth.register', { username: 'newcomer_three', password: 'a good long password', displayName: 'Three' })).ok).toBe(true);
  });
});
