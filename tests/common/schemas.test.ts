import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeAccountNumber } from '../../common/account-number.js';
import { isBankError } from '../../common/errors.js';
import {
  EVENT_NAMES,
  OP_NAMES,
  accountNumberSchema,
  amountSchema,
  describeZodError,
  displayNameSchema,
  eventDefs,
  eventMessageSchema,
  isOpName,
  memoSchema,
  opDefs,
  parseOpArgs,
  passwordSchema,
  requestIdOf,
  requestSchema,
  responseSchema,
  serverMessageSchema,
  tokenSchema,
  transferIdSchema,
  usernameSchema,
} from '../../common/schemas/index.js';

const ACC1 = makeAccountNumber(1);
const ACC2 = makeAccountNumber(2);
const TID = '123e4567-e89b-12d3-a456-426614174000';
const TOKEN = 'A'.repeat(43);
const TS = '2024-05-01T12:00:00.000Z';
const DIGEST = 'ab'.repeat(32);

/** The BAD_REQUEST message parseOpArgs gives, or a failure if the args were accepted. */
function refusal(op: Parameters<typeof parseOpArgs>[0], args: unknown): string {
  try {
    parseOpArgs(op, args);
  } catch (e) {
    if (isBankError(e) && e.code === 'BAD_REQUEST') return e.message;
    throw e;
  }
  throw new Error(`${op} accepted ${JSON.stringify(args)}`);
}

/** One valid args object per op, so each strict schema can be probed with an extra key. */
const validArgs: Record<(typeof OP_NAMES)[number], Record<string, unknown>> = {
  ping: {},
  'auth.register': { username: 'jane_smith', password: 'correct horse', displayName: 'Jane Smith' },
  'auth.login': { username: 'jane_smith', password: 'x' },
  'auth.resume': { token: TOKEN },
  'auth.logout': {},
  'auth.changePassword': { oldPassword: 'old password', newPassword: 'new password' },
  'account.list': {},
  'account.balance': {},
  'account.history': { limit: 10 },
  'account.lookup': { account: ACC2 },
  'account.lookupMany': { accounts: [ACC2] },
  'transfer.create': { transferId: TID, to: ACC2, amount: 100 },
  'transfer.batch': { transfers: [{ transferId: TID, to: ACC2, amount: 100 }] },
  'run.start': { runId: TID, kind: 'payments', digest: DIGEST, rows: 2, total: 300 },
  'run.find': { digest: DIGEST },
  'run.list': {},
  'admin.user.list': {},
  'admin.user.create': { username: 'john_doe', password: 'password1', displayName: 'John Doe', role: 'user' },
  'admin.user.update': { username: 'john_doe', limits: { perDay: 0 } },
  'admin.user.setStatus': { username: 'john_doe', status: 'frozen' },
  'admin.user.approvePasswordReset': { username: 'john_doe', approve: true },
  'admin.registration.decide': { username: 'john_doe', approve: true },
  'admin.account.deposit': { transferId: TID, account: ACC1, amount: 5 },
  'admin.account.withdraw': { transferId: TID, account: ACC1, amount: 5 },
  'admin.account.batch': { kind: 'deposit', items: [{ transferId: TID, account: ACC1, amount: 5 }] },
  'admin.run.list': { owner: 'john_doe' },
  'admin.transfer.list': { since: TS },
  'admin.audit.query': { afterSeq: 0 },
  'admin.audit.verify': {},
  'admin.ledger.verify': {},
  'admin.session.list': {},
  'admin.session.revoke': { username: 'john_doe' },
  'admin.stats': {},
  'admin.monitor': { on: true },
};

