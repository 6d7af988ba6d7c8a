import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient, RawResponse } from '../../common/client/bank-client.js';
import { OP_NAMES, opDefs, type OpName, type OpRole } from '../../common/schemas/ops.js';
import { ADMIN_PASSWORD, connect, loginAs, startTestRelay, type TestRelay } from '../helpers/relay.js';

/*
 * Generated from the op table (common/schemas/ops.ts): every op's role is enforced over the
 * wire, and every op refuses bad arguments with BAD_REQUEST naming the field. A new op cannot
 * be added without a row in `validArgs` below: the suite fails until it has one.
 */

const PASSWORDS = {
  payer: 'payer password 1',
  payee: 'payee password 1',
  target: 'target password 1',
  changer: 'changer password 1',
} as const;

interface Fixture {
  payerAccount: string;
  payeeAccount: string;
  targetAccount: string;
  /** A live session's token (of payee), for auth.resume. */
  resumeToken: string;
}

/** One valid example of each op's arguments; each is used once with the right role and must be served. */
function makeValidArgs(fx: Fixture): Record<OpName, unknown> {
  return {
    ping: {},
    'auth.register': { username: 'newcomer', password: 'newcomer password', displayName: 'New Comer' },
    'auth.login': { username: 'payee', password: PASSWORDS.payee },
    'auth.resume': { token: fx.resumeToken },
    'auth.logout': {},
    'auth.changePassword': { oldPassword: PASSWORDS.changer, newPassword: 'changer password 2' },
    'account.list': {},
    'account.balance': { account: fx.payerAccount },
    'account.history': { account: fx.payerAccount, limit: 10 },
    'account.lookup': { account: fx.payeeAccount },
    'account.lookupMany': { accounts: [fx.payeeAccount, fx.targetAccount] },
    'transfer.create': { transferId: randomUUID(), to: fx.payeeAccount, amount: 100, memo: 'lunch' },
    'transfer.batch': { transfers: [{ transferId: randomUUID(), to: fx.payeeAccount, amount: 100, memo: 'rent' }], atomic: true, runId: randomUUID() },
    'run.start': { runId: randomUUID(), kind: 'payments', digest: 'ab'.repeat(32), rows: 1, total: 100, atomic: true },
    'run.find': { digest: 'ab'.repeat(32) },
    'run.list': { limit: 10 },
    'admin.user.list': { query: 'pay', status: 'active', limit: 10 },
    'admin.user.create': { username: 'created_user', password: 'created password', displayName: 'Created User', role: 'user', openingDeposit: 500 },
    'admin.user.update': { username: 'target', displayName: 'Target Renamed' },
    'admin.user.setStatus': { username: 'target', status: 'active' },
    'admin.user.approvePasswordReset': { username: 'reset_admin', approve: true },
    'admin.registration.decide': { username: 'applicant', approve: true },
    'admin.account.deposit': { transferId: randomUUID(), account: fx.targetAccount, amount: 1000, memo: 'cash in' },
    'admin.account.withdraw': { transferId: randomUUID(), account: fx.targetAccount, amount: 100 },
    'admin.account.batch': { kind: 'deposit', items: [{ transferId: randomUUID(), account: fx.targetAccount, amount: 100, memo: 'correction' }], atomic: false, runId: randomUUID() },
    'admin.run.list': { owner: 'payer', limit: 10 },
    'admin.transfer.list': { account: fx.payerAccount, limit: 10 },
    'admin.audit.query': { afterSeq: 0, limit: 5 },
    'admin.audit.verify': {},
    'admin.ledger.verify': {},
    'admin.session.list': {},
    'admin.session.revoke': { username: 'target' },
    'admin.stats': {},
    'admin.monitor': { on: false },
  };
}

/** The user whose fresh session serves a 'user' op's valid example (changing a password must not end the shared sessions). */
const USER_FOR: Partial<Record<OpName, keyof typeof PASSWORDS>> = { 'auth.changePassword': 'changer' };

