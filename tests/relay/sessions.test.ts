import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

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
