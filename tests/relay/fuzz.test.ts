import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../common/errors.js';
import { responseSchema } from '../../common/schemas/messages.js';
import { OP_NAMES } from '../../common/schemas/ops.js';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';
import { expectStillServing, openSecureRaw, type SecureRaw } from '../helpers/raw.js';
import { utf8Encode } from '../../common/encoding.js';
import { PRE_SIGN_IN_MAX_BYTES } from '../../relay/session/client-connection.js';

/*
 * Hostile input over real sockets: generated requests, messages, plaintexts and
 * ciphertexts sent to a running relay. A request always gets exactly one valid response with
 * its id and a known error code, never INTERNAL (no handler throws), and the connection keeps
 * serving (a message larger than a sign-in can be, sent before one, is the documented exception:
 * a protocol error and a close); anything that is not a request gets a clean close. Afterwards the ledger and the
 * audit chain verify. BANK_FUZZ_RUNS raises the number of cases (npm run soak).
 */
const RUNS = Number(process.env.BANK_FUZZ_RUNS ?? 0) || 300;
const CLOSING_RUNS = Math.max(20, Math.round(RUNS / 10));

/** Valid-looking argument rows to mutate, so cases reach past the schema into the handlers. */
function seeds(account: string, other: string): Record<string, Record<string, unknown>> {
  return {
    'transfer.create': { transferId: randomUUID(), to: other, amount: 100, memo: 'fuzz' },
    'transfer.batch': { transfers: [{ transferId: randomUUID(), to: other, amount: 100 }, { transferId: randomUUID(), to: account, amount: 1 }], atomic: false },
    'account.history': { account, limit: 10 },
    'account.balance': { account },
    'account.lookup': { account: other },
    'auth.login': { username: 'fuzz_user', password: 'fuzz user password' },
    'auth.register': { username: 'fuzz_newcomer', password: 'a long enough password', displayName: 'Fuzz' },
    'admin.user.list': { query: 'fuzz', limit: 5 },
    'admin.account.deposit': { transferId: randomUUID(), account, amount: 10 },
    'admin.transfer.list': { account, limit: 5 },
    'admin.audit.query': { afterSeq: 0, limit: 3 },
    'admin.user.update': { username: 'fuzz_user', displayName: 'Fuzz User' },
  };
}

