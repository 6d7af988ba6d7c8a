// Liveness (PROTOCOL §7) against a real relay with a short heartbeat: TCP drops a connection
// silent for 2·hb, ws drops one that leaves two pings unanswered; a dropped session survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { expectStillServing, openSecureRaw, RawConnection, relayConnFor, waitUntil, withTimeout, WAIT_MS } from '../helpers/raw.js';

const HEARTBEAT_MS = 200;
/** Well past the 2·hb (TCP) and two missed pings (ws) after which the relay drops a peer. */
const STAY_MS = 1200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('heartbeat over tcp', () => {
  let t: TestRelay;
  beforeAll(async () => {
    // A long handshake deadline, so only the heartbeat can drop a silent socket here.
    t = await startTestRelay({ heartbeatMs: HEARTBEAT_MS, handshakeTimeoutMs: 60_000 });
    await addUser(t, 'quiet_user', 'quiet user password');
  });
  afterAll(() => t.stop());

  it('advertises hb in the welcome', async () => {
    const c = await connect(t, 'tcp');
    expect(c.handshake.heartbeatMs).toBe(HEARTBEAT_MS);
    c.close();
  });

  it('drops a signed-in client that goes silent; its session resumes on a new connection', async () => {
    const { client, token } = await loginAs(t, 'tcp', 'quiet_user', 'quiet user password');
    await withTimeout(client.closedPromise(), WAIT_MS, 'the relay did not drop the silent client');
    expect(client.closed).toBe(true);
    await waitUntil(() => [...t.relay.context.live.forUser('quiet_user')].length === 0, 'the session to be detached');

    const again = await connect(t, 'tcp');
    const resumed = await again.request('auth.resume', { token });
    expect(resumed.user.username).toBe('quiet_user');
    expect(resumed.token).toBe(token);
    // The resumed connection is signed in: a user-only op succeeds.
    expect(await again.call('auth.logout', {})).toMatchObject({ ok: true });
    again.close();
  });

  it('keeps a client that pings every 100 ms', async () => {
    const c = await connect(t, 'tcp');
    const failures: string[] = [];
    const timer = setInterval(() => {
      c.call('ping', {}).then(
        (r) => r.ok || failures.push(r.error.code),
        (e: unknown) => failures.push(String(e)),
      );
    }, 100);
    try {
      await sleep(STAY_MS);
    } finally {
      clearInterval(timer);
    }
    expect(c.closed).toBe(false);
    expect((await c.call('ping', {})).ok).toBe(true);
    expect(failures).toEqual([]);
    c.close();
  });

  it('also drops a socket that connects and never sends a byte', async () => {
    const raw = await RawConnection.open(t, 'tcp');
    const close = await raw.waitClosed();
    expect(close.byRelay).toBe(true);
    expect(raw.unread).toBe(0);
    await expectStillServing(t);
  });
});

describe('heartbeat over ws', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ heartbeatMs: HEARTBEAT_MS });
  });
  afterAll(() => t.stop());

  it('keeps a normal client (which answers pings) that sends nothing', async () => {
    const c = await connect(t, 'ws');
    await sleep(STAY_MS);
    expect(c.closed).toBe(false);
    expect((await c.request('ping', {})).ts).toBeTypeOf('string');
    c.close();
  });

  it('terminates a client that stops answering pings', async () => {
    const s = await openSecureRaw(t, 'ws');
    const port = s.raw.localPort;
    expect(relayConnFor(t, port)).toBeDefined();
    const before = t.relay.context.live.all.size;
    // Stop reading: the relay's pings sit unread in the kernel and no pong is ever sent.
    s.raw.netSocket.pause();
    await waitUntil(() => relayConnFor(t, port) === undefined, 'the relay to drop the silent ws client');
    expect(t.relay.context.live.all.size).toBeLessThan(before);
    s.raw.destroy();
    await expectStillServing(t);
  });
});
