import { z } from 'zod';
import { OP_NAMES, type OpArgs, type OpName, type OpResult } from '../../../common/schemas/ops.js';
import type { Account, Entry, PublicUser } from '../../../common/schemas/models.js';
import type { AlertKind, EventName } from '../../../common/schemas/events.js';
import type { ErrorCode } from '../../../common/errors.js';
import { RUN_ROWS_MAX, type Run } from '../../../common/schemas/models.js';
import type { LookupItemResult } from '../../../common/schemas/ops.js';
import { accountNumberSchema, cursorSchema, sha256HexSchema, transferIdSchema, usernameSchema } from '../../../common/schemas/primitives.js';
import { newRunSchema, type LocalRun, type NewRun, type RunSummary } from './runs.js';

/*
 * The one API between the extension's pages (popup, options) and its background service
 * worker. Pages never open sockets: they send UiRequests with runtime.sendMessage and keep a
 * runtime Port named UI_PORT open to receive BackgroundPush messages. The background answers
 * only messages from the extension's own pages (see isOwnPage in the background).
 */

export const UI_PORT = 'bank-ui';

/** Where the relay connection stands, as the person should see it. */
export type ConnectionStatus =
  | 'connecting' // first attempt, or a manual reconnect
  | 'live' // handshake done (and session resumed, when there is one)
  | 'reconnecting' // lost; retrying with backoff
  | 'offline' // several attempts failed; still retrying, slower
  | 'key-changed'; // the relay's key differs from the pinned one: we refuse to talk until accepted

export interface Settings {
  relayUrl: string;
  autoLockMinutes: number; // 1..240
  notifications: boolean;
}

export const DEFAULT_SETTINGS: Settings = { relayUrl: 'ws://127.0.0.1:1235/', autoLockMinutes: 5, notifications: true };

export const settingsSchema = z.strictObject({
  relayUrl: z.string().regex(/^wss?:\/\/[^\s]+$/, 'must be a ws:// or wss:// URL'),
  autoLockMinutes: z.number().int().min(1).max(240),
  notifications: z.boolean(),
});

/**
 * What an organization's policy may fix (the browser's managed storage, described by
 * `managed_schema.json`): the relay's address, its key's fingerprint (pinned instead of
 * trusted on first use), the auto-lock and notifications. A value set here cannot be changed
 * in the extension.
 */
export const managedPolicySchema = z.object({
  relayUrl: settingsSchema.shape.relayUrl,
  relayFingerprint: z
    .string()
    .transform((s) => s.replace(/[:\s]/g, '').toLowerCase())
    .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 hex digits of the relay key\'s SHA-256 fingerprint')),
  autoLockMinutes: settingsSchema.shape.autoLockMinutes,
  notifications: settingsSchema.shape.notifications,
});
export type ManagedPolicy = Partial<z.output<typeof managedPolicySchema>>;

export interface AppNotification {
  id: string;
  ts: string; // ISO
  kind: 'received' | 'alert';
  /** An alert's kind, as the relay names it: what the admin's Alerts screen labels it by in any language. */
  alertKind?: AlertKind;
  title: string;
  body: string;
  read: boolean;
}

export interface TrustInfo {
  /** Fingerprint (lowercase hex) pinned for the current relay URL, if any. */
  pinned?: string;
  /** The relay's fingerprint on the last handshake. */
  current?: string;
  /** When status is 'key-changed': the new fingerprint the relay presented. */
  offered?: string;
}

/** Everything the pages render from. Pushed whole on every change (it is small). */
export interface AppState {
  status: ConnectionStatus;
  /** Human text for the last connection problem, if any ("relay unreachable", …). */
  statusDetail?: string;
  /** The settings in effect: the person's own, with what the policy fixes over them. */
  settings: Settings;
  /** What the organization's policy fixes (empty without one). */
  policy: ManagedPolicy;
  trust: TrustInfo;
  /** Signed in (token held in chrome.storage.session), or null. */
  user: PublicUser | null;
  accounts: Account[];
  /** Newest entries of the first account (first page), live-updated by events. */
  recent: Entry[];
  /** Cursor for the page after `recent`, when there is one. */
  recentNext?: string;
  notifications: AppNotification[];
  unread: number;
  /** When the shown balance/history were last confirmed by the relay (ISO); shown when not live. */
  syncedAt?: string;
  /**
   * Why the person was last signed out when they did not ask for it ("Locked after 5 minutes
   * of inactivity", "Signed out: the password was changed", …), for the sign-in screen.
   * Cleared on the next sign-in.
   */
  signedOutReason?: string;
  /**
   * The signed-in person's payment runs stored in this browser, newest first, with their
   * progress (rows done, amount sent, failures); pushed as they change. Absent until loaded.
   */
  runs?: RunSummary[];
  /**
   * The relay asks this person to choose a new password before anything else (one imported from
   * the old bank below today's rules): the popup shows only that until it is done.
   */
  mustChangePassword?: true;
}

