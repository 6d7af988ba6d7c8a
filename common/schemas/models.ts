import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import {
  accountNumberSchema,
  accountStatusSchema,
  amountSchema,
  displayNameSchema,
  isoDateSchema,
  limitAmountSchema,
  memoSchema,
  minorUnitsSchema,
  roleSchema,
  sha256HexSchema,
  transferIdSchema,
  transportSchema,
  userStatusSchema,
  usernameSchema,
} from './primitives.js';

/** The shapes of §5 that results and events carry. */

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD');

/** balance: any safe integer, since the bank's cash account is negative by design. */
export const accountSchema = z.object({
  account: accountNumberSchema,
  balance: minorUnitsSchema,
  currency: currencySchema,
  status: accountStatusSchema,
});
export type Account = z.infer<typeof accountSchema>;

export const limitsSchema = z.object({
  perTransfer: limitAmountSchema,
  perDay: limitAmountSchema,
});
export type Limits = z.infer<typeof limitsSchema>;

/** A customer's limits and what they have sent today (UTC) against the daily one. */
export const allowanceSchema = limitsSchema.extend({ spentToday: z.number().int().min(0) });
export type Allowance = z.infer<typeof allowanceSchema>;

/** Who a user was in the old Qt bank, when imported from it: the old username and, for a customer, the old account number. */
export const legacyIdentitySchema = z.object({
  username: z.string().min(1).max(256),
  account: z.string().min(1).max(64).optional(),
});
export type LegacyIdentity = z.infer<typeof legacyIdentitySchema>;

export const publicUserSchema = z.object({
  username: usernameSchema,
  displayName: displayNameSchema,
  role: roleSchema,
  status: userStatusSchema,
  /** Set for users imported from the old Qt bank (an addition: "Legacy import" in PROTOCOL). */
  legacy: legacyIdentitySchema.optional(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** Another administrator's password reset, waiting for a second administrator (never the one who asked) to approve it. */
export const passwordResetSchema = z.object({
  requestedBy: usernameSchema,
  requestedAt: isoDateSchema,
  expiresAt: isoDateSchema,
});
export type PasswordReset = z.infer<typeof passwordResetSchema>;

export const userSchema = publicUserSchema.extend({
  createdAt: isoDateSchema,
  limits: limitsSchema,
  accounts: z.array(accountSchema),
  passwordReset: passwordResetSchema.optional(),
});
export type User = z.infer<typeof userSchema>;

/** Transfer.id is the transferId the client chose; deposits and withdrawals too. */
export const transferSchema = z.object({
  id: transferIdSchema,
  from: accountNumberSchema,
  to: accountNumberSchema,
  amount: amountSchema,
  memo: memoSchema.optional(),
  ts: isoDateSchema,
  status: z.literal('posted'),
});
export type Transfer = z.infer<typeof transferSchema>;

/** One leg of a transfer as its account sees it: amount < 0 going out, > 0 coming in. */
export const entrySchema = z.object({
  transferId: transferIdSchema,
  ts: isoDateSchema,
  amount: minorUnitsSchema.refine((n) => n !== 0, 'must not be 0'),
  counterparty: accountNumberSchema,
  memo: memoSchema.optional(),
  balanceAfter: minorUnitsSchema,
});
export type Entry = z.infer<typeof entrySchema>;

/**
 * An entry of the history imported from the old Qt bank (`bank-relay legacy import`): read-only,
 * kept as the old system recorded it (a date, a signed amount that may be 0, its own transaction
 * id or one the import made up), never a transfer of this ledger: no transferId, no balanceAfter.
 * `account.history` returns them only when asked (`legacy: true`), in their own list
 * (`legacyEntries`), after every entry of the account's own.
 */
export const legacyEntrySchema = z.object({
  kind: z.literal('legacy'),
  legacyId: z.string().min(1).max(64),
  /** The old system's `yyyy-MM-dd`; `ts` is that day at 00:00 UTC, for clients that sort and group by time. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-MM-dd'),
  ts: isoDateSchema,
  amount: minorUnitsSchema,
  /** The old account number the entry was recorded on, exactly as the old system wrote it. */
  legacyAccount: z.string().min(1).max(64),
});
export type LegacyEntry = z.infer<typeof legacyEntrySchema>;

/** What `account.history` lists: the ledger's entries and, when asked, the imported ones. */
export const historyEntrySchema = z.union([entrySchema, legacyEntrySchema]);
export type HistoryEntry = Entry | LegacyEntry;

export function isLegacyEntry(e: HistoryEntry): e is LegacyEntry {
  return (e as { kind?: unknown }).kind === 'legacy';
}

/** Most rows in one payment run (a file of payments, deposits or withdrawals). */
export const RUN_ROWS_MAX = 5000;

/**
 * What a payment run moves: a customer's payments to payees (`transfer.batch`), or an
 * administrator's deposits into or withdrawals from customer accounts (`admin.account.batch`).
 */
export const runKindSchema = z.enum(['payments', 'deposits', 'withdrawals']);
export type RunKind = z.infer<typeof runKindSchema>;

/**
 * A payment run as the relay records it: what was declared when it started (its rows, their
 * total, the digest of the file's rows, so the same file is recognised) and what its batches
 * have done since, counted in the same durable write as the money: rows posted (each once,
 * replays not counted again), the amount they moved, and rows whose latest answer was a refusal.
 */
export const runSchema = z.object({
  runId: transferIdSchema,
  owner: usernameSchema,
  kind: runKindSchema,
  digest: sha256HexSchema,
  rows: z.number().int().min(1).max(RUN_ROWS_MAX),
  total: amountSchema,
  atomic: z.boolean(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  posted: z.number().int().min(0),
  sent: z.number().int().min(0),
  failed: z.number().int().min(0),
});
export type Run = z.infer<typeof runSchema>;

/** 'ok' or the error code a request ended with (monitor.request). */
export const outcomeSchema = z.enum(['ok', ...ERROR_CODES]);
export type Outcome = z.infer<typeof outcomeSchema>;

/**
 * actor and role are free text: auth events (a failed login) happen before
 * anyone is signed in, and the relay itself may act (e.g. "system").
 */
export const auditEntrySchema = z.object({
  seq: z.number().int().min(1),
  ts: isoDateSchema,
  actor: z.string(),
  role: z.string(),
  action: z.string().min(1),
  target: z.string().optional(),
  // 'ok', or why not: an error code or a finer reason such as "bad_password".
  outcome: z.string().min(1),
  details: z.record(z.string(), z.unknown()).optional(),
  prev: sha256HexSchema,
  hash: sha256HexSchema,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** seq 0 with 64 zeros is the head of an empty log. */
export const auditHeadSchema = z.object({
  seq: z.number().int().min(0),
  hash: sha256HexSchema,
});
export type AuditHead = z.infer<typeof auditHeadSchema>;

export const sessionInfoSchema = z.object({
  username: usernameSchema,
  role: roleSchema,
  createdAt: isoDateSchema,
  lastSeenAt: isoDateSchema,
  expiresAt: isoDateSchema,
  connected: z.boolean(),
  transport: transportSchema.optional(),
  remote: z.string().optional(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;
