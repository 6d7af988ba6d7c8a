import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, addUser, connect, loginAs, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';

describe.each<TransportKind>(['tcp', 'ws'])('auth over %s', (kind) => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ lockout: { maxFailures: 5, windowMs: 60_000, durationMs: 60_000 } });
    await addUser(t, 'jane_smith', 'correct horse battery', 'user', 'Jane Smith');
  });
  afterAll(() => t.stop());

  it('handshakes and answers ping with the relay clock', async () => {
    const c = await connect(t, kind, { suite: 'web' });
    expect(c.handshake.fingerprint).toBe(t.relay.fingerprint);
    const r = await c.request('ping', {});
    expect(Date.parse(r.ts)).not.toBeNaN();
    c.close();
  });

  it('registers a pending user who cannot sign in yet, and alerts admins', async () => {
    const admin = await connect(t, kind);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const alert = admin.nextEvent('admin.alert', (e) => e.data.kind === 'registration');
    const c = await connect(t, kind);
    const name = `new_${kind}`;
    expect(await c.request('auth.register', { username: name, password: 'a good password', displayName: 'New Person' })).toEqual({ status: 'pending' });
    expect((await alert).data).toMatchObject({ kind: 'registration', data: { username: name } });
    const login = await c.call('auth.login', { username: name, password: 'a good password' });
    expect(login).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(login)).toMatch(/approval/);
    const again = await c.call('auth.register', { username: name, password: 'another password', displayName: 'Other' });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    admin.close();
    c.close();
  });

  it('logs in, resumes on a second connection, logs out', async () => {
    const { client: first, token } = await loginAs(t, kind, 'jane_smith', 'correct horse battery');
    const second = await connect(t, kind === 'tcp' ? 'ws' : 'tcp');
    const resumed = await second.request('auth.resume', { token });
    expect(resumed.user).toEqual({ username: 'jane_smith', displayName: 'Jane Smith', role: 'user', status: 'active' });
    expect(resumed.token).toBe(token);
    // The session moved: the first connection is closed.
    await first.closedPromise();
    await second.request('auth.logout', {});
    expect(await second.call('auth.changePassword', { oldPassword: 'x'.repeat(8), newPassword: 'y'.repeat(8) })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    const third = await connect(t, kind);
    expect(await third.call('auth.resume', { token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    second.close();
    third.close();
  });

  it('refuses a wrong password with the same message as an unknown user', async () => {
    const c = await connect(t, kind);
    const wrong = await c.call('auth.login', { username: 'jane_smith', password: 'not the password' });
    const unknown = await c.call('auth.login', { username: 'nobody_here', password: 'not the password' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(!wrong.ok && !unknown.ok && wrong.error.message === unknown.error.message).toBe(true);
    c.close();
  });

  it('locks a user out after five failures and alerts admins', async () => {
    const name = `locked_${kind}`;
    await addUser(t, name, 'the real password');
    const admin = await connect(t, kind);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const alert = admin.nextEvent('admin.alert', (e) => e.data.kind === 'lockout');
    const c = await connect(t, kind);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.call('auth.login', { username: name, password: `wrong password ${i}` });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'LOCKED_OUT']);
    expect(await c.call('auth.login', { username: name, password: 'the real password' })).toMatchObject({ ok: false, error: { code: 'LOCKED_OUT' } });
    expect((await alert).data).toMatchObject({ kind: 'lockout', data: { username: name } });
    admin.close();
    c.close();
  });

  it('changes a password', async () => {
    const name = `changer_${kind}`;
    await addUser(t, name, 'first password');
    const { client } = await loginAs(t, kind, name, 'first password');
    expect(await client.call('auth.changePassword', { oldPassword: 'wrong password', newPassword: 'second password' })).toMatchObject({ ok: false });
    await client.request('auth.changePassword', { oldPassword: 'first password', newPassword: 'second password' });
    const c = await connect(t, kind);
    expect(await c.call('auth.login', { username: name, password: 'first password' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await c.request('auth.login', { username: name, password: 'second password' });
    client.close();
    c.close();
  });

  it('answers UNKNOWN_OP and BAD_REQUEST naming the field, and keeps serving', async () => {
    const c = await connect(t, kind);
    expect(await c.call('no.such.op', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OP' } });
    const bad = await c.call('auth.login', { username: 'jane_smith' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!bad.ok && bad.error.message).toMatch(/password/);
    const extra = await c.call('ping', { surprise: 1 });
    expect(!extra.ok && extra.error.message).toMatch(/surprise/);
    expect(await c.call('auth.logout', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await c.call('ping', {})).ok).toBe(true);
    c.close();
  });
});