describe('op table', () => {
  it('covers every op of §5 with a role and args/result schemas', () => {
    expect(OP_NAMES).toHaveLength(34); // §5 and the additions in docs/PROTOCOL.md
    for (const op of OP_NAMES) {
      const def = opDefs[op];
      expect(['any', 'none', 'user', 'admin']).toContain(def.role);
      expect(def.args).toBeInstanceOf(z.ZodType);
      expect(def.result).toBeInstanceOf(z.ZodType);
      expect(op.startsWith('admin.') ? def.role === 'admin' : def.role !== 'admin', op).toBe(true);
    }
    expect(isOpName('transfer.create')).toBe(true);
    expect(isOpName('toString')).toBe(false);
  });

  it.each(OP_NAMES)('%s: valid args pass, an unknown key is refused by name', (op) => {
    expect(() => parseOpArgs(op, validArgs[op])).not.toThrow();
    expect(refusal(op, { ...validArgs[op], foo: 1 })).toBe('unknown field: foo');
  });

  it('names the field that is wrong', () => {
    expect(refusal('transfer.create', { transferId: TID, to: ACC2, amount: 1.5 })).toBe(
      'amount: must be a whole number of minor units (cents) > 0',
    );
    expect(refusal('transfer.create', { transferId: TID, to: ACC2 })).toBe('amount: is required');
    expect(refusal('transfer.create', { transferId: TID, to: 'DB00 0000 0000 01', amount: 1 })).toBe(
      'to: account number has a wrong check digit or format',
    );
    expect(refusal('transfer.create', { transferId: 'nope', to: ACC2, amount: 1 })).toMatch(/^transferId: must be a UUID/);
    expect(refusal('transfer.create', { transferId: TID, from: ACC2, to: ACC2, amount: 1 })).toMatch(/^to: /);
    expect(refusal('admin.user.update', { username: 'john_doe', limits: { perDay: -1 } })).toMatch(/^limits\.perDay: /);
    expect(refusal('admin.user.update', { username: 'john_doe', limits: { bogus: 1 } })).toBe('unknown field: limits.bogus');
    expect(refusal('admin.user.update', { username: 'john_doe' })).toMatch(/nothing to change/);
    expect(refusal('account.history', { limit: 501 })).toMatch(/^limit: /);
    expect(refusal('admin.user.setStatus', { username: 'john_doe', status: 'pending' })).toMatch(/^status: /);
    expect(refusal('auth.changePassword', { oldPassword: 'same password', newPassword: 'same password' })).toMatch(
      /^newPassword: must differ/,
    );
    expect(refusal('ping', [])).toBeTruthy();
  });

  it('normalizes while parsing and fills defaults', () => {
    const args = parseOpArgs('transfer.create', {
      transferId: TID.toUpperCase(),
      to: ACC2.toLowerCase().replace(/(.{4})/g, '$1 '),
      amount: 100,
      memo: '  lunch ',
    });
    expect(args).toEqual({ transferId: TID, to: ACC2, amount: 100, memo: 'lunch' });
    expect(parseOpArgs('account.history', {}).limit).toBe(50);
    expect(parseOpArgs('admin.user.list', {}).limit).toBe(50);
    expect(parseOpArgs('auth.login', { username: ' Jane_Smith ', password: 'p' }).username).toBe('jane_smith');
  });

  it('login checks the name only for length, so an odd name is an auth failure, not a format hint', () => {
    expect(parseOpArgs('auth.login', { username: 'jаne', password: 'p' }).username).toBe('jаne');
    expect(refusal('auth.login', { username: '', password: 'p' })).toMatch(/^username: /);
    expect(refusal('auth.register', { username: 'jаne', password: 'password1', displayName: 'J' })).toMatch(/^username: /);
  });

  it('result schemas accept what the relay sends', () => {
    const account = { account: ACC1, balance: 1000, currency: 'USD', status: 'active' };
    const user = { username: 'jane_smith', displayName: 'Jane Smith', role: 'user', status: 'active' };
    expect(opDefs['auth.login'].result.parse({ token: TOKEN, expiresAt: TS, user, accounts: [account] }).user).toEqual(user);
    const transfer = { id: TID, from: ACC1, to: ACC2, amount: 100, ts: TS, status: 'posted' };
    expect(() => opDefs['transfer.create'].result.parse({ transfer, balance: 900 })).not.toThrow();
    expect(() =>
      opDefs['admin.stats'].result.parse({
        connections: { tcp: 1, ws: 2 },
        sessions: 3,
        uptimeS: 4.5,
        ops: { 'transfer.create': 10 },
        ledger: { accounts: 5, transfers: 6 },
      }),
    ).not.toThrow();
    // The cash account's balance is negative by design.
    expect(() => opDefs['account.balance'].result.parse({ ...account, account: makeAccountNumber(0), balance: -5 })).not.toThrow();
  });
});

