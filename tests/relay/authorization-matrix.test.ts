import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import { OP_NAMES, type OpName } from '../../common/schemas/ops.js';
import { registry } from '../../relay/ops/index.js';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';

/*
 * Every op × {no session, user, other user, admin, frozen user, pending user}, with the
 * outcome each must get. The table is keyed by the relay's registry: an op added there without
 * its row here fails the first test.
 *
 * Every request is about one "owner", a customer with money: their account, their sessions.
 * - none: a connection that never signed in;
 * - user: the owner, signed in;
 * - other: another customer, signed in, naming the owner's things;
 * - admin: an administrator, signed in;
 * - frozen: a customer an admin froze (their session was revoked with it), on a fresh connection;
 * - pending: a customer whose registration waits for approval, on a fresh connection.
 * The sign-in ops (login, resume, change password, log out) use the actor's own credentials:
 * signing in is about who you are, not about the owner.
 */

const ACTORS = ['none', 'user', 'other', 'admin', 'frozen', 'pending'] as const;
type Actor = (typeof ACTORS)[number];
/** "ok", or the error code the request must be refused with. */
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'ACCOUNT_FROZEN' | 'CONFLICT';
type Row = Record<Actor, Outcome>;

const OPEN: Row = { none: 'ok', user: 'ok', other: 'ok', admin: 'ok', frozen: 'ok', pending: 'ok' };
/** A customer op on the owner's own things. */
const OWNERS: Row = { none: 'UNAUTHENTICATED', user: 'ok', other: 'NOT_FOUND', admin: 'NOT_FOUND', frozen: 'UNAUTHENTICATED', pending: 'UNAUTHENTICATED' };
/** A customer op about the signed-in actor, whoever they are. */
const SIGNED_IN: Row = { none: 'UNAUTHENTICATED', user: 'ok', other: 'ok', admin: 'ok', frozen: 'UNAUTHENTICATED', pending: 'UNAUTHENTICATED' };
const ADMINS: Row = { none: 'UNAUTHENTICATED', user: 'FORBIDDEN', other: 'FORBIDDEN', admin: 'ok', frozen: 'UNAUTHENTICATED', pending: 'UNAUTHENTICATED' };

const MATRIX: Record<OpName, Row> = {
  ping: OPEN,
  'auth.register': OPEN,
  'auth.login': { none: 'ok', user: 'ok', other: 'ok', admin: 'ok', frozen: 'ACCOUNT_FROZEN', pending: 'FORBIDDEN' },
  'auth.resume': { none: 'ok', user: 'ok', other: 'ok', admin: 'ok', frozen: 'UNAUTHENTICATED', pending: 'UNAUTHENTICATED' },
  'auth.logout': SIGNED_IN,
  'auth.changePassword': SIGNED_IN,
  'account.list': SIGNED_IN,
  'account.balance': OWNERS,
  'account.history': OWNERS,
  // Anyone signed in may look up a payee's masked name before paying them.
  'account.lookup': SIGNED_IN,
  'account.lookupMany': SIGNED_IN,
  // From the owner's account: a stranger (or an admin, through this customer op) is told it is not theirs.
  'transfer.create': OWNERS,
  // Every item pays from the owner's account: the whole batch is refused to anyone else.
  'transfer.batch': OWNERS,
  // Runs are the signed-in person's own: each actor starts, finds and lists theirs (a run named
  // by someone else is refused in tests/relay/payment-runs.test.ts).
  'run.start': SIGNED_IN,
  'run.find': SIGNED_IN,
  'run.list': SIGNED_IN,
  'admin.user.list': ADMINS,
  'admin.user.create': ADMINS,
  'admin.user.update': ADMINS,
  'admin.user.setStatus': ADMINS,
  // The owner (a customer) has no password reset waiting: an admin gets past the role check to be told so.
  'admin.user.approvePasswordReset': { ...ADMINS, admin: 'NOT_FOUND' },
  'admin.registration.decide': ADMINS,
  'admin.account.deposit': ADMINS,
  'admin.account.withdraw': ADMINS,
  'admin.account.batch': ADMINS,
  'admin.run.list': ADMINS,
  'admin.transfer.list': ADMINS,
  'admin.audit.query': ADMINS,
  'admin.audit.verify': ADMINS,
  'admin.ledger.verify': ADMINS,
  'admin.session.list': ADMINS,
  'admin.session.revoke': ADMINS,
  'admin.stats': ADMINS,
  'admin.monitor': ADMINS,
};

