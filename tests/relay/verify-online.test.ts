import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { whileWriting } from '../helpers/load.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

/*
 * `admin.audit.verify` and `admin.ledger.verify` while eight connections keep writing: each
 * reads one consistent moment of the store, so a relay writing meanwhile never makes them report
 * a problem that is not there (a false "the audit log was tampered with" is an incident).
 */
const PASSWORD = 'online verify password';

describe('verifying a bank while it takes writes', () => {
  let t: TestRelay;
  let admin: BankClient;
  const writers: BankClient[] = [];
  const accounts: string[] = [];

  beforeAll(async () => {
    t = await startTestRelay({ requestRate: { perSecond: 0, burst: 1 } });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (let i = 0; i < 8; i++) {
      const username = `writer_${i}`;
      const r = await admin.request('admin.user.create', { username, password: PASSWORD, displayName: username, role: 'user', openingDeposit: 10_000_000 });
      accounts.push(r.accounts[0]!.account);
      writers.push((await loginAs(t, i % 2 === 0 ? 'tcp' : 'ws', username, PASSWORD)).client);
    }
  });
  afterAll(async () => {
    for (const c of [admin, ...writers]) c?.close();
    await t?.stop();
  });

  it('never raises a false alarm: 15 audit and 15 ledger verifications under load all pass', { timeout: 120_000 }, async () => {
    const { acknowledged, result } = await whileWriting(writers, accounts, async () => {
      const verdicts: unknown[] = [];
      for (let i = 0; i < 15; i++) {
        const [audit, ledger] = await Promise.all([admin.request('admin.audit.verify', {}), admin.request('admin.ledger.verify', {})]);
        verdicts.push(audit, ledger);
      }
      return verdicts;
    });
    expect(acknowledged).toBeGreaterThan(100);
    for (const v of result) expect(v).toMatchObject({ ok: true });
  });
});
