import { CASH_ACCOUNT, formatAccountNumber } from '../../../common/account-number.js';
import { formatAmount } from '../../../common/money.js';
import { eventDefs, isEventName, type AlertKind } from '../../../common/schemas/events.js';
import type { Account, Entry, PublicUser, Transfer } from '../../../common/schemas/models.js';
import { DEFAULT_SETTINGS, type RunSummary, type AppNotification, type AppState, type ConnectionStatus, type ManagedPolicy, type Settings, type TrustInfo } from '../shared/api.js';
import { ltr, t, uiLocale, type MessageKey } from '../shared/i18n.js';
import { applyPolicy } from './policy.js';

/*
 * The background's AppState as a pure reducer: every change the pages see is one StateAction
 * applied here. Anything that depends on the clock or on randomness (`at`, `noticeId`) comes in
 * the action, so the same actions always give the same state.
 */

/** The first page of history loaded on sign-in and on every (re)connection. */
export const RECENT_PAGE_SIZE = 20;
/** Beyond this many entries in `recent`, the background reloads the first page instead. */
export const RECENT_MAX = 200;
export const MAX_NOTIFICATIONS = 50;

/** What the cache keeps per user, so a popup paints at once (and offline). */
export interface UserView {
  user: PublicUser;
  accounts: Account[];
  recent: Entry[];
  recentNext?: string;
  notifications: AppNotification[];
  syncedAt?: string;
}

export type StateAction =
  | { type: 'status'; status: ConnectionStatus; detail?: string }
  | { type: 'trust'; trust: TrustInfo }
  | { type: 'settings'; settings: Settings }
  /** The organization's policy: what it fixes applies over the settings from now on. */
  | { type: 'policy'; policy: ManagedPolicy }
  /** A cached (or remembered) view of a user, before the relay confirms it. */
  | { type: 'view.restored'; view: UserView }
  /** `mustChangePassword`: the relay asks for a new password before anything else (an imported one below today's rules). */
  | { type: 'signed-in'; user: PublicUser; accounts: Account[]; at: string; mustChangePassword?: boolean }
  /** The person's password was changed: nothing is asked of them any more. */
  | { type: 'password-changed' }
  | { type: 'signed-out'; reason?: string }
  /** `noticeId` names the notification an admin alert becomes (the caller makes it unique). */
  | { type: 'relay-event'; event: string; data: unknown; ts: string; at: string; noticeId: string }
  | { type: 'history.loaded'; entries: Entry[]; next?: string; mode: 'replace' | 'append'; at: string }
  | { type: 'notifications.read' }
  /** The signed-in person's payment runs in this browser, with their progress (runs/engine.ts). */
  | { type: 'runs'; runs: RunSummary[] };

export function initialState(settings: Settings = DEFAULT_SETTINGS): AppState {
  return { status: 'connecting', settings, policy: {}, trust: {}, user: null, accounts: [], recent: [], notifications: [], unread: 0 };
}

/** Everything that belongs to the signed-in person, dropped when they sign out or lock. */
function withoutUser(state: AppState): AppState {
  const { syncedAt: _syncedAt, recentNext: _recentNext, runs: _runs, mustChangePassword: _must, ...rest } = state;
  return { ...rest, user: null, accounts: [], recent: [], notifications: [], unread: 0 };
}

function withNotifications(state: AppState, notifications: AppNotification[]): AppState {
  const kept = notifications.slice(0, MAX_NOTIFICATIONS);
  return { ...state, notifications: kept, unread: kept.filter((n) => !n.read).length };
}

const entryKey = (e: Entry): string => `${e.transferId}:${e.amount > 0 ? 'in' : 'out'}`;