interface Person {
  username: string;
  password: string;
  account: string;
  /** A session token of theirs (for frozen: one that was revoked when they were frozen). */
  token: string;
}

/** What one cell's request is about: the owner's things, and the actor's own credentials. */
interface Cell {
  owner: Person;
  me: { username: string; password: string; token: string };
  fresh: () => string;
  applicant: () => Promise<string>;
}

const ARGS: Record<OpName, (c: Cell) => unknown | Promise<unknown>> = {
  ping: () => ({}),
  'auth.register': (c) => ({ username: c.fresh(), password: 'a new password', displayName: 'New Comer' }),
  'auth.login': (c) => ({ username: c.me.username, password: c.me.password }),
  'auth.resume': (c) => ({ token: c.me.token }),
  'auth.logout': () => ({}),
  'auth.changePassword': (c) => ({ oldPassword: c.me.password, newPassword: `${c.me.password} changed` }),
  'account.list': () => ({}),
  'account.balance': (c) => ({ account: c.owner.account }),
  'account.history': (c) => ({ account: c.owner.account, limit: 5 }),
  'account.lookup': (c) => ({ account: c.owner.account }),
  'account.lookupMany': (c) => ({ accounts: [c.owner.account, BANK.payee] }),
  'transfer.create': (c) => ({ transferId: randomUUID(), from: c.owner.account, to: BANK.payee, amount: 100 }),
  'transfer.batch': (c) => ({ transfers: [{ transferId: randomUUID(), from: c.owner.account, to: BANK.payee, amount: 100 }, { transferId: randomUUID(), from: c.owner.account, to: BANK.payee, amount: 50 }] }),
  'run.start': () => ({ runId: randomUUID(), kind: 'payments', digest: 'ef'.repeat(32), rows: 2, total: 150 }),
  'run.find': () => ({ digest: 'ef'.repeat(32) }),
  'run.list': () => ({ limit: 5 }),
  'admin.user.list': () => ({ limit: 5 }),
  'admin.user.create': (c) => ({ username: c.fresh(), password: 'a new password', displayName: 'Made By Admin', role: 'user' }),
  'admin.user.update': (c) => ({ username: c.owner.username, displayName: 'Renamed Owner' }),
  'admin.user.setStatus': (c) => ({ username: c.owner.username, status: 'active' }),
  'admin.user.approvePasswordReset': (c) => ({ username: c.owner.username, approve: true }),
  'admin.registration.decide': async (c) => ({ username: await c.applicant(), approve: true }),
  'admin.account.deposit': (c) => ({ transferId: randomUUID(), account: c.owner.account, amount: 1000 }),
  'admin.account.withdraw': (c) => ({ transferId: randomUUID(), account: c.owner.account, amount: 10 }),
  'admin.account.batch': (c) => ({ kind: 'deposit', items: [{ transferId: randomUUID(), account: c.owner.account, amount: 10 }] }),
  'admin.run.list': (c) => ({ owner: c.owner.username, limit: 5 }),
  'admin.transfer.list': (c) => ({ account: c.owner.account, limit: 5 }),
  'admin.audit.query': () => ({ afterSeq: 0, limit: 5 }),
  'admin.audit.verify': () => ({}),
  'admin.ledger.verify': () => ({}),
  'admin.session.list': () => ({}),
  'admin.session.revoke': (c) => ({ username: c.owner.username }),
  'admin.stats': () => ({}),
  'admin.monitor': () => ({ on: false }),
};

