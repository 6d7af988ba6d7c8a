import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';
import { expectStillServing, openSecureRaw, withTimeout, WAIT_MS } from '../helpers/raw.js';

/*
 * Faults at the edges: clients that vanish in the middle of a request, a frame
 * replayed on another connection, a burst of sign-ins next to an honest client, and a relay
 * restart under RESTART_CLIENTS connected clients (default 1,000), who all resume.
 */
const RESTART_CLIENTS = Number(process.env.BANK_RESTART_CLIENTS ?? 0) || 1000;
/** Every client here is on loopback, one address: the per-address limits are off. */
const UNLIMITED = {
  requestRate: { perSecond: 0, burst: 1 },
  loginThrottle: { maxFailuresPerIp: 0, windowMs: 60_000 },
  maxConnectionsPerIp: 0,
  passwordChecks: { perAddress: 100_000, maxWaiting: 100_000 },
} as const;

async function customer(admin: BankClient, username: string, opening = 0): Promise<string> {
  const r = await admin.request('admin.user.create', { username, password: `${username} password`, displayName: username, role: 'user', ...(opening > 0 && { openingDeposit: opening }) });
  return r.accounts[0]!.account;
}

describe('clients that vanish in the middle of a request', () => {
  let t: TestRelay;
  let admin: BankClient;
  beforeAll(async () => {
    t = await startTestRelay(UNLIMITED);
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
  });
  afterAll(async () => {
    admin.close();
    await t.stop();
  });

  it.each<TransportKind>(['tcp', 'ws'])('over %s: each transfer is wholly applied or not at all, a retry settles it once, and nothing is left behind', async (kind) => {
    await customer(admin, `vanish_payer_${kind}`, 1_000_000);
    const payee = await customer(admin, `vanish_payee_${kind}`);
    const sent: { id: string; amount: number }[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const s = await openSecureRaw(t, kind);
        s.send({ id: 1, op: 'auth.login', args: { username: `vanish_payer_${kind}`, password: `vanish_payer_${kind} password` } });
        expect(await s.nextResponse()).toMatchObject({ id: 1, ok: true });
        const transfer = { id: randomUUID(), amount: 10 + i };
        sent.push(transfer);
        // Sent, and gone before the answer: half of them at once, half a moment later.
        s.send({ id: 2, op: 'transfer.create', args: { transferId: transfer.id, to: payee, amount: transfer.amount } });
        if (i % 2 === 1) await new Promise((r) => setImmediate(r));
        s.raw.destroy();
      }),
    );
    // The relay lets every vanished connection go, and nothing stays counted in flight.
    await withTimeout(
      (async () => {
        while ([...t.relay.context.live.all].some((c) => c.transport === kind && c.auth?.username === `vanish_payer_${kind}`)) await new Promise((r) => setTimeout(r, 20));
      })(),
      WAIT_MS,
      'vanished connections were not let go',
    );
    // A retry with each id answers with the one stored transfer, or applies it now: once either way.
    const retry = await connect(t, kind);
    await retry.request('auth.login', { username: `vanish_payer_${kind}`, password: `vanish_payer_${kind} password` });
    for (const x of sent) {
      const r = await retry.request('transfer.create', { transferId: x.id, to: payee, amount: x.amount });
      expect(r.transfer).toMatchObject({ id: x.id, amount: x.amount, to: payee });
    }
    const total = sent.reduce((n, x) => n + x.amount, 0);
    expect((await retry.request('account.balance', {})).balance).toBe(1_000_000 - total);
    expect((await admin.request('admin.ledger.verify', {})).ok).toBe(true);
    expect((await admin.request('admin.audit.verify', {})).ok).toBe(true);
    retry.close();
    await expectStillServing(t);
  });
});

