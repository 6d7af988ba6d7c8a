import { z } from 'zod';
import { limitsSchema } from '../../common/schemas/models.js';
import { roleSchema, userStatusSchema } from '../../common/schemas/primitives.js';
import { legacyRecordSchema } from '../legacy/record.js';

/** What the relay keeps per user. Never sent as is: ops map it to the wire's `User`. */
export const userRecordSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  status: userStatusSchema,
  createdAt: z.string(),
  /** `scrypt$<log2N>$<r>$<p>$<salt b64url>$<hash b64url>` */
  passwordHash: z.string(),
  limits: limitsSchema.partial().optional(),
  /** Times (ms) of recent failed logins inside the lockout window. */
  failedLogins: z.array(z.number()).default([]),
  lockedUntil: z.number().optional(),
  /** A reset of an administrator's password asked by another administrator, applied once a second one approves. */
  passwordReset: z
    .object({ passwordHash: z.string(), requestedBy: z.string(), requestedAt: z.number(), expiresAt: z.number() })
    .optional(),
  accounts: z.array(z.string()).default([]),
  /** Who the user was in the old Qt bank and its history, when imported from it (relay/legacy/record.ts). */
  legacy: legacyRecordSchema.optional(),
  /**
   * Bumped by every change. A change names the version it was made from and the writer refuses
   * it when the stored record has moved on, so relays sharing a store never lose each other's
   * changes (records from before versions count as 0).
   */
  version: z.number().int().nonnegative().default(0),
});
export type UserRecord = z.output<typeof userRecordSchema>;

/** A session as stored, keyed by SHA-256(token): the token itself is never stored. */
export const sessionRecordSchema = z.object({
  username: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  /** Absolute expiry (ms); the idle timeout is checked against lastSeenAt. */
  expiresAt: z.number(),
});
export type SessionRecord = z.output<typeof sessionRecordSchema>;