/** Requests from a page to the background; each gets a UiResponse. */
export type UiRequest =
  | { type: 'state' }
  | { type: 'login'; username: string; password: string }
  | { type: 'register'; username: string; password: string; displayName: string }
  | { type: 'logout' }
  | { type: 'lock' }
  | { type: 'call'; op: OpName; args: unknown }
  | { type: 'settings'; settings: Partial<Settings> }
  | { type: 'trust.accept' } // accept the offered (changed) key
  | { type: 'trust.forget' } // forget the pinned key (next handshake pins anew)
  | { type: 'notifications.read' } // mark all read, clear the badge
  | { type: 'activity' } // the person did something: resets the auto-lock timer
  // Payment runs (background/runs/): see each request's answer below.
  | { type: 'payments.lookup'; accounts: string[] } // → PreviewLookups: account.lookupMany in calls of 1,000
  | { type: 'runs.find'; digest: string } // → RunsFound: earlier runs of the same rows
  | { type: 'runs.create'; run: NewRun } // → RunSummary: stored with its transfer ids, nothing sent
  | { type: 'runs.start'; runId: string } // → RunSummary: starts or resumes (one runner per run)
  | { type: 'runs.pause'; runId: string } // → RunSummary: stops after the batch in flight
  | { type: 'runs.discard'; runId: string } // → {}: forgets a run that is not sending
  | { type: 'runs.list' } // → RunSummary[]: this person's runs in this browser
  | { type: 'runs.get'; runId: string } // → LocalRun: one run with its rows (results)
  | { type: 'runs.history'; scope: 'own' | 'all'; owner?: string; limit?: number; cursor?: string }; // → RunPage: the relay's record (run.list, admin.run.list)

/** The answer to `payments.lookup`. */
export interface PreviewLookups {
  /** One answer per distinct account asked, in first-seen order. */
  results: LookupItemResult[];
  /** What the relay says is left of today's bulk-lookup budget, after the last call. */
  remaining: number;
}

/** The most runs one `runs.history` page asks for (the relay's list maximum). */
export const RUNS_PAGE_MAX = 500;

/** The answer to `runs.find`: runs of a file with the same digest, on the relay and in this browser. */
export interface RunsFound {
  relay: Run[];
  local: RunSummary[];
}

/** The answer to `runs.history`. */
export interface RunPage {
  runs: Run[];
  next?: string;
}

export type { LocalRun, NewRun, RunSummary };

/**
 * Why a request failed: the relay's codes (§4), and the background's own. `IN_DOUBT` is also
 * what a request whose socket dropped before the answer hears: it may or may not have been
 * done (a transfer settles it by replaying its id, which never pays twice). `OFFLINE`: not
 * connected, nothing was sent. `KEY_CHANGED`: the relay's key differs from the pinned one,
 * nothing is sent until the person accepts the new key or forgets the old one.
 */
export type UiErrorCode = ErrorCode | 'OFFLINE' | 'KEY_CHANGED';
export type UiError = { code: UiErrorCode; message: string };
export type UiResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: UiError };

/** Pushed on the UI port. `relay-event` forwards every relay event (e.g. for the admin's live views). */
export type BackgroundPush = { type: 'state'; state: AppState } | { type: 'relay-event'; event: EventName; data: unknown; ts: string };

export const uiRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('state') }),
  z.strictObject({ type: z.literal('login'), username: z.string().max(128), password: z.string().max(1024) }),
  z.strictObject({ type: z.literal('register'), username: z.string().max(128), password: z.string().max(1024), displayName: z.string().max(256) }),
  z.strictObject({ type: z.literal('logout') }),
  z.strictObject({ type: z.literal('lock') }),
  z.strictObject({ type: z.literal('call'), op: z.enum(OP_NAMES as [OpName, ...OpName[]]), args: z.unknown() }),
  z.strictObject({ type: z.literal('settings'), settings: settingsSchema.partial() }),
  z.strictObject({ type: z.literal('trust.accept') }),
  z.strictObject({ type: z.literal('trust.forget') }),
  z.strictObject({ type: z.literal('notifications.read') }),
  z.strictObject({ type: z.literal('activity') }),
  z.strictObject({ type: z.literal('payments.lookup'), accounts: z.array(accountNumberSchema).min(1).max(RUN_ROWS_MAX) }),
  z.strictObject({ type: z.literal('runs.find'), digest: sha256HexSchema }),
  z.strictObject({ type: z.literal('runs.create'), run: newRunSchema }),
  z.strictObject({ type: z.literal('runs.start'), runId: transferIdSchema }),
  z.strictObject({ type: z.literal('runs.pause'), runId: transferIdSchema }),
  z.strictObject({ type: z.literal('runs.discard'), runId: transferIdSchema }),
  z.strictObject({ type: z.literal('runs.list') }),
  z.strictObject({ type: z.literal('runs.get'), runId: transferIdSchema }),
  z.strictObject({
    type: z.literal('runs.history'),
    scope: z.enum(['own', 'all']),
    owner: usernameSchema.optional(),
    limit: z.number().int().min(1).max(RUNS_PAGE_MAX).optional(),
    cursor: cursorSchema.optional(),
  }),
]);

/** The typed result of a `call` request, for pages. */
export type CallResult<N extends OpName> = OpResult<N>;
