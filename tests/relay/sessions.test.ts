import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, record, settle } from '../helpers/events.js';
import { openSecureRaw } from '../helpers/raw.js';
import { tokenKey } from '../../relay/auth/tokens.js';
import type { BankClient } from '../../common/client/bank-client.js';
import { addUser, ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

const MINUTE = 60_000;

/** A clock the test moves by hand, so timeouts of minutes and hours are tested without waiting. */
function manualClock(start = Date.parse('2026-01-01T09:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('session lifetimes', () => {
  const clock = manualClock();
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ sessionIdleMs: 15 * MINUTE, sessionAbsoluteMs: 12 * 60 * MINUTE }, { clock: clock.now });
    await addUser(t, 'idle_user', 'idle password');
    await addUser(t, 'busy_user', 'busy password');
    await addUser(t, 'multi_user', 'multi password');
  });
  afterAll(() => t.stop());

  it('expires a session left idle past the idle timeout, on the open connection and for resume', async () => {
    const { client, token } = await loginAs(t, 'tcp', 'idle_user', 'idle password');
    clock.advance(14 * MINUTE);
    expect((await client.call('auth.changePassword', { oldPassword: 'wrong password', newPassword: 'irrelevant pw' })).ok).toBe(false);
    clock.advance(16 * MINUTE);
    expect(await client.call('auth.logout', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const other = await connect(t, 'ws');
    const r = await other.call('auth.resume', { token });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(!r.ok && r.error.message).toMatch(/expired|ended/);
    client.close();
    other.close();
  });

  it('keeps an active session alive up to the absolute timeout, then ends it', async () => {
    const { client, token } = await loginAs(t, 'ws', 'busy_user', 'busy password');
    const login = await (async () => {
      const c = await connect(t, 'tcp');
      const res = await c.request('auth.resume', { token });
      c.close();
      return res;
    })();
    expect(Date.parse(login.expiresAt)).toBe(clock.now() + 15 * MINUTE);
    await client.closedPromise();
    // Resume every 10 minutes for almost 12 hours: always within the idle window.
    let last = await connect(t, 'tcp');
    await last.request('auth.resume', { token });
    for (let elapsed = 0; elapsed + 10 * MINUTE < 12 * 60 * MINUTE; elapsed += 10 * MINUTE) {
      clock.advance(10 * MINUTE);
      expect((await last.call('ping', {})).ok).toBe(true);
      expect((await last.call('auth.changePassword', { oldPassword: 'wrong password', newPassword: 'other password' })).ok).toBe(false);
    }
    clock.advance(10 * MINUTE);
    expect(await last.call('auth.logout', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    last.close();
    last = await connect(t, 'tcp');
    expect(await last.call('auth.resume', { token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    last.close();
  });

  it('a password change ends the user\'s other sessions and tells their connections', async () => {
    const a = await loginAs(t, 'tcp', 'multi_user', 'multi password');
    const b = await loginAs(t, 'ws', 'multi_user', 'multi password');
    const revoked = b.client.nextEvent('session.revoked');
    await a.client.request('auth.changePassword', { oldPassword: 'multi password', newPassword: 'a new password' });
    expect((await revoked).data.reason).toMatch(/password/);
    await b.client.closedPromise();
    const c = await connect(t, 'tcp');
    expect(await c.call('auth.resume', { token: b.token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // The session that made the change goes on.
    expect((await c.call('auth.resume', { token: a.token })).ok).toBe(true);
    c.close();
  });
});

describe('sessions end when they end', () => {
  const clock = manualClock(Date.parse('2026-03-01T09:00:00Z'));
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ sessionIdleMs: 15 * MINUTE, sessionAbsoluteMs: 12 * 60 * MINUTE, largeTransferAlert: 1_000 }, { clock: clock.now });
    const admin = await signedInAdmin();
    for (const [username, password] of [['sleepy_payee', 'sleepy password'], ['awake_payer', 'awake password']]) {
      await admin.request('admin.user.create', { username: username!, password: password!, displayName: username!, role: 'user' });
    }
    admin.close();
    await addUser(t, 'revoked_user', 'revoked password');
    await addUser(t, 'leaver', 'leaver password');
  });
  afterAll(() => t.stop());

  async function signedInAdmin(kind: 'tcp' | 'ws' = 'ws') {
    return (await loginAs(t, kind, 'admin', ADMIN_PASSWORD)).client;
  }

  /** A change written after everything already queued: once it is answered, those are on disk. */
  async function barrier(admin: BankClient): Promise<void> {
    await admin.request('admin.user.update', { username: 'admin', displayName: `Admin ${randomUUID().slice(0, 8)}` });
  }

  it('a connected session past its limit gets no more events, is told session.expired, and its token no longer resumes', async () => {
    const payee = await loginAs(t, 'ws', 'sleepy_payee', 'sleepy password');
    const staleAdmin = await signedInAdmin();
    const payeeLog = record(payee.client);
    const adminLog = record(staleAdmin);
    const payeeAccount = (await payee.client.request('account.list', {})).accounts[0]!.account;
    clock.advance(16 * MINUTE);
    // Someone still signed in pays them a large amount: a balance for the payee, an alert for admins.
    const admin = await signedInAdmin('tcp');
    const alerted = admin.nextEvent('admin.alert', (e) => e.data.kind === 'large_transfer');
    const payer = (await loginAs(t, 'tcp', 'awake_payer', 'awake password')).client;
    const payerAccount = (await payer.request('account.list', {})).accounts[0]!.account;
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: payerAccount, amount: 5_000 });
    await payer.request('transfer.create', { transferId: randomUUID(), to: payeeAccount, amount: 2_000 });
    await alerted;
    await payee.client.nextEvent('session.expired');
    await staleAdmin.nextEvent('session.expired');
    await settle(payee.client, staleAdmin);
    expect(events(payeeLog).map((e) => e.event)).toEqual(['session.expired']);
    expect(events(payeeLog)[0]!.data).toEqual({ reason: 'the session was idle for too long' });
    expect(events(adminLog).map((e) => e.event)).toEqual(['session.expired']);
    // Signed out, still connected: a request needing a session is refused, and a new sign-in works here.
    expect(await payee.client.call('account.balance', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const again = await connect(t, 'tcp');
    expect(await again.call('auth.resume', { token: payee.token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await payee.client.request('account.balance', {}).catch((e: Error) => e.message))).toMatch(/sign in/);
    expect((await payee.client.call('auth.login', { username: 'sleepy_payee', password: 'sleepy password' })).ok).toBe(true);
    for (const c of [payee.client, staleAdmin, admin, payer, again]) c.close();
  });

  it('a session revoked while it is busy stays revoked: 20 rounds, no token resumes', async () => {
    const admin = await signedInAdmin();
    let resumed = 0;
    for (let round = 0; round < 20; round++) {
      // Past the touch interval, so the busy session's requests each want to write its activity.
      clock.advance(61_000);
      const { client, token } = await loginAs(t, 'tcp', 'revoked_user', 'revoked password');
      clock.advance(61_000);
      // Requests keep coming until the relay closes the connection, some of them while the
      // revocation is being written.
      const busy = (async () => {
        while (!client.closed) await Promise.allSettled(Array.from({ length: 4 }, () => client.call('account.balance', {})));
      })();
      await new Promise((r) => setTimeout(r, round % 5));
      await admin.request('admin.session.revoke', { username: 'revoked_user' });
      await busy;
      await barrier(admin);
      const stored = await t.relay.context.bank.getSessions([tokenKey(token)]);
      const probe = await connect(t, 'ws');
      if (stored[0] !== undefined || (await probe.call('auth.resume', { token })).ok) resumed++;
      probe.close();
    }
    expect(resumed).toBe(0);
    expect(await t.relay.context.bank.sessionKeysOf('revoked_user')).toEqual([]);
    admin.close();
  });

  it('sign-ins whose connections close at once leave no session, live or stored', async () => {
    const before = t.relay.context.live.sessionCount;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const s = await openSecureRaw(t, 'tcp');
        s.send({ id: 1, op: 'auth.login', args: { username: 'leaver', password: 'leaver password' } });
        s.raw.destroy();
      }),
    );
    // Everything those sign-ins started has finished once no password work is left and the writer is idle.
    await expect.poll(() => t.relay.context.users.passwordWork.heldBy('127.0.0.1'), { timeout: 10_000 }).toBe(0);
    const admin = await signedInAdmin();
    await barrier(admin);
    admin.close();
    await expect.poll(() => t.relay.context.live.sessionCount, { timeout: 10_000 }).toBe(before);
    expect(await t.relay.context.bank.sessionKeysOf('leaver')).toEqual([]);
  });

  it('deletes stored sessions that expired unseen', async () => {
    const { client } = await loginAs(t, 'tcp', 'leaver', 'leaver password');
    client.close();
    await client.closedPromise();
    expect(await t.relay.context.bank.sessionKeysOf('leaver')).toHaveLength(1);
    clock.advance(16 * MINUTE);
    expect(await t.relay.context.sessions.sweep()).toBeGreaterThanOrEqual(1);
    expect(await t.relay.context.bank.sessionKeysOf('leaver')).toEqual([]);
  });
});