describe('a frame recorded on one connection', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(() => t.stop());

  it.each<TransportKind>(['tcp', 'ws'])('is refused on another connection over %s (its keys are per connection)', async (kind) => {
    const a = await openSecureRaw(t, kind);
    const b = await openSecureRaw(t, kind);
    // The same seq (0) on both: only the keys differ.
    const recorded = a.seal({ id: 1, op: 'ping', args: {} });
    b.raw.sendFrame(recorded);
    const close = await b.raw.waitClosed();
    expect(close.byRelay).toBe(true);
    expect(b.raw.unread).toBe(0);
    // On its own connection it is good.
    a.raw.sendFrame(recorded);
    expect(await a.nextMessage()).toMatchObject({ id: 1, ok: true });
    a.raw.destroy();
  });
});

describe('a burst of sign-ins', () => {
  let t: TestRelay;
  beforeAll(async () => {
    // scrypt at its real cost (2^15) for this one.
    t = await startTestRelay({ ...UNLIMITED, scryptLog2N: 15 });
  });
  afterAll(() => t.stop());

  it('never starves the event loop: an honest client is answered while the hashes are still running', async () => {
    const guesser = await connect(t, 'tcp');
    const honest = await connect(t, 'ws');
    let loginsDone = 0;
    const BURST = 24;
    const logins = Array.from({ length: BURST }, (_, i) =>
      guesser.call('auth.login', { username: i % 2 ? 'admin' : `nobody_${i}`, password: `wrong guess ${i}` }).then((r) => {
        loginsDone++;
        return r;
      }),
    );
    // Each ping is answered while most of the burst's hashes are still to come.
    const answeredAfter: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await honest.call('ping', {})).ok).toBe(true);
      answeredAfter.push(loginsDone);
    }
    expect(answeredAfter[0]!).toBeLessThan(BURST);
    const results = await Promise.all(logins);
    // Wrong guesses for admin lock it after 5 (LOCKED_OUT); the rest are plain refusals.
    for (const r of results) expect(r.ok === false && ['UNAUTHENTICATED', 'LOCKED_OUT']).toContain(r.ok === false && r.error.code);
    guesser.close();
    honest.close();
  }, 60_000);
});

describe(`a relay restart under ${RESTART_CLIENTS} connected clients`, () => {
  let t: TestRelay;
  afterAll(() => t?.stop());

  it('lets every one of them resume its session on the new process', { timeout: 180_000 }, async () => {
    t = await startTestRelay({ ...UNLIMITED, scryptLog2N: 10 }, { keepData: true });
    const { dataDir, tcpPort, wsPort } = t;
    const admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const PEOPLE = 50;
    for (let i = 0; i < PEOPLE; i++) await customer(admin, `restart_${i}`, 1000);
    admin.close();
    const sessions: { kind: TransportKind; username: string; token: string; client: BankClient }[] = [];
    for (let batch = 0; batch < RESTART_CLIENTS; batch += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, RESTART_CLIENTS - batch) }, async (_, j) => {
          const i = batch + j;
          const kind: TransportKind = i % 2 ? 'ws' : 'tcp';
          const username = `restart_${i % PEOPLE}`;
          const client = await connect(t, kind);
          const { token } = await client.request('auth.login', { username, password: `${username} password` });
          sessions.push({ kind, username, token, client });
        }),
      );
    }
    expect(t.relay.context.live.sessionCount).toBe(RESTART_CLIENTS);

    // The restart: every client sees its connection close.
    const closed = Promise.all(sessions.map((s) => s.client.closedPromise()));
    await t.relay.close();
    await withTimeout(closed, 30_000, 'clients were not all disconnected');
    t = await startTestRelay({ ...UNLIMITED, scryptLog2N: 10, dataDir, tcpPort, wsPort });

    // Each reconnects on its own transport and resumes with its token, without a password.
    let resumed = 0;
    for (let batch = 0; batch < sessions.length; batch += 100) {
      await Promise.all(
        sessions.slice(batch, batch + 100).map(async (s) => {
          const client = await connect(t, s.kind);
          const r = await client.request('auth.resume', { token: s.token });
          expect(r.user.username).toBe(s.username);
          expect((await client.request('account.balance', {})).balance).toBe(1000);
          resumed++;
          s.client = client;
        }),
      );
    }
    expect(resumed).toBe(RESTART_CLIENTS);
    expect(t.relay.context.live.sessionCount).toBe(RESTART_CLIENTS);
    for (const s of sessions) s.client.close();
  });
});
