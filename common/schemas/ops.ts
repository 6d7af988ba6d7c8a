import { z } from 'zod';
import { BankError, errorCodeSchema } from '../errors.js';
import { describeZodError } from './messages.js';
import {
  accountSchema,
  allowanceSchema,
  auditEntrySchema,
  auditHeadSchema,
  entrySchema,
  legacyEntrySchema,
  publicUserSchema,
  RUN_ROWS_MAX,
  runKindSchema,
  runSchema,
  sessionInfoSchema,
  transferSchema,
  userSchema,
} from './models.js';
import {
  accountNumberSchema,
  amountSchema,
  cursorSchema,
  displayNameSchema,
  isoDateSchema,
  limitAmountSchema,
  limitSchema,
  loginPasswordSchema,
  loginUsernameSchema,
  memoSchema,
  minorUnitsSchema,
  newPasswordSchema,
  passwordSchema,
  roleSchema,
  sha256HexSchema,
  tokenSchema,
  transferIdSchema,
  userStatusSchema,
  usernameSchema,
} from './primitives.js';

/**
 * The op table of §5: for each op the role it needs, its arguments (strict:
 * unknown keys are refused) and its result. The relay's registry and every
 * client are typed from this one table.
 *
 * 'any': with or without a session; 'none': needs no session (auth entry
 * points); 'user': any signed-in session; 'admin': an admin session.
 */
export type OpRole = 'any' | 'none' | 'user' | 'admin';

export interface OpDef {
  readonly role: OpRole;
  readonly args: z.ZodType<unknown, Record<string, unknown>>;
  readonly result: z.ZodType;
}

const noArgs = z.strictObject({});
const emptyResult = z.object({});
const count = z.number().int().min(0);
const LIST_MAX = 500;
const LIST_DEFAULT = 50;

export const loginResultSchema = z.object({
  token: tokenSchema,
  expiresAt: isoDateSchema,
  user: publicUserSchema,
  accounts: z.array(accountSchema),
  /**
   * An addition ("Legacy import" in PROTOCOL): the password was imported from the old Qt bank
   * below today's policy; the client makes the person choose a new one.
   */
  mustChangePassword: z.literal(true).optional(),
});
export type LoginResult = z.infer<typeof loginResultSchema>;

const moneyResult = z.object({ transfer: transferSchema, balance: minorUnitsSchema });

/** Deposits and withdrawals move money between `account` and the bank's cash account. */
const cashMovementArgs = z.strictObject({
  transferId: transferIdSchema,
  account: accountNumberSchema,
  amount: amountSchema,
  memo: memoSchema.optional(),
});

/** Cross-field rules only speak once every field is valid, so a typo gets one message, not two. */
const whenFieldsValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** One customer transfer: `transfer.create`'s arguments, and each item of `transfer.batch`. */
const transferArgs = z
  .strictObject({
    transferId: transferIdSchema,
    from: accountNumberSchema.optional(),
    to: accountNumberSchema,
    amount: amountSchema,
    memo: memoSchema.optional(),
  })
  .refine((a) => a.from !== a.to, {
    path: ['to'],
    message: 'must be another account than the one paying',
    ...whenFieldsValid,
  });

/** Most transfers in one `transfer.batch` (a payroll or supplier run is split into batches of this size). */
export const BATCH_MAX = 1000;

/** One item's answer in a `transfer.batch`, in the item's place. */
export const batchItemResultSchema = z.discriminatedUnion('ok', [
  z.object({ transferId: transferIdSchema, ok: z.literal(true), transfer: transferSchema, balance: minorUnitsSchema }),
  z.object({ transferId: transferIdSchema, ok: z.literal(false), error: z.object({ code: errorCodeSchema, message: z.string() }) }),
]);
export type BatchItemResult = z.infer<typeof batchItemResultSchema>;

/** Most accounts one `account.lookupMany` looks up. */
export const LOOKUP_MANY_MAX = 1000;

