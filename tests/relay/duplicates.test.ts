import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import { expectSameAnswers } from '../helpers/ledger.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';

/*
 * Copies of one transfer id sent at once, as a retry after a reconnect sends them: pipelined on
 * one connection and spread over several (TCP and WebSocket sessions of the same customer), to
 * a warm relay and to one that has just restarted (the payer's account and limits not yet read
 * since), for single transfers, deposits and batches. Money moves once; every answer agrees;
 * both verifiers pass.
 */
const PASSWORD = 'duplicates test password';
const OPENING = 100_000;

describe('the same transfer id, sent many times at once', () => {
  let t: TestRelay;
  let admin: BankClient;
  const open: BankClient[] = [];
  const accounts = new Map<string, string>();

  async function signIn(kind: TransportKind, username: string): Promise<BankClient> {
    const { client } = await loginAs(t, kind, username, PASSWORD);
    open.push(client);
    return client;
  }
  async function restart(): Promise<void> {
    for (const c of [admin, ...open]) c.close();
    open.length = 0;
    const dataDir = t.dataDir;
    await t.relay.close();
    t = await startTestRelay({ dataDir }, { keepData: true });
    admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
  }
  const balance = async (u: string) => (await admin.request('admin.user.list', { query: u })).users.find((x) => x.username === u)!.accounts[0]!.balance;
  /** Copies of one request: `pipelined` on each client, all sent before any answer is read. */
  function copies(clients: BankClient[], pipelined: number, op: string, args: unknown): Promise<RawResponse[]> {
    return Promise.all(clients.flatMap((c) => Array.from({ length: pipelined }, () => c.call(op, args))));
  }

  beforeAll(async () => {
    t = await startTestRelay({}, { keepData: true });
    admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const u of ['payer', 'payee']) {
      const r = await admin.request('admin.user.create', { username: u, password: PASSWORD, displayName: u, role: 'user', openingDeposit: OPENING });
      accounts.set(u, r.accounts[0]!.account);
    }
  });
  afterAll(async () => {
    for (const c of [admin, ...open]) c?.close();
    await t?.stop();
  });

  // Cold: nothing of the payer (their limits and today's spending) is read between the restart
  // and the copies; every balance is read before the restart, or after the copies.
  for (const when of ['warm', 'cold'] as const) {
    it(`${when}: 10 pipelined copies on one connection post once`, async () => {
      const before = await balance('payer');
      if (when === 'cold') await restart();
      const c = await signIn('tcp', 'payer');
      const args = { transferId: randomUUID(), to: accounts.get('payee')!, amount: 123 };
      const answers = await copies([c], 10, 'transfer.create', args);
      expectSameAnswers(answers);
      expect(await balance('payer')).toBe(before - 123);
    });

    it(`${when}: copies on four sessions of one customer (TCP and WebSocket), pipelined on each, post once`, async () => {
      const before = await balance('payer');
      if (when === 'cold') await restart();
      const sessions = [await signIn('tcp', 'payer'), await signIn('ws', 'payer'), await signIn('tcp', 'payer'), await signIn('ws', 'payer')];
      const args = { transferId: randomUUID(), to: accounts.get('payee')!, amount: 77, memo: 'one rent' };
      const answers = await copies(sessions, 5, 'transfer.create', args);
      expectSameAnswers(answers);
      expect(await balance('payer')).toBe(before - 77);
    });

    it(`${when}: an admin's deposit sent on two connections at once is made once`, async () => {
      const before = await balance('payee');
      if (when === 'cold') await restart();
      const other = await connect(t, 'ws');
      open.push(other);
      await other.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      const args = { transferId: randomUUID(), account: accounts.get('payee')!, amount: 5_000 };
      expectSameAnswers(await copies([admin, other], 4, 'admin.account.deposit', args));
      expect(await balance('payee')).toBe(before + 5_000);
    });

    it(`${when}: the same batch on three connections at once posts each item once`, async () => {
      const before = await balance('payer');
      if (when === 'cold') await restart();
      const sessions = [await signIn('tcp', 'payer'), await signIn('ws', 'payer'), await signIn('tcp', 'payer')];
      const args = { transfers: Array.from({ length: 50 }, (_, i) => ({ transferId: randomUUID(), to: accounts.get('payee')!, amount: 10 + i })), atomic: when === 'cold' };
      const answers = await copies(sessions, 2, 'transfer.batch', args);
      expectSameAnswers(answers);
      expect(await balance('payer')).toBe(before - args.transfers.reduce((n, x) => n + x.amount, 0));
    });
  }

  it('leaves a ledger that verifies, every transfer matched by its audit record', async () => {
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
  });
});
