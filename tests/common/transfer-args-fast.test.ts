import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAccountNumber } from '../../common/account-number.js';
import { BATCH_MAX, opDefs } from '../../common/schemas/ops.js';
import { fastTransferArgs, fastTransferBatchArgs } from '../../common/schemas/transfer-args-fast.js';

/*
 * The transfer ops' fast argument checks against their zod schemas, on generated input that is
 * mostly well formed with every kind of flaw mixed in: whenever the fast check answers, the
 * schema accepts the same input and gives the same value. BANK_FUZZ_RUNS raises the cases.
 */
const RUNS = Number(process.env.BANK_FUZZ_RUNS ?? 0) || 2000;

const ACCOUNT_A = makeAccountNumber(1);
const ACCOUNT_B = makeAccountNumber(2);
const UUID = '123e4567-e89b-42d3-a456-426614174000';

const accountish = fc.oneof(
  fc.nat({ max: 10_000 }).map(makeAccountNumber),
  fc.nat({ max: 10_000 }).map((n) => makeAccountNumber(n).toLowerCase()),
  fc.nat({ max: 10_000 }).map((n) => makeAccountNumber(n).replace(/(.{4})/g, '$1 ')),
  fc.nat({ max: 10_000 }).map((n) => makeAccountNumber(n).slice(0, 13) + '9'),
  fc.constantFrom(ACCOUNT_A, ACCOUNT_B, '', 'DB', ' DB' + ACCOUNT_A.slice(2), 'x'.repeat(65)),
  fc.string(),
  fc.integer(),
  fc.constant(null),
);
const idish = fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.constantFrom(UUID, UUID.slice(1), `${UUID} `, ''), fc.string(), fc.integer());
const amountish = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.constantFrom(0, -0, -1, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.string(),
  fc.constant(null),
);
const memoish = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 150 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' rent', 'rent ', 'caf\u00e9', 'cafe\u0301', 'a\u202eb', 'tab\there', 'x'.repeat(140), 'x'.repeat(141), '\u00a0x'),
  fc.integer(),
);

/** A transfer's arguments, each field present or absent, well formed or not, sometimes with an extra key. */
const transferish = fc
  .record(
    { transferId: idish, from: accountish, to: accountish, amount: amountish, memo: memoish, extra: fc.constantFrom('x', 1) },
    { requiredKeys: [] },
  )
  .chain((r) =>
    fc.boolean().map((keepExtra) => {
      const out: Record<string, unknown> = { ...r };
      if (!keepExtra) delete out.extra;
      return out;
    }),
  );

/** Mostly well formed, so the fast path is taken often enough to be tested. */
const wellFormed = fc.record(
  {
    transferId: fc.uuid(),
    from: fc.nat({ max: 1000 }).map(makeAccountNumber),
    to: fc.nat({ max: 1000 }).map(makeAccountNumber),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    memo: fc.string({ unit: fc.constantFrom(...'Invoice 42-/.'), maxLength: 60 }).map((m) => m.trim()),
  },
  // As JSON.parse makes them: with Object's prototype.
  { requiredKeys: ['transferId', 'to', 'amount'], noNullPrototype: true },
);

const anyTransfer = fc.oneof(wellFormed, transferish);

function agrees(fast: unknown, schema: { safeParse(x: unknown): { success: boolean; data?: unknown } }, input: unknown): boolean {
  if (fast === undefined) return false;
  const parsed = schema.safeParse(input);
  expect(parsed.success, JSON.stringify(input)).toBe(true);
  expect(fast).toStrictEqual(parsed.data);
  return true;
}

describe('the transfer ops\' fast argument checks', () => {
  it('transfer.create: whatever the fast check accepts, the schema accepts as the same value', () => {
    let fastOnes = 0;
    fc.assert(
      fc.property(anyTransfer, (input) => {
        if (agrees(fastTransferArgs(input), opDefs['transfer.create'].args, input)) fastOnes++;
      }),
      { numRuns: RUNS },
    );
    expect(fastOnes).toBeGreaterThan(RUNS / 10);
  });

  it('transfer.batch: the same for whole batches, their flags and their bounds', () => {
    const batchish = fc.record(
      {
        transfers: fc.oneof(fc.array(wellFormed, { minLength: 1, maxLength: 6 }), fc.array(anyTransfer, { maxLength: 4 }), fc.constantFrom('x', null)),
        atomic: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)),
        runId: idish,
        extra: fc.constant(1),
      },
      { requiredKeys: [] },
    );
    const good = fc.record(
      { transfers: fc.array(wellFormed, { minLength: 1, maxLength: 6 }), atomic: fc.boolean(), runId: fc.uuid() },
      { requiredKeys: ['transfers'], noNullPrototype: true },
    );
    let fastOnes = 0;
    fc.assert(
      fc.property(fc.oneof(good, batchish, batchish.map(({ extra: _, ...rest }) => rest)), (input) => {
        if (agrees(fastTransferBatchArgs(input), opDefs['transfer.batch'].args, input)) fastOnes++;
      }),
      { numRuns: RUNS },
    );
    expect(fastOnes).toBeGreaterThan(RUNS / 20);
  });

  it('takes the common shapes, and leaves to the schema what it must word', () => {
    const plain = { transferId: UUID.toUpperCase(), to: ACCOUNT_B, amount: 250, memo: 'Invoice 42' };
    expect(fastTransferArgs(plain)).toStrictEqual({ transferId: UUID, to: ACCOUNT_B, amount: 250, memo: 'Invoice 42' });
    expect(fastTransferArgs({ ...plain, from: ACCOUNT_A })).toStrictEqual({ transferId: UUID, from: ACCOUNT_A, to: ACCOUNT_B, amount: 250, memo: 'Invoice 42' });
    // Paying oneself, a memo that normalizing changes, a pasted account number, a stray key: the schema's call.
    expect(fastTransferArgs({ ...plain, from: ACCOUNT_B })).toBeUndefined();
    expect(fastTransferArgs({ ...plain, memo: ' Invoice' })).toBeUndefined();
    expect(fastTransferArgs({ ...plain, memo: 'Caf\u00e9' })).toBeUndefined();
    expect(fastTransferArgs({ ...plain, to: ACCOUNT_B.toLowerCase() })).toBeUndefined();
    expect(fastTransferArgs({ ...plain, admin: true })).toBeUndefined();
    expect(fastTransferArgs(Object.assign(Object.create({ inherited: 1 }) as object, plain))).toBeUndefined();

    const item = { transferId: UUID, to: ACCOUNT_B, amount: 1 };
    expect(fastTransferBatchArgs({ transfers: [item], atomic: true, runId: UUID.toUpperCase() })).toStrictEqual({ transfers: [item], atomic: true, runId: UUID });
    expect(fastTransferBatchArgs({ transfers: Array.from({ length: BATCH_MAX }, () => item) })?.transfers).toHaveLength(BATCH_MAX);
    for (const bad of [{ transfers: [] }, { transfers: Array.from({ length: BATCH_MAX + 1 }, () => item) }, { transfers: [item, { ...item, amount: 0 }] }]) {
      expect(fastTransferBatchArgs(bad)).toBeUndefined();
      expect(opDefs['transfer.batch'].args.safeParse(bad).success).toBe(false);
    }
  });
});
