import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What the relay keeps of a user imported from the old Qt bank (`bank-relay legacy import`), on
 * the user's record itself (`UserRecord.legacy`): who they were there, and the old history as
 * read-only entries. The user record is already a JSON document on both stores (a LevelDB value,
 * a PostgreSQL jsonb), written through the bank's one writer with its audit entry, so this needs
 * no table, no migration and no second write path. The old system's whole bank is one small JSON
 * file (its sample: 8 users, 30 transactions), so the history is capped per user.
 */

/** Most imported history entries kept per user (the newest; the import reports what it left out). */
export const LEGACY_HISTORY_MAX = 1000;

/** One entry of the old history, newest first on the record. `amount` in minor units, signed, may be 0. */
export const legacyHistoryItemSchema = z.object({
  /** The old `transactionId` (10 digits, may start with 0), or one the import made up (`generated`). */
  id: z.string().min(1).max(64),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  amount: z.number().int(),
  generated: z.literal(true).optional(),
});
export type LegacyHistoryItem = z.output<typeof legacyHistoryItemSchema>;

export const legacyRecordSchema = z.object({
  /** The old username, exactly as the old system matched it (case-sensitive, spaces kept). */
  username: z.string().min(1),
  /** A customer's old account number, exactly as written (`ACC1003`, `Acc1001773`). */
  account: z.string().min(1).optional(),
  /** When the import (or the gateway's CreateNewUser) recorded it. */
  importedAt: z.string(),
  /** SHA-256 (hex) of the file it came from, or LEGACY_GATEWAY_SOURCE for a user created on the legacy gateway. */
  source: z.string(),
  /**
   * The hash the import stored for a password below today's policy. While the user's password
   * hash is still this one, bankrelay/1's sign-in says `mustChangePassword`; any change of
   * password (by the person or an administrator) ends that by itself.
   */
  weakPasswordHash: z.string().optional(),
  history: z.array(legacyHistoryItemSchema).max(LEGACY_HISTORY_MAX).default([]),
});
export type LegacyRecord = z.output<typeof legacyRecordSchema>;

/** True while a user's password is the one imported below today's policy. */
export function mustChangePassword(user: { passwordHash: string; legacy?: LegacyRecord | undefined }): boolean {
  const weak = user.legacy?.weakPasswordHash;
  return weak !== undefined && weak === user.passwordHash;
}

/** `LegacyRecord.source` of an identity recorded by the legacy gateway's CreateNewUser (no file). */
export const LEGACY_GATEWAY_SOURCE = 'legacy-gateway';

/** The audit action of an old identity recorded for a user after the fact (the gateway's CreateNewUser). */
export const LEGACY_ALIAS_ACTION = 'legacy.alias';

/** The longest old account number kept (the wire's `legacyAccount`). */
export const LEGACY_ACCOUNT_MAX = 64;

/**
 * The identity the legacy gateway's CreateNewUser records for the user it made: the name and the
 * account number the administrator typed, exactly, with no imported history.
 */
export function gatewayLegacyRecord(username: string, account: string, at: Date): LegacyRecord {
  return { username, account, importedAt: at.toISOString(), source: LEGACY_GATEWAY_SOURCE, history: [] };
}

/**
 * The transfer id of the import's opening deposit for an old account number: the same on every
 * run (so it posts once), and how the legacy gateway knows that entry (the old client never
 * showed one: its history is the old one, continued).
 */
export function openingTransferId(legacyAccount: string): string {
  const h = createHash('sha256').update(`bank-relay/legacy-import/opening/${legacyAccount}`).digest('hex');
  // UUID layout, version 8 (custom) and the RFC 9562 variant, so it passes as any client's UUID.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
