import { z } from 'zod';
import { errorCodeSchema } from '../errors.js';
import { isoDateSchema, typeError } from './primitives.js';

/** The JSON inside secure frames, §4. */

const requestIdSchema = z
  .number({ error: typeError('must be a whole number ≥ 0') })
  .int('must be a whole number ≥ 0')
  .min(0, 'must be a whole number ≥ 0');

const objectSchema = z.record(z.string(), z.unknown());

/** A missing `args` is `{}` so `{"id":1,"op":"ping"}` is a valid request. */
export const requestSchema = z.strictObject({
  id: requestIdSchema,
  op: z
    .string({ error: typeError('must be an operation name') })
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters'),
  args: objectSchema.default(() => ({})),
});
export type Request = z.infer<typeof requestSchema>;

/** The id of a request that failed validation, if it has a usable one, so the error can still be answered. */
export function requestIdOf(raw: unknown): number | null {
  if (raw === null || typeof raw !== 'object') return null;
  const parsed = requestIdSchema.safeParse((raw as { id?: unknown }).id);
  return parsed.success ? parsed.data : null;
}

export const errorBodySchema = z.object({ code: errorCodeSchema, message: z.string() });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const okResponseSchema = z.object({ id: requestIdSchema, ok: z.literal(true), result: objectSchema });

/** id is null only when the request had no usable id to echo. */
export const errorResponseSchema = z.object({
  id: requestIdSchema.nullable(),
  ok: z.literal(false),
  error: errorBodySchema,
});

export const responseSchema = z.discriminatedUnion('ok', [okResponseSchema, errorResponseSchema]);
export type Response = z.infer<typeof responseSchema>;

export const eventMessageSchema = z.object({
  event: z.string().min(1),
  data: objectSchema,
  ts: isoDateSchema,
});
export type EventMessage = z.infer<typeof eventMessageSchema>;

/** What a client can receive after the handshake. */
export const serverMessageSchema = z.union([responseSchema, eventMessageSchema]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function issueText(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): string {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => pathText([...path, k]));
    return `unknown field${names.length > 1 ? 's' : ''}: ${names.join(', ')}`;
  }
  // zod's default wording for a missing key is "expected X, received undefined".
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const message = missing ? 'is required' : issue.message;
  const where = pathText(path);
  return where === '' ? message : `${where}: ${message}`;
}

/**
 * One line for a person that names the field, e.g.
 * "amount: must be a whole number of minor units (cents) > 0" or
 * "unknown field: foo". With prefix "args": "args.amount: …".
 */
export function describeZodError(err: z.ZodError, prefix?: string): string {
  const base = prefix ? [prefix] : [];
  const shown = err.issues.slice(0, 3).map((issue) => issueText(issue, base));
  const more = err.issues.length - shown.length;
  if (more > 0) shown.push(`and ${more} more problem${more > 1 ? 's' : ''}`);
  return shown.join('; ') || 'invalid input';
}