/** A JSON value, a bit more hostile than the default: long strings, odd Unicode, big numbers. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(2 ** 53, -(2 ** 53), 1e308, -0, 0.1, Number.MAX_SAFE_INTEGER + 2, '\u0000', '\ud800', 'a'.repeat(2000), '../../etc/passwd', '__proto__'),
);

function requestArb(rows: Record<string, Record<string, unknown>>) {
  const seeded = Object.entries(rows);
  return fc.oneof(
    // Any op name (real or not), any args.
    fc.record({ op: fc.oneof(fc.constantFrom(...OP_NAMES), fc.string({ maxLength: 70 })), args: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), hostileJson, { maxKeys: 5 }), hostileJson) }),
    // A real op's valid-looking row with one field replaced, dropped or added.
    fc.record({ seed: fc.constantFrom(...seeded), change: fc.oneof(fc.record({ field: fc.string({ maxLength: 12 }), value: hostileJson }), fc.constant(null)), drop: fc.nat() }).map(({ seed: [op, row], change, drop }) => {
      const args: Record<string, unknown> = { ...row };
      if (row.transferId !== undefined) args.transferId = randomUUID();
      const keys = Object.keys(args);
      if (change === null) delete args[keys[drop % keys.length]!];
      else args[drop % 2 === 0 && keys.length > 0 ? keys[drop % keys.length]! : change.field] = change.value;
      return { op, args };
    }),
  );
}

describe.each<TransportKind>(['tcp', 'ws'])('generated hostile input over %s', (kind) => {
  let t: TestRelay;
  let rows: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    t = await startTestRelay({ maxFrame: 16 * 1024, requestRate: { perSecond: 0, burst: 1 }, loginThrottle: { maxFailuresPerIp: 0, windowMs: 60_000 }, registrationsPerIpPerHour: 0 });
    const admin = await connect(t, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const [payer, payee] = await Promise.all(
      [
        ['fuzz_user', 'fuzz user password', 1_000_000],
        ['fuzz_payee', 'fuzz payee password', 0],
      ].map(async ([username, password, opening]) => {
        const created = await admin.request('admin.user.create', { username: String(username), password: String(password), displayName: String(username), role: 'user', ...(Number(opening) > 0 && { openingDeposit: Number(opening) }) });
        return created.accounts[0]!.account;
      }),
    );
    admin.close();
    rows = seeds(payer!, payee!);
  });
  afterAll(() => t.stop());

  async function signedIn(as: 'anonymous' | 'customer' | 'admin'): Promise<SecureRaw> {
    const s = await openSecureRaw(t, kind);
    if (as === 'anonymous') return s;
    const [username, password] = as === 'admin' ? ['admin', ADMIN_PASSWORD] : ['fuzz_user', 'fuzz user password'];
    s.send({ id: 0, op: 'auth.login', args: { username, password } });
    expect(await s.nextMessage()).toMatchObject({ id: 0, ok: true });
    return s;
  }

  it.each(['anonymous', 'customer', 'admin'] as const)('as %s: every generated request gets one valid response with its id, never INTERNAL, and the connection keeps serving', async (as) => {
    let s = await signedIn(as);
    /** Whether a session is bound: until one is, a message over the pre-sign-in size is a protocol error. */
    let bound = as !== 'anonymous';
    let id = 1;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(rows), async ({ op, args }) => {
        const myId = id++;
        const message = { id: myId, op, args };
        s.send(message);
        if (!bound && utf8Encode(JSON.stringify(message)).length > PRE_SIGN_IN_MAX_BYTES) {
          // Refused unread, as documented: the connection is closed, and the next case gets a new one.
          expect(await s.nextMessage()).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
          await s.raw.waitClosed();
          s = await signedIn(as);
          bound = as !== 'anonymous';
          return;
        }
        const response = await s.nextResponse();
        expect(response, `no answer to ${JSON.stringify({ op, args }).slice(0, 300)}`).toBeDefined();
        const parsed = responseSchema.parse(response);
        expect(parsed.id).toBe(myId);
        if (parsed.ok && (op === 'auth.login' || op === 'auth.resume')) bound = true;
        if (parsed.ok && op === 'auth.logout') bound = false;
        if (!parsed.ok) {
          expect(ERROR_CODES).toContain(parsed.error.code);
          expect(parsed.error.code, `${op} ${JSON.stringify(args).slice(0, 300)} → ${parsed.error.message}`).not.toBe('INTERNAL');
          seen.set(parsed.error.code, (seen.get(parsed.error.code) ?? 0) + 1);
        } else seen.set('ok', (seen.get('ok') ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    // A sign-out or a session ended by a generated request leaves the connection itself serving.
    s.send({ id: id, op: 'ping', args: {} });
    expect(await s.nextResponse()).toMatchObject({ id, ok: true });
    // The cases went past the envelope: some were refused by an op's schema or rules, not all by one check.
    expect(seen.size).toBeGreaterThan(2);
    s.raw.destroy();
  });

  it('closes cleanly on generated messages that are not requests, and on plaintexts that are not JSON', async () => {
    const notARequest = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v) || !('id' in v)),
      fc.record({ id: fc.oneof(fc.string(), fc.double(), fc.constant(-1), fc.constant(null)), op: fc.string() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(notARequest.map((m) => ({ json: m })), fc.uint8Array({ maxLength: 64 }).map((b) => ({ bytes: b }))), async (input) => {
        const s = await openSecureRaw(t, kind);
        if ('json' in input) s.send(input.json);
        else {
          // Bytes that happen to be a valid request are not what this case is about.
          try {
            const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input.bytes)) as unknown;
            if (typeof parsed === 'object' && parsed !== null && 'id' in parsed) return;
          } catch {
            // not JSON: the case we want
          }
          s.raw.sendFrame(s.sealBytes(input.bytes));
        }
        const first = (await s.nextMessage()) as { t?: string; code?: string; id?: number; ok?: boolean } | undefined;
        // Either a sealed protocol error and a close, or (a message with a usable id, which a
        // generated double can be: 0, 7) an error answer to that id and the connection serving on.
        if (first !== undefined && first.t !== 'error') {
          expect(first).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(BAD_REQUEST|UNKNOWN_OP)$/) } });
          expect(first.id === (input as { json: { id: unknown } }).json.id, 'answered to the id sent (-0 is sent as 0)').toBe(true);
          s.raw.destroy();
          return;
        }
        if (first !== undefined) expect(first).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
        const close = await s.raw.waitClosed();
        expect(close.byRelay).toBe(true);
      }),
      { numRuns: CLOSING_RUNS },
    );
    await expectStillServing(t);
  });

  it('closes without answering on generated damage to a sealed frame', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (where, mask, cut) => {
        const s = await openSecureRaw(t, kind);
        const frame = s.seal({ id: 1, op: 'ping', args: {} });
        const damaged = cut ? frame.slice(0, where % frame.length) : frame.slice();
        if (!cut) damaged[where % damaged.length]! ^= mask;
        if (damaged.length === 0) {
          s.raw.destroy();
          return;
        }
        s.raw.sendFrame(damaged);
        const close = await s.raw.waitClosed();
        expect(close.byRelay).toBe(true);
        expect(s.raw.unread).toBe(0);
      }),
      { numRuns: CLOSING_RUNS },
    );
    await expectStillServing(t);
  });

  it('leaves a ledger and an audit chain that verify', async () => {
    const admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(await admin.request('admin.ledger.verify', {})).toMatchObject({ ok: true });
    expect(await admin.request('admin.audit.verify', {})).toMatchObject({ ok: true });
    admin.close();
  });
});
