import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OP_NAMES } from '../../common/schemas/ops.js';
import { registry } from '../../relay/ops/index.js';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';

describe('a customer\'s life: registration, approval, deposit, transfer, history', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ largeTransferAlert: 100_000 });
  });
  afterAll(() => t.stop());

  it('serves every op of the contract', () => {
    expect([...registry.keys()].sort()).toEqual([...OP_NAMES].sort());
  });

  it('moves money between two approved customers and tells everyone concerned', async () => {
    const admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const anon = await connect(t, 'tcp');
    for (const [username, displayName] of [['jane_smith', 'Jane Smith'], ['john_doe', 'John Doe']]) {
      await anon.request('auth.register', { username: username!, password: `${username} password`, displayName: displayName! });
      const { user } = await admin.request('admin.registration.decide', { username: username!, approve: true });
      expect(user.status).toBe('active');
      expect(user.accounts).toHaveLength(1);
    }
    const jane = await connect(t, 'tcp');
    const janeLogin = await jane.request('auth.login', { username: 'jane_smith', password: 'jane_smith password' });
    const john = await connect(t, 'ws');
    const johnLogin = await john.request('auth.login', { username: 'john_doe', password: 'john_doe password' });
    const janeAcct = janeLogin.accounts[0]!.account;
    const johnAcct = johnLogin.accounts[0]!.account;

    const deposited = jane.nextEvent('balance.updated');
    const dep = await admin.request('admin.account.deposit', { transferId: randomUUID(), account: janeAcct, amount: 250_000, memo: 'salary' });
    expect(dep.balance).toBe(250_000);
    expect((await deposited).data).toMatchObject({ account: janeAcct, balance: 250_000 });

    expect(await john.request('account.lookup', { account: janeAcct })).toEqual({ account: janeAcct, displayName: 'Jane S.' });

    const received = john.nextEvent('transfer.received');
    const posted = jane.nextEvent('transfer.posted');
    const alert = admin.nextEvent('admin.alert', (e) => e.data.kind === 'large_transfer');
    const id = randomUUID();
    const sent = await jane.request('transfer.create', { transferId: id, to: johnAcct, amount: 120_000, memo: 'rent' });
    expect(sent.balance).toBe(130_000);
    expect(sent.transfer).toMatchObject({ id, from: janeAcct, to: johnAcct, amount: 120_000, memo: 'rent', status: 'posted' });
    expect((await received).data.transfer).toEqual(sent.transfer);
    expect((await posted).data.transfer).toEqual(sent.transfer);
    expect((await alert).data.data).toMatchObject({ transfer: { id } });

    // The same id again: the original result, no money moved.
    expect(await jane.request('transfer.create', { transferId: id, to: johnAcct, amount: 120_000, memo: 'rent' })).toEqual(sent);
    expect(await jane.call('transfer.create', { transferId: id, to: johnAcct, amount: 1, memo: 'rent' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await john.request('account.balance', {})).balance).toBe(120_000);

    expect(await jane.call('transfer.create', { transferId: randomUUID(), to: johnAcct, amount: 130_001 })).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await jane.call('transfer.create', { transferId: randomUUID(), to: janeAcct, amount: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const history = await john.request('account.history', {});
    expect(history.entries).toEqual([{ transferId: id, ts: sent.transfer.ts, amount: 120_000, counterparty: janeAcct, memo: 'rent', balanceAfter: 120_000 }]);
    const janeHistory = await jane.request('account.history', { limit: 1 });
    expect(janeHistory.entries[0]).toMatchObject({ amount: -120_000, balanceAfter: 130_000 });
    const older = await jane.request('account.history', { limit: 1, before: janeHistory.next! });
    expect(older.entries[0]).toMatchObject({ amount: 250_000, memo: 'salary' });
    expect(older.next).toBeUndefined();

    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0, transfers: 2 });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
    const list = await admin.request('admin.transfer.list', { account: janeAcct });
    expect(list.transfers.map((x) => x.amount)).toEqual([120_000, 250_000]);
    for (const c of [admin, anon, jane, john]) c.close();
  });
});
