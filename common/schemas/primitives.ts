import { z } from 'zod';
import { isValidAccountNumber, normalizeAccountNumber } from '../account-number.js';

/*
 * Field schemas shared by ops, models and events. Messages are written to
 * follow the field name ("amount: must be …"), because describeZodError
 * prefixes the path.
 */

const codePoints = (s: string): number => [...s].length;

// Control, format (bidi overrides, zero-width), lone surrogates, private use
// and line/paragraph separators: invisible or reordering, so they make a
// name or memo display differently from what it is.
const UNSAFE_TEXT_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;
const hasNoUnsafeText = (s: string): boolean => !UNSAFE_TEXT_RE.test(s);

/**
 * The error for a value of the wrong type; a missing field says so instead,
 * since the message is all the person sees.
 */
export function typeError(message: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : message);
}

/** A bound on raw input before normalizing, so a huge string costs nothing. */
const rawText = (max: number) =>
  z.string({ error: typeError('must be a string') }).max(max, `must be at most ${max} characters`);

/** NFKC then lowercase, the form usernames are stored and compared in. */
export function normalizeUsername(s: string): string {
  return s.trim().normalize('NFKC').toLowerCase();
}

/**
 * After NFKC only ASCII is accepted, so a full-width "ｊａｎｅ" becomes "jane"
 * while a Cyrillic look-alike "jаne" is refused instead of shadowing "jane".
 */
export const usernameSchema = rawText(128)
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(32, 'must be at most 32 characters')
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'may use only a-z, 0-9, _ . - and must start with a letter or digit'),
  );

/**
 * For sign-in only the normal form and a length bound: a name that is not
 * in the registration format simply matches nobody, so the person sees
 * "invalid username or password" rather than a hint about what exists.
 */
export const loginUsernameSchema = rawText(128)
  .transform(normalizeUsername)
  .pipe(z.string().min(1, 'is required').max(64, 'must be at most 64 characters'));

/**
 * Passwords are NFC-normalized so the same password typed on two keyboards
 * or OSes (composed vs decomposed accents) is the same password. NFC rather
 * than NFKC because the relay's hashing applies NFC too: a password set by
 * any path, with or without these schemas, then hashes the same.
 */
export function normalizePassword(s: string): string {
  return s.normalize('NFC');
}

const noNul = (s: string): boolean => !s.includes('\0');

export const passwordSchema = rawText(1024)
  .transform(normalizePassword)
  .pipe(
    z
      .string()
      .min(8, 'must be at least 8 characters')
      .max(256, 'must be at most 256 characters')
      .refine(noNul, 'must not contain a NUL character'),
  );

export const newPasswordSchema = passwordSchema;

/** What sign-in and "old password" accept: any stored password, so only a bound. */
export const loginPasswordSchema = rawText(1024)
  .transform(normalizePassword)
  .pipe(z.string().min(1, 'is required').max(256, 'must be at most 256 characters'));

export const displayNameSchema = rawText(256)
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => codePoints(s) <= 64, 'must be at most 64 characters')
      .refine(hasNoUnsafeText, 'must not contain control or invisible formatting characters'),
  );

export const accountNumberSchema = rawText(64)
  .transform(normalizeAccountNumber)
  .pipe(z.string().refine(isValidAccountNumber, 'account number has a wrong check digit or format'));

export const AMOUNT_MESSAGE = 'must be a whole number of minor units (cents) > 0';

/** z.number().int() is the safe-integer range in zod 4, so 2**53 is refused too. */
export const amountSchema = z
  .number({ error: typeError(AMOUNT_MESSAGE) })
  .int(AMOUNT_MESSAGE)
  .positive(AMOUNT_MESSAGE)
  .max(Number.MAX_SAFE_INTEGER, AMOUNT_MESSAGE);

/** A signed whole number of minor units: balances, entry amounts. */
export const minorUnitsSchema = z
  .number({ error: typeError('must be a whole number of minor units') })
  .int('must be a whole number of minor units');

/** A limit in minor units; 0 is allowed (blocks the user). */
export const limitAmountSchema = z
  .number({ error: typeError('must be a whole number of minor units (cents) ≥ 0') })
  .int('must be a whole number of minor units (cents) ≥ 0')
  .min(0, 'must be a whole number of minor units (cents) ≥ 0');

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lowercased so a retry that changes only the case is still the same transfer. */
export const transferIdSchema = z
  .string({ error: typeError('must be a UUID string') })
  .regex(UUID_RE, 'must be a UUID like 123e4567-e89b-12d3-a456-426614174000')
  .transform((s) => s.toLowerCase());

/** Stored and shown as text, never interpreted. */
export const memoSchema = rawText(1024)
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .refine((s) => codePoints(s) <= 140, 'must be at most 140 characters')
      .refine(hasNoUnsafeText, 'must not contain control or invisible formatting characters'),
  );

/** 32 random bytes in base64url without padding; the last character carries only 2 bits. */
export const tokenSchema = z
  .string({ error: typeError('must be a session token string') })
  .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be a 43-character base64url session token');

export const isoDateSchema = z.iso.datetime({
  offset: true,
  error: typeError('must be an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z'),
});

export const cursorSchema = z
  .string({ error: typeError('must be a cursor string from a previous page') })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

export function limitSchema(max: number, defaultValue: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z.number({ error: typeError(message) }).int(message).min(1, message).max(max, message).default(defaultValue);
}

/** Lowercase hex SHA-256, as used by the audit chain (the first entry's prev is 64 zeros). */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

export const roleSchema = z.enum(['user', 'admin']);
export const userStatusSchema = z.enum(['pending', 'active', 'frozen', 'closed']);
export const accountStatusSchema = z.enum(['active', 'frozen', 'closed']);
/** `legacy` (an addition): the old Qt bank client on the legacy gateway (docs/LEGACY.md). */
export const transportSchema = z.enum(['tcp', 'ws', 'legacy']);

export type Role = z.infer<typeof roleSchema>;
export type UserStatus = z.infer<typeof userStatusSchema>;
export type AccountStatus = z.infer<typeof accountStatusSchema>;
export type Transport = z.infer<typeof transportSchema>;