/** One account's answer in an `account.lookupMany`, in its place. */
export const lookupItemResultSchema = z.discriminatedUnion('ok', [
  z.object({ account: accountNumberSchema, ok: z.literal(true), displayName: z.string() }),
  z.object({ account: accountNumberSchema, ok: z.literal(false), error: z.object({ code: errorCodeSchema, message: z.string() }) }),
]);
export type LookupItemResult = z.infer<typeof lookupItemResultSchema>;

/** Deposits or withdrawals against customer accounts, many at once (`admin.account.batch`). */
const cashBatchArgs = z.strictObject({
  kind: z.enum(['deposit', 'withdraw']),
  items: z.array(cashMovementArgs).min(1, 'must hold at least one item').max(BATCH_MAX, `must hold at most ${BATCH_MAX} items`),
  atomic: z.boolean().optional(),
  runId: transferIdSchema.optional(),
});

/** A page of payment runs, newest first. */
const runPage = z.object({ runs: z.array(runSchema), next: cursorSchema.optional() });

/** `problem` (not in §5's table) names the first discrepancy when ok is false. */
const verifyProblem = z.string().optional();

export const opDefs = {
  ping: { role: 'any', args: noArgs, result: z.object({ ts: isoDateSchema }) },

  'auth.register': {
    role: 'none',
    args: z.strictObject({ username: usernameSchema, password: passwordSchema, displayName: displayNameSchema }),
    result: z.object({ status: z.literal('pending') }),
  },
  // Login checks only the normal form and length of the name (see
  // loginUsernameSchema): an odd name is "invalid username or password",
  // never a format hint.
  'auth.login': {
    role: 'none',
    args: z.strictObject({ username: loginUsernameSchema, password: loginPasswordSchema }),
    result: loginResultSchema,
  },
  'auth.resume': { role: 'none', args: z.strictObject({ token: tokenSchema }), result: loginResultSchema },
  'auth.logout': { role: 'user', args: noArgs, result: emptyResult },
  'auth.changePassword': {
    role: 'user',
    args: z
      .strictObject({ oldPassword: loginPasswordSchema, newPassword: newPasswordSchema })
      .refine((a) => a.oldPassword !== a.newPassword, {
        path: ['newPassword'],
        message: 'must differ from the old password',
        ...whenFieldsValid,
      }),
    result: emptyResult,
  },

  // `allowance` (an addition): the caller's limits and today's spending, so a payment file's
  // preview can say which rows the daily limit would refuse.
  'account.list': { role: 'user', args: noArgs, result: z.object({ accounts: z.array(accountSchema), allowance: allowanceSchema.optional() }) },
  'account.balance': {
    role: 'user',
    args: z.strictObject({ account: accountNumberSchema.optional() }),
    result: accountSchema,
  },
  'account.history': {
    role: 'user',
    args: z.strictObject({
      account: accountNumberSchema.optional(),
      limit: limitSchema(LIST_MAX, LIST_DEFAULT),
      before: cursorSchema.optional(),
      // An addition: also the history imported from the old Qt bank, after the account's own entries.
      legacy: z.boolean().optional(),
    }),
    // `legacyEntries` (an addition) only with `legacy: true`: the imported entries of this page,
    // which come after every entry of the account's own (`entries`), newest first.
    result: z.object({ entries: z.array(entrySchema), legacyEntries: z.array(legacyEntrySchema).optional(), next: cursorSchema.optional() }),
  },
  'account.lookup': {
    role: 'user',
    args: z.strictObject({ account: accountNumberSchema }),
    result: z.object({ account: accountNumberSchema, displayName: z.string() }),
  },
  // Payees of a payment file, up to a thousand a call, answered in order (masked names, or why
  // not); each distinct account counts against the user's daily bulk-lookup budget, apart from
  // account.lookup's per-minute limit. `remaining`: what is left of today's budget.
  'account.lookupMany': {
    role: 'user',
    args: z.strictObject({
      accounts: z.array(accountNumberSchema).min(1, 'must hold at least one account').max(LOOKUP_MANY_MAX, `must hold at most ${LOOKUP_MANY_MAX} accounts`),
    }),
    result: z.object({ results: z.array(lookupItemResultSchema), remaining: count }),
  },

  'transfer.create': { role: 'user', args: transferArgs, result: moneyResult },
  // Items apply in order, each idempotent on its own; `atomic`: all post or none. `runId` groups
  // the batches of one payment run.
  'transfer.batch': {
    role: 'user',
    args: z.strictObject({
      transfers: z.array(transferArgs).min(1, 'must hold at least one transfer').max(BATCH_MAX, `must hold at most ${BATCH_MAX} transfers`),
      atomic: z.boolean().optional(),
      runId: transferIdSchema.optional(),
    }),
    result: z.object({ results: z.array(batchItemResultSchema) }),
  },

  // A payment run is recorded before its first batch: its id, what it moves, its rows, their
  // total and the SHA-256 of its rows (the same file gives the same digest). Idempotent by runId;
  // `sameFile`: the person's other runs of the same digest, to ask before paying a file twice.
  'run.start': {
    role: 'user',
    args: z.strictObject({
      runId: transferIdSchema,
      kind: runKindSchema,
      digest: sha256HexSchema,
      rows: z.number().int().min(1, 'must be at least 1').max(RUN_ROWS_MAX, `must be at most ${RUN_ROWS_MAX}`),
      total: amountSchema,
      atomic: z.boolean().optional(),
    }),
    result: z.object({ run: runSchema, sameFile: z.array(runSchema) }),
  },
  /** The person's runs of a file with this digest, newest first (asked at preview). */
  'run.find': {
    role: 'user',
    args: z.strictObject({ digest: sha256HexSchema }),
    result: z.object({ runs: z.array(runSchema) }),
  },
  'run.list': {
    role: 'user',
    args: z.strictObject({ limit: limitSchema(LIST_MAX, LIST_DEFAULT), cursor: cursorSchema.optional() }),
    result: runPage,
  },

  'admin.user.list': {
    role: 'admin',
    args: z.strictObject({
      query: z.string().max(64, 'must be at most 64 characters').optional(),
      status: userStatusSchema.optional(),
      limit: limitSchema(LIST_MAX, LIST_DEFAULT),
      cursor: cursorSchema.optional(),
    }),
    result: z.object({ users: z.array(userSchema), next: cursorSchema.optional() }),
  },
  'admin.user.create': {
    role: 'admin',
    args: z.strictObject({
      username: usernameSchema,
      password: passwordSchema,
      displayName: displayNameSchema,
      role: roleSchema,
      openingDeposit: amountSchema.optional(),
    }),
    result: z.object({ user: userSchema, accounts: z.array(accountSchema) }),
  },
  'admin.user.update': {
    role: 'admin',
    args: z
      .strictObject({
        username: usernameSchema,
        displayName: displayNameSchema.optional(),
        password: newPasswordSchema.optional(),
        limits: z
          .strictObject({ perTransfer: limitAmountSchema.optional(), perDay: limitAmountSchema.optional() })
          .optional(),
      })
      .refine(
        (a) =>
          a.displayName !== undefined ||
          a.password !== undefined ||
          a.limits?.perTransfer !== undefined ||
          a.limits?.perDay !== undefined,
        { message: 'nothing to change: give displayName, password or limits', ...whenFieldsValid },
      ),
    result: z.object({ user: userSchema }),
  },
  // Approves (or rejects) another administrator's password reset; the one who asked for it cannot.
  'admin.user.approvePasswordReset': {
    role: 'admin',
    args: z.strictObject({ username: usernameSchema, approve: z.boolean() }),
    result: z.object({ user: userSchema }),
  },
  'admin.user.setStatus': {
    role: 'admin',
    args: z.strictObject({ username: usernameSchema, status: z.enum(['active', 'frozen', 'closed']) }),
    result: z.object({ user: userSchema }),
  },
  'admin.registration.decide': {
    role: 'admin',
    args: z.strictObject({ username: usernameSchema, approve: z.boolean() }),
    result: z.object({ user: userSchema }),
  },
  'admin.account.deposit': { role: 'admin', args: cashMovementArgs, result: moneyResult },
  'admin.account.withdraw': { role: 'admin', args: cashMovementArgs, result: moneyResult },
  // Many deposits or withdrawals in one durable write, item by item as transfer.batch (a
  // correction or migration run); each item audited under the admin's name.
  'admin.account.batch': {
    role: 'admin',
    args: cashBatchArgs,
    result: z.object({ results: z.array(batchItemResultSchema) }),
  },
  /** Every person's payment runs, newest first, or one owner's. */
  'admin.run.list': {
    role: 'admin',
    args: z.strictObject({ owner: usernameSchema.optional(), limit: limitSchema(LIST_MAX, LIST_DEFAULT), cursor: cursorSchema.optional() }),
    result: runPage,
  },
  'admin.transfer.list': {
    role: 'admin',
    args: z.strictObject({
      account: accountNumberSchema.optional(),
      since: isoDateSchema.optional(),
      until: isoDateSchema.optional(),
      limit: limitSchema(LIST_MAX, LIST_DEFAULT),
      cursor: cursorSchema.optional(),
    }),
    result: z.object({ transfers: z.array(transferSchema), next: cursorSchema.optional() }),
  },
  'admin.audit.query': {
    role: 'admin',
    args: z.strictObject({
      afterSeq: count.optional(),
      limit: limitSchema(LIST_MAX, LIST_DEFAULT),
      actor: z.string().min(1).max(64).optional(),
      action: z.string().min(1).max(64).optional(),
    }),
    result: z.object({ entries: z.array(auditEntrySchema), head: auditHeadSchema }),
  },
  'admin.audit.verify': {
    role: 'admin',
    args: noArgs,
    result: z.object({ ok: z.boolean(), entries: count, head: auditHeadSchema, problem: verifyProblem }),
  },
  'admin.ledger.verify': {
    role: 'admin',
    args: noArgs,
    result: z.object({
      ok: z.boolean(),
      accounts: count,
      transfers: count,
      sum: minorUnitsSchema,
      problem: verifyProblem,
    }),
  },
  'admin.session.list': {
    role: 'admin',
    args: noArgs,
    result: z.object({ sessions: z.array(sessionInfoSchema) }),
  },
  'admin.session.revoke': {
    role: 'admin',
    args: z.strictObject({ username: usernameSchema }),
    result: z.object({ revoked: count }),
  },
  'admin.stats': {
    role: 'admin',
    args: noArgs,
    result: z.object({
      // `legacy` (an addition): the old Qt clients on the legacy gateway.
      connections: z.object({ tcp: count, ws: count, legacy: count.optional() }),
      sessions: count,
      uptimeS: z.number().min(0),
      // Counters by name (e.g. requests per op); §5 leaves the keys to the relay.
      ops: z.record(z.string(), z.number()),
      ledger: z.object({ accounts: count, transfers: count }),
    }),
  },
  'admin.monitor': { role: 'admin', args: z.strictObject({ on: z.boolean() }), result: emptyResult },
} as const satisfies Record<string, OpDef>;

export type OpName = keyof typeof opDefs;
export type OpArgs<N extends OpName> = z.output<(typeof opDefs)[N]['args']>;
/** What a handler returns (before transforms such as lowercasing apply). */
export type OpResult<N extends OpName> = z.input<(typeof opDefs)[N]['result']>;

export const OP_NAMES = Object.keys(opDefs) as OpName[];

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(opDefs, name);
}

/** Validates a request's args; a failure is BAD_REQUEST naming the field. */
export function parseOpArgs<N extends OpName>(op: N, args: unknown): OpArgs<N> {
  const parsed = opDefs[op].args.safeParse(args);
  if (!parsed.success) throw new BankError('BAD_REQUEST', describeZodError(parsed.error));
  return parsed.data as OpArgs<N>;
}
