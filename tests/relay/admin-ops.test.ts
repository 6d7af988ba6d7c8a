import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT, makeAccountNumber } from '../../common/account-number.js';
import type { AuditEntry, Transfer, User } from '../../common/schemas/models.js';
import { OP_NAMES, opDefs, type OpName, type OpResult } from '../../common/schemas/ops.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';

/*
 * The behaviour of every admin op of PROTOCOL §5, over real sockets against a real relay and
 * LevelDB. Admin actions are made by a second admin, "ops_lead", so the audit trail must name
 * the session's admin, not a built-in one. The relay runs on a clock the test moves by hand,
 * so transfer timestamps are far enough apart to filter by time without guessing at bounds.
 */

const PASSWORD = 'admin ops password';
const LEAD = 'ops_lead';
const LOOKUPS_PER_MINUTE = 3;
const SECOND = 1000;

function manualClock(start = Date.parse('2026-03-02T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

type AdminOp = Extract<OpName, `admin.${string}`>;

/**
 * The audit action each admin op must write with the admin as actor; null: the op changes
 * nothing stored (reads, and admin.monitor, which only changes this connection's events).
 */
const AUDIT_ACTION: Record<AdminOp, string | null> = {
  'admin.user.list': null,
  'admin.user.create': 'admin.user.create',
  'admin.user.update': 'admin.user.update',
  'admin.user.setStatus': 'admin.user.setStatus',
  'admin.user.approvePasswordReset': 'admin.user.approvePasswordReset',
  'admin.registration.decide': 'admin.registration.decide',
  'admin.account.deposit': 'admin.account.deposit',
  'admin.account.withdraw': 'admin.account.withdraw',
  'admin.account.batch': 'admin.account.batch',
  'admin.run.list': null,
  'admin.transfer.list': null,
  'admin.audit.query': null,
  'admin.audit.verify': null,
  'admin.ledger.verify': null,
  'admin.session.list': null,
  'admin.session.revoke': 'session.revoke',
  'admin.stats': null,
  'admin.monitor': null,
};

function expectError(r: RawResponse, code: string): string {
  expect(r, JSON.stringify(r)).toMatchObject({ ok: false, error: { code } });
  return r.ok ? '' : r.error.message;
}

describe('admin operations', () => {
  const clock = manualClock();
  let t: TestRelay;
  let lead: BankClient;
  let anon: BankClient;
  const clients: BankClient[] = [];
  const calls: { op: OpName; args: Record<string, unknown>; from: number; to: number }[] = [];

  const auditSeq = () => t.relay.context.commits.auditHead.seq;

  /** An admin op made by ops_lead: must succeed, result checked against §5's schema, remembered for the audit check. */
  async function act<N extends AdminOp>(op: N, args: Record<string, unknown>): Promise<OpResult<N>> {
    const from = auditSeq();
    const r = await lead.call(op, args);
    expect(r, `${op} ${JSON.stringify(args)}`).toMatchObject({ ok: true });
    if (!r.ok) throw new Error('unreachable');
    const parsed = opDefs[op].result.safeParse(r.result);
    expect(parsed.success, `${op} result must match the contract: ${JSON.stringify(r.result)}`).toBe(true);
    calls.push({ op, args, from, to: auditSeq() });
    return r.result as OpResult<N>;
  }

  async function signIn(kind: TransportKind, username: string, password = PASSWORD): Promise<{ client: BankClient; token: string }> {
    const s = await loginAs(t, kind, username, password);
    clients.push(s.client);
    return s;
  }

  async function fresh(kind: TransportKind): Promise<BankClient> {
    const c = await connect(t, kind);
    clients.push(c);
    return c;
  }

  async function customer(username: string, displayName: string, openingDeposit?: number): Promise<string> {
    const { accounts } = await act('admin.user.create', {
      username,
      password: PASSWORD,
      displayName,
      role: 'user',
      ...(openingDeposit !== undefined && { openingDeposit }),
    });
    return accounts[0]!.account;
  }

  async function allUsers(): Promise<User[]> {
    return (await act('admin.user.list', { limit: 500 })).users;
  }

  async function allTransfers(args: Record<string, unknown> = {}): Promise<Transfer[]> {
    const out: Transfer[] = [];
    let cursor: string | undefined;
    do {
      const page = await act('admin.transfer.list', { ...args, limit: 500, ...(cursor !== undefined && { cursor }) });
      out.push(...page.transfers);
      cursor = page.next;
    } while (cursor !== undefined);
    return out;
  }

  async function allAudit(args: Record<string, unknown> = {}): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await act('admin.audit.query', { ...args, afterSeq, limit: 500 });
      if (page.entries.length === 0) return out;
      out.push(...page.entries);
      afterSeq = page.entries.at(-1)!.seq;
    }
  }

  /**
   * Starts a sign-in and holds it right after its password check, just before it takes the
   * user's lock (UserStore.withUser); runs `meanwhile` (an admin action on that user) and then
   * lets the sign-in go on. This makes the race between the two deterministic.
   */
  async function signInAround(username: string, password: string, meanwhile: () => Promise<unknown>): Promise<{ client: BankClient; response: RawResponse }> {
    const users = t.relay.context.users;
    const withUser = users.withUser.bind(users);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atLock = new Promise<void>((r) => (reached = r));
    let armed = true;
    const spy = vi.spyOn(users, 'withUser').mockImplementation((async (name: string, fn: () => Promise<unknown>) => {
      if (armed && name === username) {
        armed = false;
        reached();
        await released;
      }
      return withUser(name, fn);
    }) as typeof users.withUser);
    try {
      const client = await fresh('tcp');
      const login = client.call('auth.login', { username, password });
      await atLock;
      await meanwhile();
      release();
      return { client, response: await login };
    } finally {
      spy.mockRestore();
    }
  }

  /** Whether a sign-in left a session that still works, on its connection or by resuming its token. */
  async function sessionSurvives(client: BankClient, response: RawResponse): Promise<boolean> {
    if (!response.ok) return false;
    const served = !client.closed && (await client.call('account.list', {})).ok;
    const resumed = (await (await fresh('ws')).call('auth.resume', { token: (response.result as { token: string }).token })).ok;
    return served || resumed;
  }

  const transfer = (c: BankClient, to: string, amount: number) => c.call('transfer.create', { transferId: randomUUID(), to, amount });

  beforeAll(async () => {
    t = await startTestRelay({ lookupsPerMinute: LOOKUPS_PER_MINUTE }, { clock: clock.now });
    const root = await connect(t, 'ws');
    clients.push(root);
    await root.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await root.request('admin.user.create', { username: LEAD, password: PASSWORD, displayName: 'Operations Lead', role: 'admin' });
    lead = (await signIn('tcp', LEAD)).client;
    anon = await fresh('tcp');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  describe('admin.user.create', () => {
    it('creates an active customer with an account holding the opening deposit, who can sign in', async () => {
      const { user, accounts } = await act('admin.user.create', {
        username: 'uc_funded',
        password: PASSWORD,
        displayName: 'Funded Customer',
        role: 'user',
        openingDeposit: 12_345,
      });
      expect(user).toMatchObject({
        username: 'uc_funded',
        displayName: 'Funded Customer',
        role: 'user',
        status: 'active',
        limits: { perTransfer: 5_000_000, perDay: 20_000_000 },
      });
      expect(accounts).toEqual([{ account: expect.any(String), balance: 12_345, currency: 'USD', status: 'active' }]);
      expect(user.accounts).toEqual(accounts);
      const { client } = await signIn('ws', 'uc_funded');
      expect((await client.request('account.list', {})).accounts).toEqual(accounts);
      const history = await client.request('account.history', {});
      expect(history.entries).toEqual([expect.objectContaining({ amount: 12_345, counterparty: CASH_ACCOUNT, balanceAfter: 12_345 })]);
    });

    it('without an opening deposit the account starts at 0', async () => {
      const { user, accounts } = await act('admin.user.create', { username: 'uc_empty', password: PASSWORD, displayName: 'Empty Customer', role: 'user' });
      expect(accounts).toEqual([{ account: expect.any(String), balance: 0, currency: 'USD', status: 'active' }]);
      expect(user.accounts).toEqual(accounts);
      expect(accounts[0]!.account).not.toBe((await allUsers()).find((u) => u.username === 'uc_funded')!.accounts[0]!.account);
    });

    it('refuses a taken username with CONFLICT, in any case', async () => {
      for (const username of ['uc_funded', 'UC_Funded']) {
        expectError(await lead.call('admin.user.create', { username, password: PASSWORD, displayName: 'Someone Else', role: 'user' }), 'CONFLICT');
      }
      expect((await allUsers()).filter((u) => u.username === 'uc_funded')).toHaveLength(1);
    });

    it('an admin gets no account, can sign in and use admin ops', async () => {
      const { user, accounts } = await act('admin.user.create', { username: 'uc_admin', password: PASSWORD, displayName: 'Another Admin', role: 'admin' });
      expect(user).toMatchObject({ role: 'admin', status: 'active', accounts: [] });
      expect(accounts).toEqual([]);
      const { client } = await signIn('tcp', 'uc_admin');
      expect((await client.call('admin.stats', {})).ok).toBe(true);
      expect((await client.request('account.list', {})).accounts).toEqual([]);
      const withDeposit = await lead.call('admin.user.create', { username: 'uc_admin2', password: PASSWORD, displayName: 'Rich Admin', role: 'admin', openingDeposit: 100 });
      expect(expectError(withDeposit, 'BAD_REQUEST')).toMatch(/openingDeposit/);
    });
  });

  describe('admin.user.list', () => {
    beforeAll(async () => {
      await customer('ul_anna', 'Anna Quartz');
      await customer('ul_bert', 'Bert Quartz');
      await customer('ul_carl', 'Carl Zephyr');
      await act('admin.user.setStatus', { username: 'ul_bert', status: 'frozen' });
    });

    it('finds users by part of the username or of the display name, ignoring case', async () => {
      const byName = await act('admin.user.list', { query: 'Quartz' });
      expect(byName.users.map((u) => u.username)).toEqual(['ul_anna', 'ul_bert']);
      const byUsername = await act('admin.user.list', { query: 'ul_ca' });
      expect(byUsername.users.map((u) => u.username)).toEqual(['ul_carl']);
      expect(byUsername.users[0]).toMatchObject({ displayName: 'Carl Zephyr', role: 'user', status: 'active', accounts: [expect.objectContaining({ balance: 0 })] });
      expect((await act('admin.user.list', { query: 'no such person' })).users).toEqual([]);
    });

    it('filters by status, alone and with a query', async () => {
      const frozen = await act('admin.user.list', { status: 'frozen', limit: 500 });
      expect(frozen.users.map((u) => u.username)).toContain('ul_bert');
      for (const u of frozen.users) expect(u.status).toBe('frozen');
      const activeQuartz = await act('admin.user.list', { query: 'quartz', status: 'active' });
      expect(activeQuartz.users.map((u) => u.username)).toEqual(['ul_anna']);
    });

    it('pages with cursor/next through every user exactly once', async () => {
      const all = (await allUsers()).map((u) => u.username);
      expect(all.length).toBeGreaterThan(5);
      expect(new Set(all).size).toBe(all.length);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await act('admin.user.list', { limit, ...(cursor !== undefined && { cursor }) });
          expect(page.users.length).toBeLessThanOrEqual(limit);
          if (page.next !== undefined) expect(page.users).toHaveLength(limit);
          seen.push(...page.users.map((u) => u.username));
          cursor = page.next;
          pages++;
          expect(pages).toBeLessThanOrEqual(all.length + 1);
        } while (cursor !== undefined);
        expect(seen).toEqual(all);
      }
      const first = await act('admin.user.list', { query: 'quartz', limit: 1 });
      expect(first.users.map((u) => u.username)).toEqual(['ul_anna']);
      const second = await act('admin.user.list', { query: 'quartz', limit: 1, cursor: first.next! });
      expect(second.users.map((u) => u.username)).toEqual(['ul_bert']);
      expect(second.next).toBeUndefined();
    });
  });

  describe('admin.user.update', () => {
    it('changes the display name', async () => {
      await customer('uu_dana', 'Dana Before');
      const { user } = await act('admin.user.update', { username: 'uu_dana', displayName: 'Dana After' });
      expect(user).toMatchObject({ username: 'uu_dana', displayName: 'Dana After' });
      const login = await (await fresh('ws')).request('auth.login', { username: 'uu_dana', password: PASSWORD });
      expect(login.user.displayName).toBe('Dana After');
      expectError(await lead.call('admin.user.update', { username: 'uu_nobody', displayName: 'Ghost' }), 'NOT_FOUND');
    });

    it('a password reset ends the user\'s sessions; the old password fails and the new one works', async () => {
      await customer('uu_eric', 'Eric Reset');
      const tcp = await signIn('tcp', 'uu_eric');
      const ws = await signIn('ws', 'uu_eric');
      const revoked = Promise.all([tcp.client.nextEvent('session.revoked'), ws.client.nextEvent('session.revoked')]);
      const closed = Promise.all([tcp.client.closedPromise(), ws.client.closedPromise()]);
      await act('admin.user.update', { username: 'uu_eric', password: 'a brand new password' });
      await revoked;
      await closed;
      const c = await fresh('tcp');
      for (const token of [tcp.token, ws.token]) expectError(await c.call('auth.resume', { token }), 'UNAUTHENTICATED');
      expectError(await c.call('auth.login', { username: 'uu_eric', password: PASSWORD }), 'UNAUTHENTICATED');
      expect((await c.request('auth.login', { username: 'uu_eric', password: 'a brand new password' })).user.username).toBe('uu_eric');
    });

    it('a sign-in that had checked the old password when an admin reset it leaves no live session', async () => {
      await customer('uu_race', 'Racing Signin');
      const { client, response } = await signInAround('uu_race', PASSWORD, () =>
        act('admin.user.update', { username: 'uu_race', password: 'the reset password' }),
      );
      expect(await sessionSurvives(client, response), `signed in with the replaced password: ${JSON.stringify(response)}`).toBe(false);
    });

    it('an admin who resets their own password gets the answer and keeps the session they used; their other sessions end', async () => {
      // As with auth.changePassword and admin.session.revoke on oneself, the session making the change goes on.
      await act('admin.user.create', { username: 'uu_self', password: PASSWORD, displayName: 'Self Resetter', role: 'admin' });
      const self = await signIn('ws', 'uu_self');
      const other = await signIn('tcp', 'uu_self');
      const otherClosed = other.client.closedPromise();
      const r = await self.client.call('admin.user.update', { username: 'uu_self', password: 'my own new password' });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, result: { user: { username: 'uu_self' } } });
      await otherClosed;
      expect((await self.client.call('admin.stats', {})).ok).toBe(true);
      expect((await (await fresh('tcp')).call('auth.login', { username: 'uu_self', password: 'my own new password' })).ok).toBe(true);
    });

    it('another administrator\'s password is reset only once a second administrator approves; the one who asked cannot', async () => {
      for (const username of ['pr_target', 'pr_asker']) await act('admin.user.create', { username, password: PASSWORD, displayName: username, role: 'admin' });
      const target = await signIn('ws', 'pr_target');
      const asker = await signIn('tcp', 'pr_asker');
      const alert = target.client.nextEvent('admin.alert', (e) => (e.data as { kind?: string }).kind === 'password_reset');
      const asked = await asker.client.request('admin.user.update', { username: 'pr_target', password: 'taken over password' });
      expect(asked.user.passwordReset).toMatchObject({ requestedBy: 'pr_asker' });
      expect((await alert).data).toMatchObject({ kind: 'password_reset', data: { username: 'pr_target', by: 'pr_asker' } });
      // Nothing changed yet: the old password works, the new one does not, the target's session goes on.
      const c = await fresh('tcp');
      expectError(await c.call('auth.login', { username: 'pr_target', password: 'taken over password' }), 'UNAUTHENTICATED');
      expect((await c.call('auth.login', { username: 'pr_target', password: PASSWORD })).ok).toBe(true);
      expect((await target.client.call('admin.stats', {})).ok).toBe(true);
      // The one who asked cannot approve it.
      expect(expectError(await asker.client.call('admin.user.approvePasswordReset', { username: 'pr_target', approve: true }), 'FORBIDDEN')).toMatch(/another administrator/);
      // A second administrator approves: the new password replaces the old and the target's sessions end.
      const revoked = target.client.nextEvent('session.revoked');
      const { user } = await act('admin.user.approvePasswordReset', { username: 'pr_target', approve: true });
      expect(user.passwordReset).toBeUndefined();
      expect((await revoked).data).toEqual({ reason: 'an administrator reset the password' });
      expectError(await (await fresh('ws')).call('auth.login', { username: 'pr_target', password: PASSWORD }), 'UNAUTHENTICATED');
      expect((await (await fresh('ws')).call('auth.login', { username: 'pr_target', password: 'taken over password' })).ok).toBe(true);
      expectError(await lead.call('admin.user.approvePasswordReset', { username: 'pr_target', approve: true }), 'NOT_FOUND');
      const entries = (await allAudit()).filter((e) => e.target === 'pr_target');
      expect(entries.find((e) => e.action === 'admin.user.update')).toMatchObject({ actor: 'pr_asker', details: { changed: ['password (awaiting approval)'] } });
      expect(entries.find((e) => e.action === 'admin.user.approvePasswordReset')).toMatchObject({ actor: LEAD, outcome: 'approved', details: { requestedBy: 'pr_asker' } });
    });

    it('a rejected reset of an administrator\'s password changes nothing; the administrator may approve one asked for them', async () => {
      for (const username of ['pr_kept', 'pr_asker2']) await act('admin.user.create', { username, password: PASSWORD, displayName: username, role: 'admin' });
      const asker = await signIn('tcp', 'pr_asker2');
      await asker.client.request('admin.user.update', { username: 'pr_kept', password: 'unwanted password' });
      const { user } = await act('admin.user.approvePasswordReset', { username: 'pr_kept', approve: false });
      expect(user.passwordReset).toBeUndefined();
      expect((await (await fresh('tcp')).call('auth.login', { username: 'pr_kept', password: PASSWORD })).ok).toBe(true);
      // Asked again, and approved by the administrator whose password it is: they keep the session they approve from.
      await asker.client.request('admin.user.update', { username: 'pr_kept', password: 'wanted password' });
      const kept = await signIn('ws', 'pr_kept');
      expect((await kept.client.call('admin.user.approvePasswordReset', { username: 'pr_kept', approve: true })).ok).toBe(true);
      expect((await kept.client.call('admin.stats', {})).ok).toBe(true);
      expect((await (await fresh('tcp')).call('auth.login', { username: 'pr_kept', password: 'wanted password' })).ok).toBe(true);
      // A customer's password is still reset at once.
      await customer('pr_customer', 'Reset Customer');
      await asker.client.request('admin.user.update', { username: 'pr_customer', password: 'customer new password' });
      expect((await (await fresh('tcp')).call('auth.login', { username: 'pr_customer', password: 'customer new password' })).ok).toBe(true);
    });

    it('limits: a transfer over perTransfer and one over the day\'s total are LIMIT_EXCEEDED; admin deposits are not limited', async () => {
      await customer('uu_lim', 'Limited Spender', 100_000);
      const payee = await customer('uu_rcpt', 'Limit Payee');
      const { user } = await act('admin.user.update', { username: 'uu_lim', limits: { perTransfer: 10_000, perDay: 25_000 } });
      expect(user.limits).toEqual({ perTransfer: 10_000, perDay: 25_000 });
      const { client } = await signIn('ws', 'uu_lim');
      expectError(await transfer(client, payee, 10_001), 'LIMIT_EXCEEDED');
      expect((await transfer(client, payee, 10_000)).ok).toBe(true);
      expect((await transfer(client, payee, 10_000)).ok).toBe(true);
      expectError(await transfer(client, payee, 10_000), 'LIMIT_EXCEEDED');
      expect((await transfer(client, payee, 5_000)).ok).toBe(true); // exactly the day's total
      expectError(await transfer(client, payee, 1), 'LIMIT_EXCEEDED');
      expect((await client.request('account.balance', {})).balance).toBe(75_000);
      // Limits bind customers, not the bank's own deposits.
      const own = (await client.request('account.list', {})).accounts[0]!.account;
      expect((await act('admin.account.deposit', { transferId: randomUUID(), account: own, amount: 50_000 })).balance).toBe(125_000);
      // Setting one limit keeps the other.
      const { user: after } = await act('admin.user.update', { username: 'uu_lim', limits: { perTransfer: 20_000 } });
      expect(after.limits).toEqual({ perTransfer: 20_000, perDay: 25_000 });
    });
  });

  describe('admin.user.setStatus', () => {
    let fay: string;
    let gus: string;
    let gusClient: BankClient;
    beforeAll(async () => {
      fay = await customer('ss_fay', 'Fay Status', 10_000);
      gus = await customer('ss_gus', 'Gus Status', 10_000);
      gusClient = (await signIn('tcp', 'ss_gus')).client;
    });

    it('a frozen account can neither receive nor send (ACCOUNT_FROZEN), and its user cannot sign in', async () => {
      const fayLive = await signIn('ws', 'ss_fay');
      const closed = fayLive.client.closedPromise();
      const { user } = await act('admin.user.setStatus', { username: 'ss_fay', status: 'frozen' });
      expect(user).toMatchObject({ status: 'frozen', accounts: [expect.objectContaining({ account: fay, status: 'frozen' })] });
      await closed;
      expectError(await transfer(gusClient, fay, 100), 'ACCOUNT_FROZEN');
      expectError(await lead.call('admin.account.deposit', { transferId: randomUUID(), account: fay, amount: 100 }), 'ACCOUNT_FROZEN');
      expectError(await lead.call('admin.account.withdraw', { transferId: randomUUID(), account: fay, amount: 100 }), 'ACCOUNT_FROZEN');
      expectError(await (await fresh('tcp')).call('auth.login', { username: 'ss_fay', password: PASSWORD }), 'ACCOUNT_FROZEN');
      const users = await allUsers();
      expect(users.find((u) => u.username === 'ss_fay')!.accounts[0]!.balance).toBe(10_000);
      expect(users.find((u) => u.username === 'ss_gus')!.accounts[0]!.balance).toBe(10_000);
    });

    it('a sign-in that had checked the password when the user was frozen is refused', async () => {
      await customer('ss_race', 'Racing Freeze');
      const { client, response } = await signInAround('ss_race', PASSWORD, () => act('admin.user.setStatus', { username: 'ss_race', status: 'frozen' }));
      expectError(response, 'ACCOUNT_FROZEN');
      expect(await sessionSurvives(client, response)).toBe(false);
    });

    it('unfreezing restores signing in, sending and receiving', async () => {
      const { user } = await act('admin.user.setStatus', { username: 'ss_fay', status: 'active' });
      expect(user).toMatchObject({ status: 'active', accounts: [expect.objectContaining({ status: 'active' })] });
      const { client } = await signIn('tcp', 'ss_fay');
      expect((await transfer(client, gus, 1_000)).ok).toBe(true);
      expect((await transfer(gusClient, fay, 500)).ok).toBe(true);
      expect((await client.request('account.balance', {})).balance).toBe(9_500);
    });

    it('closing needs a zero balance: CONFLICT until the money is withdrawn, then closed for good', async () => {
      expectError(await lead.call('admin.user.setStatus', { username: 'ss_fay', status: 'closed' }), 'CONFLICT');
      expect((await allUsers()).find((u) => u.username === 'ss_fay')!.status).toBe('active');
      const { balance } = await act('admin.account.withdraw', { transferId: randomUUID(), account: fay, amount: 9_500 });
      expect(balance).toBe(0);
      const { user } = await act('admin.user.setStatus', { username: 'ss_fay', status: 'closed' });
      expect(user).toMatchObject({ status: 'closed', accounts: [expect.objectContaining({ account: fay, status: 'closed', balance: 0 })] });
      expectError(await (await fresh('ws')).call('auth.login', { username: 'ss_fay', password: PASSWORD }), 'FORBIDDEN');
      // To a payer, a closed account is one that does not exist (as account.lookup says).
      expect(expectError(await transfer(gusClient, fay, 100), 'NOT_FOUND')).toBe(`no account ${fay}`);
    });

    it('an admin cannot freeze or close themself (FORBIDDEN)', async () => {
      for (const status of ['frozen', 'closed']) {
        expectError(await lead.call('admin.user.setStatus', { username: LEAD, status }), 'FORBIDDEN');
      }
      expect((await allUsers()).find((u) => u.username === LEAD)!.status).toBe('active');
      expect((await lead.call('ping', {})).ok).toBe(true);
    });
  });

  describe('admin.registration.decide', () => {
    beforeAll(async () => {
      for (const [username, displayName] of [['rd_hugo', 'Hugo Applicant'], ['rd_ivy', 'Ivy Applicant']] as const) {
        await anon.request('auth.register', { username, password: PASSWORD, displayName });
      }
    });

    it('approving opens an account and lets the user sign in', async () => {
      expect((await act('admin.user.list', { status: 'pending', limit: 500 })).users.map((u) => u.username)).toEqual(expect.arrayContaining(['rd_hugo', 'rd_ivy']));
      const { user } = await act('admin.registration.decide', { username: 'rd_hugo', approve: true });
      expect(user).toMatchObject({ username: 'rd_hugo', status: 'active', accounts: [expect.objectContaining({ balance: 0, status: 'active' })] });
      const login = await (await fresh('ws')).request('auth.login', { username: 'rd_hugo', password: PASSWORD });
      expect(login.accounts).toEqual(user.accounts);
    });

    it('rejecting keeps the user out', async () => {
      const { user } = await act('admin.registration.decide', { username: 'rd_ivy', approve: false });
      expect(user.username).toBe('rd_ivy');
      expect(user.status).not.toBe('active');
      expect(user.status).not.toBe('pending');
      expect(user.accounts).toEqual([]);
      const r = await (await fresh('tcp')).call('auth.login', { username: 'rd_ivy', password: PASSWORD });
      expect(r.ok).toBe(false);
      expectError(r, 'FORBIDDEN');
    });

    it('deciding twice, or on someone not waiting, is CONFLICT; on nobody NOT_FOUND', async () => {
      expectError(await lead.call('admin.registration.decide', { username: 'rd_hugo', approve: true }), 'CONFLICT');
      expectError(await lead.call('admin.registration.decide', { username: 'rd_hugo', approve: false }), 'CONFLICT');
      expectError(await lead.call('admin.registration.decide', { username: 'rd_ivy', approve: true }), 'CONFLICT');
      expectError(await lead.call('admin.registration.decide', { username: 'uc_funded', approve: true }), 'CONFLICT');
      expectError(await lead.call('admin.registration.decide', { username: 'rd_nobody', approve: true }), 'NOT_FOUND');
      const users = await allUsers();
      expect(users.find((u) => u.username === 'rd_hugo')!.accounts).toHaveLength(1);
      expect(users.find((u) => u.username === 'rd_ivy')!.accounts).toEqual([]);
    });
  });

  describe('admin.account.deposit / withdraw', () => {
    it('move money against the cash account and return the customer\'s balance', async () => {
      const jack = await customer('dw_jack', 'Jack Cash');
      const depositId = randomUUID();
      const dep = await act('admin.account.deposit', { transferId: depositId, account: jack, amount: 30_000, memo: 'counter deposit' });
      expect(dep.balance).toBe(30_000);
      expect(dep.transfer).toEqual({ id: depositId, from: CASH_ACCOUNT, to: jack, amount: 30_000, memo: 'counter deposit', ts: expect.any(String), status: 'posted' });
      const wd = await act('admin.account.withdraw', { transferId: randomUUID(), account: jack, amount: 10_000 });
      expect(wd.balance).toBe(20_000);
      expect(wd.transfer).toMatchObject({ from: jack, to: CASH_ACCOUNT, amount: 10_000 });
      // The same id again: the original result, no money moved; other arguments: CONFLICT.
      // (A replay changes nothing, so it is not among the audited actions: `lead.call`, not `act`.)
      expect(await lead.call('admin.account.deposit', { transferId: depositId, account: jack, amount: 30_000, memo: 'counter deposit' })).toMatchObject({ ok: true, result: dep });
      expectError(await lead.call('admin.account.deposit', { transferId: depositId, account: jack, amount: 30_001, memo: 'counter deposit' }), 'CONFLICT');
      expect((await allUsers()).find((u) => u.username === 'dw_jack')!.accounts[0]!.balance).toBe(20_000);
    });

    it('a withdrawal over the balance is INSUFFICIENT_FUNDS; the cash account and unknown accounts are refused', async () => {
      const jack = (await allUsers()).find((u) => u.username === 'dw_jack')!.accounts[0]!.account;
      expectError(await lead.call('admin.account.withdraw', { transferId: randomUUID(), account: jack, amount: 20_001 }), 'INSUFFICIENT_FUNDS');
      expect((await allUsers()).find((u) => u.username === 'dw_jack')!.accounts[0]!.balance).toBe(20_000);
      expectError(await lead.call('admin.account.deposit', { transferId: randomUUID(), account: CASH_ACCOUNT, amount: 1 }), 'BAD_REQUEST');
      expectError(await lead.call('admin.account.deposit', { transferId: randomUUID(), account: makeAccountNumber(987_654), amount: 1 }), 'NOT_FOUND');
    });

    it('admin.account.batch: many deposits (or withdrawals) in one write, item by item, counted into the admin\'s run and audited once under the admin\'s name', async () => {
      const [kim, lou] = [await customer('dw_kim', 'Kim Batch'), await customer('dw_lou', 'Lou Batch')];
      const runId = randomUUID();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const run = await lead.call('run.start', { runId, kind: 'deposits', digest: 'cd'.repeat(32), rows: 3, total: 7_000 });
      expect(run).toMatchObject({ ok: true, result: { run: { runId, owner: LEAD, kind: 'deposits', posted: 0, sent: 0, failed: 0 } } });
      const items = [
        { transferId: ids[0]!, account: kim, amount: 1_000, memo: 'correction' },
        { transferId: ids[1]!, account: makeAccountNumber(987_655), amount: 2_000 },
        { transferId: ids[2]!, account: lou, amount: 4_000 },
      ];
      const { results } = await act('admin.account.batch', { kind: 'deposit', items, runId });
      expect(results.map((r) => (r.ok ? r.balance : r.error.code))).toEqual([1_000, 'NOT_FOUND', 4_000]);
      expect(results[0]).toMatchObject({ transferId: ids[0], ok: true, transfer: { from: CASH_ACCOUNT, to: kim, amount: 1_000, memo: 'correction' } });
      // Sent again: replays, no money moves twice; the run counts each row once.
      const again = await lead.call('admin.account.batch', { kind: 'deposit', items, runId });
      expect(again).toMatchObject({ ok: true, result: { results: [{ ok: true, balance: 1_000 }, { ok: false }, { ok: true, balance: 4_000 }] } });
      const listed = await act('admin.run.list', { owner: LEAD });
      expect(listed.runs.find((r) => r.runId === runId)).toMatchObject({ posted: 2, sent: 5_000, failed: 1 });
      // A deposits run carries nothing else; the cash account is never an item.
      expectError(await lead.call('admin.account.batch', { kind: 'withdraw', items: [{ transferId: randomUUID(), account: kim, amount: 1 }], runId }), 'BAD_REQUEST');
      expectError(await lead.call('admin.account.batch', { kind: 'withdraw', items: [{ transferId: randomUUID(), account: CASH_ACCOUNT, amount: 1 }] }), 'BAD_REQUEST');
      const w = await act('admin.account.batch', { kind: 'withdraw', items: [{ transferId: randomUUID(), account: lou, amount: 500 }] });
      expect(w.results[0]).toMatchObject({ ok: true, balance: 3_500, transfer: { from: lou, to: CASH_ACCOUNT } });
      const entry = (await allAudit({ action: 'admin.account.batch' })).find((e) => e.target === runId);
      expect(entry).toMatchObject({ actor: LEAD, role: 'admin', outcome: 'partial', details: { posted: [[ids[0], CASH_ACCOUNT, kim, 1_000], [ids[2], CASH_ACCOUNT, lou, 4_000]], failed: [[ids[1], 'NOT_FOUND']] } });
    });

    it('the cash account\'s balance is minus the sum of all customer balances', async () => {
      const customerSum = (await allUsers()).flatMap((u) => u.accounts).reduce((s, a) => s + a.balance, 0);
      expect(customerSum).toBeGreaterThan(0);
      expect((await t.relay.context.ledger.account(CASH_ACCOUNT))!.balance).toBe(-customerSum);
      const cashSide = (await allTransfers({ account: CASH_ACCOUNT })).reduce((s, x) => s + (x.to === CASH_ACCOUNT ? x.amount : -x.amount), 0);
      expect(cashSide).toBe(-customerSum);
    });
  });

  describe('admin.transfer.list', () => {
    const made: Transfer[] = [];
    let kim: string;
    let lee: string;
    let kimOpening: Transfer;
    beforeAll(async () => {
      clock.advance(60 * SECOND);
      kim = await customer('tl_kim', 'Kim List', 100_000);
      lee = await customer('tl_lee', 'Lee List');
      kimOpening = (await allTransfers({ account: kim }))[0]!;
      const kimClient = (await signIn('tcp', 'tl_kim')).client;
      const leeClient = (await signIn('ws', 'tl_lee')).client;
      const jack = (await allUsers()).find((u) => u.username === 'dw_jack')!.accounts[0]!.account;
      const steps: (() => Promise<Transfer>)[] = [
        async () => (await kimClient.request('transfer.create', { transferId: randomUUID(), to: lee, amount: 1_000 })).transfer,
        async () => (await leeClient.request('transfer.create', { transferId: randomUUID(), to: kim, amount: 200 })).transfer,
        async () => (await kimClient.request('transfer.create', { transferId: randomUUID(), to: lee, amount: 3_000 })).transfer,
        async () => (await act('admin.account.deposit', { transferId: randomUUID(), account: lee, amount: 4_000 })).transfer,
        async () => (await kimClient.request('transfer.create', { transferId: randomUUID(), to: lee, amount: 5_000 })).transfer,
        async () => (await act('admin.account.deposit', { transferId: randomUUID(), account: jack, amount: 6_000 })).transfer,
      ];
      for (const step of steps) {
        clock.advance(10 * SECOND);
        made.push(await step());
      }
    });
    const shifted = (ts: string, ms: number) => new Date(Date.parse(ts) + ms).toISOString();

    it('filters by account, newest first', async () => {
      const [t1, t2, t3, , t5] = made;
      const { transfers, next } = await act('admin.transfer.list', { account: kim });
      expect(transfers).toEqual([t5, t3, t2, t1, kimOpening]);
      expect(next).toBeUndefined();
    });

    it('filters by time with since and until, with and without an account', async () => {
      const [, t2, t3, t4, t5, t6] = made;
      const window = await act('admin.transfer.list', { account: lee, since: shifted(t2!.ts, -5 * SECOND), until: shifted(t4!.ts, 5 * SECOND) });
      expect(window.transfers).toEqual([t4, t3, t2]);
      const recent = await act('admin.transfer.list', { since: shifted(t3!.ts, -5 * SECOND) });
      expect(recent.transfers).toEqual([t6, t5, t4, t3]);
      const older = await act('admin.transfer.list', { account: kim, until: shifted(t2!.ts, 5 * SECOND) });
      expect(older.transfers).toEqual([t2, made[0], kimOpening]);
    });

    it('pages with a cursor, each transfer exactly once and in order', async () => {
      const [t1, t2, t3, , t5] = made;
      const p1 = await act('admin.transfer.list', { account: kim, limit: 2 });
      expect(p1.transfers).toEqual([t5, t3]);
      const p2 = await act('admin.transfer.list', { account: kim, limit: 2, cursor: p1.next! });
      expect(p2.transfers).toEqual([t2, t1]);
      const p3 = await act('admin.transfer.list', { account: kim, limit: 2, cursor: p2.next! });
      expect(p3.transfers).toEqual([kimOpening]);
      expect(p3.next).toBeUndefined();

      const everything = await allTransfers();
      expect(new Set(everything.map((x) => x.id)).size).toBe(everything.length);
      const paged: Transfer[] = [];
      let cursor: string | undefined;
      do {
        const page = await act('admin.transfer.list', { limit: 3, ...(cursor !== undefined && { cursor }) });
        expect(page.transfers.length).toBeLessThanOrEqual(3);
        paged.push(...page.transfers);
        cursor = page.next;
      } while (cursor !== undefined);
      expect(paged).toEqual(everything);
      expect(everything.slice(0, 6)).toEqual([...made].reverse());
    });
  });

  describe('admin.audit.query', () => {
    it('tails with afterSeq: only newer entries, in order, and nothing after the head', async () => {
      const { head } = await act('admin.audit.query', { limit: 1 });
      await customer('aq_mia', 'Mia Audited');
      const tail = await act('admin.audit.query', { afterSeq: head.seq });
      expect(tail.entries.length).toBeGreaterThan(0);
      expect(tail.entries.map((e) => e.seq)).toEqual(Array.from({ length: tail.entries.length }, (_, i) => head.seq + 1 + i));
      expect(tail.entries).toContainEqual(expect.objectContaining({ action: 'admin.user.create', actor: LEAD, role: 'admin', target: 'aq_mia' }));
      expect(tail.head.seq).toBe(tail.entries.at(-1)!.seq);
      const none = await act('admin.audit.query', { afterSeq: tail.head.seq });
      expect(none).toEqual({ entries: [], head: tail.head });
    });

    it('pages from the start with limit, covering the whole chain once', async () => {
      const firstThree = await act('admin.audit.query', { afterSeq: 0, limit: 3 });
      expect(firstThree.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(firstThree.entries[0]!.prev).toBe('0'.repeat(64));
      const seqs: number[] = [];
      let afterSeq = 0;
      for (;;) {
        const page = await act('admin.audit.query', { afterSeq, limit: 7 });
        if (page.entries.length === 0) break;
        seqs.push(...page.entries.map((e) => e.seq));
        afterSeq = page.entries.at(-1)!.seq;
      }
      expect(seqs).toEqual(Array.from({ length: afterSeq }, (_, i) => i + 1));
    });

    it('filters by actor and by action', async () => {
      const byLead = await allAudit({ actor: LEAD });
      expect(byLead.length).toBeGreaterThan(10);
      for (const e of byLead) expect(e.actor).toBe(LEAD);
      const creates = await allAudit({ action: 'admin.user.create' });
      for (const e of creates) expect(e.action).toBe('admin.user.create');
      expect(creates.map((e) => e.target)).toEqual(expect.arrayContaining(['uc_funded', 'aq_mia', LEAD]));
      const rootCreates = await allAudit({ actor: 'admin', action: 'admin.user.create' });
      expect(rootCreates.map((e) => e.target)).toEqual([LEAD]);
    });
  });

  describe('admin.session.list and admin.session.revoke', () => {
    it('lists sessions with where they are connected, and never a token', async () => {
      await customer('sl_nora', 'Nora Sessions');
      const tcp = await signIn('tcp', 'sl_nora');
      const ws = await signIn('ws', 'sl_nora');
      const detached = await signIn('tcp', 'sl_nora');
      detached.client.close();
      await vi.waitFor(
        async () => {
          const { sessions } = await act('admin.session.list', {});
          const nora = sessions.filter((s) => s.username === 'sl_nora');
          expect(nora.map((s) => (s.connected ? s.transport : 'detached')).sort()).toEqual(['detached', 'tcp', 'ws']);
        },
        { timeout: 5000, interval: 20 },
      );
      const { sessions } = await act('admin.session.list', {});
      for (const s of sessions.filter((x) => x.username === 'sl_nora')) {
        expect(s).toMatchObject({ role: 'user' });
        if (!s.connected) expect(s.transport).toBeUndefined();
      }
      expect(sessions).toContainEqual(expect.objectContaining({ username: LEAD, role: 'admin', connected: true, transport: 'tcp' }));
      const text = JSON.stringify(sessions);
      for (const token of [tcp.token, ws.token, detached.token]) expect(text).not.toContain(token);

      expect(await act('admin.session.revoke', { username: 'sl_nora' })).toEqual({ revoked: 3 });
      await Promise.all([tcp.client.closedPromise(), ws.client.closedPromise()]);
      expect((await act('admin.session.list', {})).sessions.filter((s) => s.username === 'sl_nora')).toEqual([]);
      expectError(await lead.call('admin.session.revoke', { username: 'sl_nobody' }), 'NOT_FOUND');
    });
  });

  describe('account.lookup', () => {
    it('shows the payee\'s name masked, "Jane Smith" as "Jane S."', async () => {
      const jane = await customer('al_jane', 'Jane Smith');
      await customer('al_olga', 'Olga Looker');
      const { client } = await signIn('tcp', 'al_olga');
      expect(await client.request('account.lookup', { account: jane })).toEqual({ account: jane, displayName: 'Jane S.' });
    });

    it(`is RATE_LIMITED after ${LOOKUPS_PER_MINUTE} lookups a minute, per user over all their sessions`, async () => {
      const jane = (await allUsers()).find((u) => u.username === 'al_jane')!.accounts[0]!.account;
      await customer('al_petra', 'Petra Other');
      clock.advance(60 * SECOND);
      const sessions = [await signIn('ws', 'al_olga'), await signIn('tcp', 'al_olga'), await signIn('ws', 'al_olga')].map((s) => s.client);
      // Spread over three sessions, the lookups still share one allowance: account numbers are
      // sequential, so more sessions must not mean more masked names.
      for (let i = 0; i < LOOKUPS_PER_MINUTE; i++) expect((await sessions[i % 3]!.call('account.lookup', { account: jane })).ok).toBe(true);
      for (const s of sessions) expectError(await s.call('account.lookup', { account: jane }), 'RATE_LIMITED');
      const fresh = await signIn('tcp', 'al_olga');
      expectError(await fresh.client.call('account.lookup', { account: jane }), 'RATE_LIMITED');
      // Another user has their own allowance; a minute later Olga has hers again.
      expect((await (await signIn('tcp', 'al_petra')).client.call('account.lookup', { account: jane })).ok).toBe(true);
      clock.advance(60 * SECOND);
      expect((await sessions[0]!.call('account.lookup', { account: jane })).ok).toBe(true);
      clock.advance(60 * SECOND);
    });

    it('a closed account, the cash account or an unknown one is NOT_FOUND', async () => {
      const closing = await customer('al_gone', 'Gone Away');
      await act('admin.user.setStatus', { username: 'al_gone', status: 'closed' });
      const { client } = await signIn('tcp', 'al_olga');
      expectError(await client.call('account.lookup', { account: closing }), 'NOT_FOUND');
      expectError(await client.call('account.lookup', { account: CASH_ACCOUNT }), 'NOT_FOUND');
      expectError(await client.call('account.lookup', { account: makeAccountNumber(987_654) }), 'NOT_FOUND');
    });
  });

  describe('payments that are refused', () => {
    it('tell no more than a lookup: a closed payee is NOT_FOUND like an unknown one, each refusal about the payee spends a lookup, the payer\'s own refusals come first', async () => {
      const gone = (await allUsers()).find((u) => u.username === 'al_gone')!.accounts[0]!.account;
      const jane = (await allUsers()).find((u) => u.username === 'al_jane')!.accounts[0]!.account;
      const frozen = await customer('tp_frozen', 'Frozen Payee');
      await act('admin.user.setStatus', { username: 'tp_frozen', status: 'frozen' });
      await customer('tp_quinn', 'Quinn Prober', 1_000);
      clock.advance(60 * SECOND);
      const { client } = await signIn('tcp', 'tp_quinn');
      const unknown = makeAccountNumber(987_654);
      const probe = (to: string, amount = 1) => client.call('transfer.create', { transferId: randomUUID(), to, amount });
      // More than the balance: refused for the payer's own reason, whatever the payee, and free.
      for (const to of [jane, unknown, gone, frozen]) expectError(await probe(to, 5_000), 'INSUFFICIENT_FUNDS');
      // A closed account answers exactly as one that never existed; each refusal about the payee spends a lookup (3 a minute).
      expect(expectError(await probe(gone), 'NOT_FOUND')).toBe(`no account ${gone}`);
      expect(expectError(await probe(unknown), 'NOT_FOUND')).toBe(`no account ${unknown}`);
      expectError(await probe(frozen), 'ACCOUNT_FROZEN');
      // Spent: refusals about the payee, and lookups, are RATE_LIMITED alike; nothing moved.
      for (const answer of [await probe(unknown), await probe(frozen), await client.call('account.lookup', { account: jane })]) expectError(answer, 'RATE_LIMITED');
      // A payment run's refusals spend the daily bulk-lookup budget (account.lookupMany's) instead,
      // where its limit is tested (tests/relay/payment-runs.test.ts): a payroll's refused rows keep their reasons.
      const batch = await client.request('transfer.batch', { transfers: [{ transferId: randomUUID(), to: unknown, amount: 1 }, { transferId: randomUUID(), to: jane, amount: 10 }] });
      expect(batch.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['NOT_FOUND', 'ok']);
      // A payment that goes through costs no lookup; a minute later the allowance is back.
      expect((await probe(jane, 10)).ok).toBe(true);
      expect((await client.request('account.balance', {})).balance).toBe(980);
      clock.advance(60 * SECOND);
      expectError(await probe(unknown), 'NOT_FOUND');
      clock.advance(60 * SECOND);
    });
  });

  describe('verification and the audit of admin actions (after everything above)', () => {
    it('admin.audit.verify: the chain is intact', async () => {
      const v = await act('admin.audit.verify', {});
      expect(v).toMatchObject({ ok: true, entries: auditSeq(), head: t.relay.context.commits.auditHead });
      expect(v.problem).toBeUndefined();
    });

    it('admin.ledger.verify: balances match entries, every account and transfer counted, sum 0', async () => {
      const accounts = (await allUsers()).flatMap((u) => u.accounts).length + 1; // + the cash account
      const transfers = (await allTransfers()).length;
      const v = await act('admin.ledger.verify', {});
      expect(v).toEqual({ ok: true, accounts, transfers, sum: 0 });
    });

    it('every admin action made above wrote an audit entry naming the admin who made it', async () => {
      const mutating = (Object.keys(AUDIT_ACTION) as AdminOp[]).filter((op) => AUDIT_ACTION[op] !== null);
      for (const op of mutating) expect(calls.map((c) => c.op), `the suite must exercise ${op}`).toContain(op);
      const entries = await allAudit();
      const text = JSON.stringify(entries);
      for (const secret of [PASSWORD, 'a brand new password', 'the reset password']) expect(text, 'no password in the audit trail').not.toContain(secret);
      for (const call of calls) {
        const action = AUDIT_ACTION[call.op as AdminOp];
        if (action === null || action === undefined) continue;
        const made = entries.filter((e) => e.seq > call.from && e.seq <= call.to);
        const wanted = [action, ...(call.op === 'admin.user.create' && call.args.openingDeposit !== undefined ? ['admin.account.deposit'] : [])];
        for (const w of wanted) {
          expect(made, `${call.op} ${JSON.stringify(call.args)} must be audited as ${w} by ${LEAD}`).toContainEqual(
            expect.objectContaining({ action: w, actor: LEAD, role: 'admin' }),
          );
        }
        for (const e of made) expect(e.actor, `entries written by ${call.op}`).not.toBe('admin');
      }
    });
  });
});