const EXTRA_FIELD = 'unexpectedField';

/** A value of another JSON type than the valid one. */
function wrongTyped(valid: unknown): unknown {
  switch (typeof valid) {
    case 'string':
      return 12345;
    case 'number':
      return 'twelve';
    case 'boolean':
      return 'true';
    default:
      return 'not an object';
  }
}

function argShape(op: OpName): Record<string, { safeParse(v: unknown): { success: boolean } }> {
  const shape = (opDefs[op].args as unknown as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
  if (!shape) throw new Error(`${op}: args schema is not an object schema`);
  return shape;
}

/** Fields that must be present (not optional, no default). */
function requiredFields(op: OpName): string[] {
  return Object.entries(argShape(op))
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}

/** describeZodError joins problems with "; ", each starting with the field's path. */
function namesField(message: string, field: string): boolean {
  return message.split('; ').some((part) => part.startsWith(`${field}:`));
}

function expectError(r: RawResponse, code: string): string {
  expect(r, JSON.stringify(r)).toMatchObject({ ok: false, error: { code } });
  return r.ok ? '' : r.error.message;
}

const ROLE_OF = Object.fromEntries(OP_NAMES.map((op) => [op, opDefs[op].role])) as Record<OpName, OpRole>;

describe('authorization and argument checks, generated from the op table', () => {
  let t: TestRelay;
  let admin: BankClient;
  let user: BankClient;
  let anon: BankClient;
  const others: BankClient[] = [];
  let validArgs: Record<OpName, unknown>;

  function rowFor(op: OpName): Record<string, unknown> {
    if (!Object.hasOwn(validArgs, op)) throw new Error(`validArgs has no row for ${op}: add a valid example of its arguments`);
    return validArgs[op] as Record<string, unknown>;
  }

  /** A connection of the role the op needs, so a request gets past the role check to the schema. */
  function rightRole(op: OpName): BankClient {
    const role = ROLE_OF[op];
    return role === 'admin' ? admin : role === 'user' ? user : anon;
  }

  beforeAll(async () => {
    t = await startTestRelay();
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const accounts: Record<string, string> = {};
    for (const name of Object.keys(PASSWORDS) as (keyof typeof PASSWORDS)[]) {
      const created = await admin.request('admin.user.create', {
        username: name,
        password: PASSWORDS[name],
        displayName: `The ${name}`,
        role: 'user',
        ...((name === 'payer' || name === 'target') && { openingDeposit: 1_000_000 }),
      });
      accounts[name] = created.accounts[0]!.account;
    }
    // An administrator's password reset that another administrator asked for, for admin.user.approvePasswordReset.
    for (const username of ['reset_admin', 'asking_admin']) {
      await admin.request('admin.user.create', { username, password: 'an admin password', displayName: username, role: 'admin' });
    }
    const asking = (await loginAs(t, 'tcp', 'asking_admin', 'an admin password')).client;
    await asking.request('admin.user.update', { username: 'reset_admin', password: 'the reset password' });
    asking.close();
    anon = await connect(t, 'tcp');
    await anon.request('auth.register', { username: 'applicant', password: 'applicant password', displayName: 'An Applicant' });
    user = (await loginAs(t, 'tcp', 'payer', PASSWORDS.payer)).client;
    const payeeSession = await loginAs(t, 'ws', 'payee', PASSWORDS.payee);
    others.push(payeeSession.client);
    validArgs = makeValidArgs({
      payerAccount: accounts.payer!,
      payeeAccount: accounts.payee!,
      targetAccount: accounts.target!,
      resumeToken: payeeSession.token,
    });
  });
  afterAll(async () => {
    for (const c of [admin, user, anon, ...others]) c?.close();
    await t?.stop();
  });

  it('has a valid example for every op of the table and for nothing else', () => {
    const missing = OP_NAMES.filter((op) => !Object.hasOwn(validArgs, op));
    expect(missing, 'ops without a validArgs row').toEqual([]);
    expect(Object.keys(validArgs).filter((k) => !(OP_NAMES as string[]).includes(k)), 'rows for unknown ops').toEqual([]);
    for (const op of OP_NAMES) {
      const parsed = opDefs[op].args.safeParse(validArgs[op]);
      expect(parsed.success, `validArgs[${op}] must satisfy its schema`).toBe(true);
    }
  });

  it('covers every role the table uses', () => {
    expect(new Set(Object.values(ROLE_OF))).toEqual(new Set<OpRole>(['any', 'none', 'user', 'admin']));
  });

  describe.each(OP_NAMES.filter((op) => ROLE_OF[op] === 'admin'))('admin op %s', (op) => {
    it('refuses a signed-in customer with FORBIDDEN', async () => {
      expectError(await user.call(op, rowFor(op)), 'FORBIDDEN');
    });

    it('refuses a connection without a session with UNAUTHENTICATED', async () => {
      expectError(await anon.call(op, rowFor(op)), 'UNAUTHENTICATED');
    });

    it('serves an admin', async () => {
      const r = await admin.call(op, rowFor(op));
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    });
  });

  describe.each(OP_NAMES.filter((op) => ROLE_OF[op] === 'user'))('user op %s', (op) => {
    it('refuses a connection without a session with UNAUTHENTICATED', async () => {
      expectError(await anon.call(op, rowFor(op)), 'UNAUTHENTICATED');
    });

    it('serves a signed-in customer', async () => {
      const name = USER_FOR[op] ?? 'payer';
      const { client } = await loginAs(t, 'ws', name, PASSWORDS[name]);
      others.push(client);
      const r = await client.call(op, rowFor(op));
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    });
  });

  describe.each(OP_NAMES.filter((op) => ROLE_OF[op] === 'any' || ROLE_OF[op] === 'none'))('%s (needs no session)', (op) => {
    it('is served on a connection without a session, never UNAUTHENTICATED or FORBIDDEN', async () => {
      const fresh = await connect(t, 'tcp');
      others.push(fresh);
      const r = await fresh.call(op, rowFor(op));
      if (!r.ok) expect(['UNAUTHENTICATED', 'FORBIDDEN']).not.toContain(r.error.code);
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    });
  });

  describe.each(OP_NAMES)('bad arguments to %s', (op) => {
    it(`refuses an unknown extra field with BAD_REQUEST naming it`, async () => {
      const message = expectError(await rightRole(op).call(op, { ...rowFor(op), [EXTRA_FIELD]: 1 }), 'BAD_REQUEST');
      expect(message).toContain(EXTRA_FIELD);
    });

    const required = requiredFields(op);
    if (required.length > 0) {
      it.each(required)('refuses a wrong-typed required field %s with BAD_REQUEST naming it', async (field) => {
        const args = rowFor(op);
        expect(Object.hasOwn(args, field), `validArgs[${op}] must give ${field}`).toBe(true);
        const message = expectError(await rightRole(op).call(op, { ...args, [field]: wrongTyped(args[field]) }), 'BAD_REQUEST');
        expect(namesField(message, field), message).toBe(true);
      });

      it.each(required)('refuses a missing required field %s with BAD_REQUEST naming it', async (field) => {
        const { [field]: _dropped, ...rest } = rowFor(op);
        const message = expectError(await rightRole(op).call(op, rest), 'BAD_REQUEST');
        expect(namesField(message, field), message).toBe(true);
      });
    }

    const optionalGiven = Object.keys(argShape(op)).filter((f) => !required.includes(f));
    if (optionalGiven.length > 0) {
      it.each(optionalGiven)('refuses a wrong-typed optional field %s with BAD_REQUEST naming it', async (field) => {
        const args = rowFor(op);
        const valid = Object.hasOwn(args, field) ? args[field] : 'x';
        const message = expectError(await rightRole(op).call(op, { ...args, [field]: wrongTyped(valid) }), 'BAD_REQUEST');
        expect(namesField(message, field), message).toBe(true);
      });
    }
  });
});