describe('field schemas', () => {
  it('usernames are NFKC-normalized and lowercased', () => {
    expect(usernameSchema.parse('Jane_Smith')).toBe('jane_smith');
    expect(usernameSchema.parse('ｊａｎｅ')).toBe('jane');
    expect(usernameSchema.parse('john.doe-2')).toBe('john.doe-2');
  });

  it('usernames refuse look-alikes and bad shapes', () => {
    for (const bad of ['jаne', 'jöhn', 'ab', 'a'.repeat(33), '_jane', '.jane', 'jane smith', 'jane@x', '', 'jane\u200b']) {
      expect(usernameSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('amounts are positive safe integers only', () => {
    for (const bad of [0, -1, 1.5, '100', 2 ** 53, NaN, Infinity, null, undefined]) {
      const r = amountSchema.safeParse(bad);
      expect(r.success, String(bad)).toBe(false);
      if (!r.success) expect(describeZodError(r.error, 'amount')).toMatch(/^amount: /);
    }
    expect(amountSchema.parse(1)).toBe(1);
    expect(amountSchema.parse(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('account numbers are normalized and check-digit verified', () => {
    expect(accountNumberSchema.parse(` ${ACC1.toLowerCase()} `)).toBe(ACC1);
    const typo = ACC1.slice(0, -1) + (ACC1.endsWith('1') ? '2' : '1');
    expect(accountNumberSchema.safeParse(typo).success).toBe(false);
  });

  it('display names and memos refuse invisible and control characters', () => {
    expect(displayNameSchema.parse('  Zoë   ')).toBe('Zoë');
    expect(displayNameSchema.parse('Zoe\u0308')).toBe('Zoë');
    for (const bad of ['', '   ', 'Jane\u202eevil', 'a\nb', 'x'.repeat(65), 'a\u0000']) {
      expect(displayNameSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(displayNameSchema.parse('😀'.repeat(64))).toHaveLength(128);
    expect(memoSchema.parse('x'.repeat(140))).toHaveLength(140);
    expect(memoSchema.safeParse('x'.repeat(141)).success).toBe(false);
    expect(memoSchema.safeParse('rent\u0007').success).toBe(false);
  });

  it('passwords: 8..256, no NUL', () => {
    expect(passwordSchema.safeParse('1234567').success).toBe(false);
    expect(passwordSchema.safeParse('12345678').success).toBe(true);
    expect(passwordSchema.safeParse('x'.repeat(257)).success).toBe(false);
    expect(passwordSchema.safeParse('abcdefgh\0').success).toBe(false);
  });

  it('transfer ids and tokens', () => {
    expect(transferIdSchema.parse(TID.toUpperCase())).toBe(TID);
    expect(transferIdSchema.safeParse(TID.slice(1)).success).toBe(false);
    expect(tokenSchema.safeParse(TOKEN).success).toBe(true);
    expect(tokenSchema.safeParse(TOKEN.slice(1)).success).toBe(false);
    expect(tokenSchema.safeParse('A'.repeat(42) + 'B').success).toBe(false);
  });
});

describe('events', () => {
  it('every event of §6 has a data schema', () => {
    expect([...EVENT_NAMES].sort()).toEqual(
      [
        'account.status',
        'admin.alert',
        'balance.updated',
        'monitor.request',
        'session.expired',
        'session.revoked',
        'transfer.posted',
        'transfer.received',
      ].sort(),
    );
    for (const name of EVENT_NAMES) expect(eventDefs[name]).toBeInstanceOf(z.ZodType);
  });

  it('validates event data', () => {
    expect(eventDefs['balance.updated'].safeParse({ account: ACC1, balance: 5, transferId: TID }).success).toBe(true);
    expect(eventDefs['admin.alert'].safeParse({ kind: 'large_transfer', message: 'big', data: { amount: 1 } }).success).toBe(true);
    expect(eventDefs['admin.alert'].safeParse({ kind: 'other', message: 'x', data: {} }).success).toBe(false);
    expect(
      eventDefs['monitor.request'].safeParse({ op: 'ping', actor: '', transport: 'ws', ms: 0.4, outcome: 'ok' }).success,
    ).toBe(true);
    expect(eventDefs['account.status'].safeParse({ username: 'jane_smith', status: 'frozen' }).success).toBe(true);
  });
});

describe('message envelopes', () => {
  it('requests: args default to {}, unknown top-level keys refused', () => {
    expect(requestSchema.parse({ id: 1, op: 'ping' })).toEqual({ id: 1, op: 'ping', args: {} });
    const a = requestSchema.parse({ id: 1, op: 'ping' });
    const b = requestSchema.parse({ id: 2, op: 'ping' });
    expect(a.args).not.toBe(b.args);
    expect(requestSchema.parse({ id: 0, op: 'x', args: { k: 1 } }).args).toEqual({ k: 1 });
    const extra = requestSchema.safeParse({ id: 1, op: 'ping', user: 'admin' });
    expect(extra.success).toBe(false);
    if (!extra.success) expect(describeZodError(extra.error)).toBe('unknown field: user');
    for (const bad of [
      { id: -1, op: 'ping' },
      { id: 1.5, op: 'ping' },
      { id: 2 ** 53, op: 'ping' },
      { id: '1', op: 'ping' },
      { id: 1, op: '' },
      { id: 1, op: 'x'.repeat(65) },
      { id: 1, op: 'ping', args: [] },
      { id: 1, op: 'ping', args: null },
      { op: 'ping' },
    ]) {
      expect(requestSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('describeZodError names nested fields and takes a prefix', () => {
    const r = requestSchema.safeParse({ id: 1, op: 5 });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error, 'request')).toMatch(/^request\.op: /);
  });

  it('requestIdOf recovers the id of a bad request', () => {
    expect(requestIdOf({ id: 7, op: 5 })).toBe(7);
    expect(requestIdOf({ id: -7 })).toBeNull();
    expect(requestIdOf('x')).toBeNull();
  });

  it('responses and events', () => {
    expect(responseSchema.safeParse({ id: 1, ok: true, result: {} }).success).toBe(true);
    expect(responseSchema.safeParse({ id: 1, ok: false, error: { code: 'CONFLICT', message: 'x' } }).success).toBe(true);
    expect(responseSchema.safeParse({ id: 1, ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
    expect(eventMessageSchema.safeParse({ event: 'session.revoked', data: { reason: 'x' }, ts: TS }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ event: 'e', data: {}, ts: TS }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ id: 3, ok: true, result: { a: 1 } }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ hello: 1 }).success).toBe(false);
  });
});