/** Keeps the first occurrence of each transfer leg, in order. */
export function dedupeEntries(entries: readonly Entry[]): Entry[] {
  const seen = new Set<string>();
  const out: Entry[] = [];
  for (const e of entries) {
    const k = entryKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

export function reduce(state: AppState, action: StateAction): AppState {
  switch (action.type) {
    case 'status': {
      const { statusDetail: _old, ...rest } = state;
      return action.detail === undefined ? { ...rest, status: action.status } : { ...rest, status: action.status, statusDetail: action.detail };
    }
    case 'trust':
      return { ...state, trust: { ...action.trust } };
    case 'settings':
      return { ...state, settings: applyPolicy(action.settings, state.policy) };
    case 'policy':
      return { ...state, policy: { ...action.policy }, settings: applyPolicy(state.settings, action.policy) };
    case 'view.restored': {
      const v = action.view;
      if (state.user && state.user.username !== v.user.username) return state;
      const base: AppState = { ...withoutUser(state), user: v.user, accounts: v.accounts, recent: dedupeEntries(v.recent) };
      if (v.recentNext !== undefined) base.recentNext = v.recentNext;
      if (v.syncedAt !== undefined) base.syncedAt = v.syncedAt;
      if (state.user && state.runs !== undefined) base.runs = state.runs;
      return withNotifications(base, v.notifications);
    }
    case 'signed-in': {
      const same = state.user?.username === action.user.username;
      const { signedOutReason: _reason, mustChangePassword: _must, ...rest } = same ? state : withoutUser(state);
      const next: AppState = { ...rest, user: action.user, accounts: action.accounts, syncedAt: action.at };
      return action.mustChangePassword ? { ...next, mustChangePassword: true } : next;
    }
    case 'signed-out': {
      const out = withoutUser(state);
      if (action.reason === undefined) {
        const { signedOutReason: _reason, ...rest } = out;
        return rest;
      }
      return { ...out, signedOutReason: action.reason };
    }
    case 'relay-event':
      return state.user ? applyEvent(state, action) : state;
    case 'history.loaded':
      return state.user ? applyHistory(state, action) : state;
    case 'notifications.read':
      return withNotifications(
        state,
        state.notifications.map((n) => (n.read ? n : { ...n, read: true })),
      );
    case 'runs':
      return state.user ? { ...state, runs: action.runs } : state;
    case 'password-changed': {
      const { mustChangePassword: _must, ...rest } = state;
      return rest;
    }
  }
}

function applyHistory(state: AppState, action: Extract<StateAction, { type: 'history.loaded' }>): AppState {
  let recent: Entry[];
  if (action.mode === 'append') {
    recent = dedupeEntries([...state.recent, ...action.entries]);
  } else {
    // An event that raced ahead of the page's answer is newer than everything in the page: keep it.
    const newest = action.entries[0] ? Date.parse(action.entries[0].ts) : Number.POSITIVE_INFINITY;
    const inPage = new Set(action.entries.map(entryKey));
    const newer = state.recent.filter((e) => !inPage.has(entryKey(e)) && Date.parse(e.ts) > newest);
    recent = dedupeEntries([...newer, ...action.entries]);
  }
  const { recentNext: _old, ...rest } = state;
  const next: AppState = { ...rest, recent, syncedAt: action.at };
  if (action.next !== undefined) next.recentNext = action.next;
  return next;
}

function applyEvent(state: AppState, action: Extract<StateAction, { type: 'relay-event' }>): AppState {
  if (!isEventName(action.event)) return state;
  switch (action.event) {
    case 'balance.updated': {
      const p = eventDefs['balance.updated'].safeParse(action.data);
      if (!p.success) return state;
      const { account, balance, transferId } = p.data;
      if (!state.accounts.some((a) => a.account === account)) return state;
      const first = state.accounts[0];
      return {
        ...state,
        accounts: state.accounts.map((a) => (a.account === account ? { ...a, balance } : a)),
        recent: account === first?.account ? settleBalances(state.recent, transferId, balance, first.balance) : state.recent,
        syncedAt: action.at,
      };
    }
    case 'transfer.received':
    case 'transfer.posted': {
      const p = eventDefs[action.event].safeParse(action.data);
      if (!p.success) return state;
      const incoming = action.event === 'transfer.received';
      let next: AppState = { ...state, recent: prependTransfer(state, p.data.transfer, incoming), syncedAt: action.at };
      if (incoming) next = addNotification(next, receivedNotice(state, p.data.transfer, action.ts));
      return next;
    }
    case 'account.status': {
      const p = eventDefs['account.status'].safeParse(action.data);
      if (!p.success || !state.user || p.data.username !== state.user.username) return state;
      const { account, status } = p.data;
      const accountStatus = status === 'pending' ? undefined : status;
      return {
        ...state,
        user: { ...state.user, status },
        accounts:
          accountStatus === undefined
            ? state.accounts
            : state.accounts.map((a) => (account === undefined || a.account === account ? { ...a, status: accountStatus } : a)),
      };
    }
    case 'admin.alert': {
      const p = eventDefs['admin.alert'].safeParse(action.data);
      if (!p.success) return state;
      return addNotification(state, {
        id: `alert:${action.noticeId}`,
        ts: action.ts,
        kind: 'alert',
        alertKind: p.data.kind,
        title: t(ALERT_TITLES[p.data.kind]),
        body: p.data.message,
        read: false,
      });
    }
    default:
      // session.revoked and session.expired are handled by the connection (it signs out); monitor.request is for live views only.
      return state;
  }
}

/**
 * The relay's balance after `transferId` for entries that came by events with a guessed one.
 * A transfer event can come before its balance (the items of a batch each come first, and one
 * balance follows for the whole batch): such entries were given the balance then known
 * (`stale`). The entry of `transferId` gets the relay's balance, and the guessed entries just
 * below it get theirs worked back from it, stopping at the first entry that already agrees.
 */
function settleBalances(recent: readonly Entry[], transferId: string, balance: number, stale: number): Entry[] {
  const out = recent.map((e) => (e.transferId === transferId ? { ...e, balanceAfter: balance } : e));
  const at = out.findLastIndex((e) => e.transferId === transferId);
  if (at < 0) return out;
  for (let j = at + 1; j < out.length; j++) {
    const newer = out[j - 1]!;
    const before = newer.balanceAfter - newer.amount;
    const entry = out[j]!;
    if (entry.balanceAfter === before || entry.balanceAfter !== stale) break;
    out[j] = { ...entry, balanceAfter: before };
  }
  return out;
}

/** A transfer event as an entry of the first account, newest first, never twice. */
function prependTransfer(state: AppState, t: Transfer, incoming: boolean): Entry[] {
  const own = state.accounts[0];
  if (!own || own.account !== (incoming ? t.to : t.from)) return state.recent;
  const entry: Entry = {
    transferId: t.id,
    ts: t.ts,
    amount: incoming ? t.amount : -t.amount,
    counterparty: incoming ? t.from : t.to,
    // balance.updated comes first from this relay, so the account already holds the balance after it.
    balanceAfter: own.balance,
  };
  if (t.memo !== undefined) entry.memo = t.memo;
  return dedupeEntries([entry, ...state.recent]);
}

const ALERT_TITLES: Record<AlertKind, MessageKey> = {
  registration: 'notice_alert_registration',
  lockout: 'notice_alert_lockout',
  large_transfer: 'notice_alert_large_transfer',
  frozen: 'notice_alert_frozen',
  password_reset: 'notice_alert_password_reset',
};

function currencyOf(state: AppState, account: string): string {
  return state.accounts.find((a) => a.account === account)?.currency ?? state.accounts[0]?.currency ?? 'USD';
}

function receivedNotice(state: AppState, transfer: Transfer, ts: string): AppNotification {
  const amount = ltr(formatAmount(transfer.amount, currencyOf(state, transfer.to), uiLocale()));
  const what = transfer.from === CASH_ACCOUNT ? t('notice_deposit', amount) : t('notice_received', amount, ltr(formatAccountNumber(transfer.from)));
  return {
    id: `received:${transfer.id}`,
    ts,
    kind: 'received',
    title: t('notice_received_title'),
    body: transfer.memo ? t('notice_with_memo', what, transfer.memo) : what,
    read: false,
  };
}

function addNotification(state: AppState, n: AppNotification): AppState {
  if (state.notifications.some((x) => x.id === n.id)) return state;
  return withNotifications(state, [n, ...state.notifications]);
}

/** Notifications in `next` that `prev` did not have (what to show as system notifications). */
export function newNotifications(prev: AppState, next: AppState): AppNotification[] {
  if (prev.notifications === next.notifications) return [];
  const known = new Set(prev.notifications.map((n) => n.id));
  return next.notifications.filter((n) => !known.has(n.id));
}

/** The part of the state the cache keeps, when someone is signed in. */
export function userView(state: AppState): UserView | undefined {
  if (!state.user) return undefined;
  const view: UserView = { user: state.user, accounts: state.accounts, recent: state.recent, notifications: state.notifications };
  if (state.recentNext !== undefined) view.recentNext = state.recentNext;
  if (state.syncedAt !== undefined) view.syncedAt = state.syncedAt;
  return view;
}
