import { z } from 'zod';
import { outcomeSchema, transferSchema } from './models.js';
import {
  accountNumberSchema,
  minorUnitsSchema,
  transferIdSchema,
  transportSchema,
  userStatusSchema,
  usernameSchema,
} from './primitives.js';

/** Server pushes of §6: event name → schema of its `data`. */

export const alertKindSchema = z.enum(['registration', 'lockout', 'large_transfer', 'frozen', 'password_reset']);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const eventDefs = {
  'balance.updated': z.object({
    account: accountNumberSchema,
    balance: minorUnitsSchema,
    transferId: transferIdSchema,
  }),
  'transfer.received': z.object({ transfer: transferSchema }),
  'transfer.posted': z.object({ transfer: transferSchema }),
  'admin.alert': z.object({
    kind: alertKindSchema,
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
  // status is the user's (pending|active|frozen|closed); account is set when one account changed.
  'account.status': z.object({
    account: accountNumberSchema.optional(),
    username: usernameSchema,
    status: userStatusSchema,
  }),
  'session.revoked': z.object({ reason: z.string() }),
  // The session reached its idle or absolute time limit while connected; no events follow.
  'session.expired': z.object({ reason: z.string() }),
  // actor is the session's username, or "" for a request made without a session.
  'monitor.request': z.object({
    op: z.string(),
    actor: z.string(),
    transport: transportSchema,
    ms: z.number().min(0),
    outcome: outcomeSchema,
  }),
} as const satisfies Record<string, z.ZodType>;

export type EventName = keyof typeof eventDefs;
/** What the relay passes when it publishes an event. */
export type EventData<N extends EventName> = z.input<(typeof eventDefs)[N]>;

export const EVENT_NAMES = Object.keys(eventDefs) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventDefs, name);
}
