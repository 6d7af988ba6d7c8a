import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../common/schemas/models.js';
import { addUser, connect, loginAs, levelDbOf, startTestRelay, type TestRelay } from '../helpers/relay.js';

async function auditEntries(t: TestRelay): Promise<AuditEntry[]> {
  return (await levelDbOf(t).audit.values().all()) as AuditEntry[];
}

describe('the audit trail of auth events', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ lockout: { maxFailures: 3, windowMs: 60_000, durationMs: 60_000 } });
  });
  afterAll(() => t.stop());

  it('records every auth event, chained, without secrets', async () => {
    const before = (await auditEntries(t)).length;
    const c = await connect(t, 'tcp');
    await c.request('auth.register', { username: 'audited', password: 'register password', displayName: 'Audited Person' });
    await addUser(t, 'walter', 'walter password');
    const { client, token } = await loginAs(t, 'ws', 'walter', 'walter password');
    await client.request('auth.changePassword', { oldPassword: 'walter password', newPassword: 'walter password 2' });
    const again = await connect(t, 'tcp');
    await again.request('auth.resume', { token });
    await again.request('auth.logout', {});
    for (let i = 0; i < 3; i++) await c.call('auth.login', { username: 'walter', password: `bad guess ${i}` });
    await c.call('auth.login', { username: 'nobody', password: 'whatever pw' });

    const entries = (await auditEntries(t)).slice(before);
    const summary = entries.map((e) => `${e.action}:${e.outcome}:${e.actor}`);
    expect(summary).toEqual([
      'auth.register:pending:audited',
      'user.add:active:operator',
      'auth.login:ok:walter',
      'auth.changePassword:ok:walter',
      'auth.resume:ok:walter',
      'auth.logout:ok:walter',
      'auth.login:bad_password:walter',
      'auth.login:bad_password:walter',
      'auth.login:bad_password:walter',
      'auth.lockout:locked:system',
      'auth.login:unknown_user:anonymous',
    ]);
    const text = JSON.stringify(await auditEntries(t));
    for (const secret of ['register password', 'walter password', 'bad guess', token]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/scrypt\$/);
    const verdict = await levelDbOf(t).verifyAudit();
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.head).toEqual(t.relay.context.commits.auditHead);
    c.close();
    again.close();
  });

  it.each([
    ['frozen', 'ACCOUNT_FROZEN', /frozen/],
    ['closed', 'FORBIDDEN', /closed/],
    ['pending', 'FORBIDDEN', /approval/],
  ] as const)('a %s user cannot sign in or resume, with a clear message', async (status, code, message) => {
    const name = `user_${status}`;
    await addUser(t, name, 'status password');
    const { token } = await loginAs(t, 'tcp', name, 'status password');
    const { users, commits } = t.relay.context;
    const record = (await users.get(name))!;
    await commits.commit([{ type: 'user', user: { ...record, status }, from: record.version }]);
    const c = await connect(t, 'ws');
    const login = await c.call('auth.login', { username: name, password: 'status password' });
    expect(login).toMatchObject({ ok: false, error: { code } });
    expect(!login.ok && login.error.message).toMatch(message);
    const resume = await c.call('auth.resume', { token });
    expect(resume).toMatchObject({ ok: false, error: { code } });
    // The refused resume ended that session for good.
    expect(await c.call('auth.resume', { token })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    c.close();
  });
});