const BANK = { payee: '' };

describe('authorization matrix: every op × every kind of caller', () => {
  let t: TestRelay;
  let admin: BankClient;
  const open: BankClient[] = [];
  let serial = 0;
  const fresh = () => `matrix_${++serial}`;

  async function customer(opening = 100_000): Promise<Person> {
    const username = fresh();
    const password = `${username} password`;
    const created = await admin.request('admin.user.create', { username, password, displayName: `Customer ${username}`, role: 'user', ...(opening > 0 && { openingDeposit: opening }) });
    const c = await connect(t, 'tcp');
    open.push(c);
    const { token } = await c.request('auth.login', { username, password });
    return { username, password, account: created.accounts[0]!.account, token };
  }

  async function applicant(): Promise<string> {
    const c = await connect(t, 'tcp');
    open.push(c);
    const username = fresh();
    await c.request('auth.register', { username, password: 'applicant password', displayName: 'Applicant' });
    return username;
  }

  /** A connection in the actor's state, and the actor's own credentials. */
  async function actorFor(actor: Actor, owner: Person): Promise<{ client: BankClient; me: Cell['me'] }> {
    const client = await connect(t, actor === 'user' ? 'ws' : 'tcp');
    open.push(client);
    switch (actor) {
      case 'none':
        return { client, me: { username: owner.username, password: owner.password, token: owner.token } };
      case 'user': {
        const { token } = await client.request('auth.login', { username: owner.username, password: owner.password });
        return { client, me: { username: owner.username, password: owner.password, token } };
      }
      case 'other': {
        const stranger = await customer();
        const { token } = await client.request('auth.login', { username: stranger.username, password: stranger.password });
        return { client, me: { username: stranger.username, password: stranger.password, token } };
      }
      case 'admin': {
        // An administrator of their own per cell: changing a password or signing out ends only theirs.
        const username = fresh();
        const password = `${username} admin password`;
        await admin.request('admin.user.create', { username, password, displayName: `Admin ${username}`, role: 'admin' });
        const { token } = await client.request('auth.login', { username, password });
        return { client, me: { username, password, token } };
      }
      case 'frozen': {
        const frozen = await customer();
        await admin.request('admin.user.setStatus', { username: frozen.username, status: 'frozen' });
        return { client, me: { username: frozen.username, password: frozen.password, token: frozen.token } };
      }
      case 'pending': {
        const username = await applicant();
        // A well-formed token that was never issued: a pending user never has one.
        return { client, me: { username, password: 'applicant password', token: 'A'.repeat(43) } };
      }
    }
  }

  beforeAll(async () => {
    t = await startTestRelay({ requestRate: { perSecond: 0, burst: 1 }, registrationsPerIpPerHour: 0, loginThrottle: { maxFailuresPerIp: 0, windowMs: 60_000 } });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    BANK.payee = (await customer(0)).account;
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    for (const c of [admin, ...open]) c?.close();
    await t?.stop();
  });

  it('has a row for every op the relay serves, and for nothing else', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...registry.keys()].sort());
    expect(Object.keys(ARGS).sort()).toEqual([...OP_NAMES].sort());
  });

  describe.each(OP_NAMES)('%s', (op) => {
    it.each(ACTORS)(`as %s`, async (actor) => {
      const expected = MATRIX[op][actor];
      const owner = await customer();
      const { client, me } = await actorFor(actor, owner);
      const args = await ARGS[op]({ owner, me, fresh, applicant });
      const r: RawResponse = await client.call(op, args);
      if (expected === 'ok') expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      else expect(r, JSON.stringify(r)).toMatchObject({ ok: false, error: { code: expected } });
      // Whatever the outcome, the connection still serves.
      expect((await client.call('ping', {})).ok).toBe(true);
    });
  });
});