describe('admin.stats', () => {
  let t: TestRelay;
  const clients: BankClient[] = [];
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  it('counts connections by transport, live sessions, requests per op and the ledger', async () => {
    const admin = await connect(t, 'ws');
    clients.push(admin);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const a = await admin.request('admin.user.create', { username: 'st_a', password: PASSWORD, displayName: 'Stat A', role: 'user', openingDeposit: 5_000 });
    const b = await admin.request('admin.user.create', { username: 'st_b', password: PASSWORD, displayName: 'Stat B', role: 'user' });
    const aClient = (await loginAs(t, 'tcp', 'st_a', PASSWORD)).client;
    const bClient = (await loginAs(t, 'ws', 'st_b', PASSWORD)).client;
    const anon = await connect(t, 'tcp');
    clients.push(aClient, bClient, anon);
    for (let i = 0; i < 3; i++) await anon.request('ping', {});

    await aClient.request('transfer.create', { transferId: randomUUID(), to: b.accounts[0]!.account, amount: 1_000 });
    expect(a.accounts).toHaveLength(1);

    const stats = await admin.request('admin.stats', {});
    expect(opDefs['admin.stats'].result.safeParse(stats).success).toBe(true);
    expect(stats.connections).toEqual({ tcp: 2, ws: 2, legacy: 0 });
    expect(stats.sessions).toBe(3);
    expect(stats.ledger).toEqual({ accounts: 3, transfers: 2 });
    expect(stats.uptimeS).toBeGreaterThanOrEqual(0);
    expect(stats.ops).toMatchObject({ ping: 3, 'auth.login': 3, 'admin.user.create': 2, 'transfer.create': 1 });

    anon.close();
    bClient.close();
    await vi.waitFor(
      async () => {
        const after = await admin.request('admin.stats', {});
        expect(after.connections).toEqual({ tcp: 1, ws: 1, legacy: 0 });
        expect(after.sessions).toBe(2);
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it('never makes a counter of a name that is not an op (a client could grow them without bound)', async () => {
    const admin = await connect(t, 'tcp');
    const anon = await connect(t, 'ws');
    clients.push(admin, anon);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    for (const name of ['no.such.op', 'made.up.1', 'made.up.2']) {
      expect(await anon.call(name, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OP' } });
    }
    const { ops } = await admin.request('admin.stats', {});
    expect(Object.keys(ops).filter((op) => ![...OP_NAMES, '(unknown)'].includes(op)), 'counter keys that are not op names').toEqual([]);
  });
});
