import type { FrameTransport, ServerEvent } from '../../../common/client/bank-client.js';
import type { CryptoSuite } from '../../../common/protocol/crypto.js';
import type { OpName } from '../../../common/schemas/ops.js';
import type { AppState, UiResponse } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import type { ViewCache } from './cache.js';
import { OP_RULES } from './op-rules.js';
import { DEFAULT_SOCKET_TIMING, RelaySocket, within, type Link, type LinkOwner, type SocketTiming } from './relay-socket.js';
import type { SessionKeeper, SessionRecord } from './session-token.js';
import { relayKey } from './settings.js';
import { RECENT_MAX, RECENT_PAGE_SIZE } from './state.js';
import type { StateStore } from './store.js';
import type { TrustStore } from './trust.js';

/*
 * The person's session over the relay socket (relay-socket.ts): sign-in, the resume on every
 * new socket with the token from storage.session, sign-out and lock, the relay ending the
 * session, and what each op's answer means for it (op-rules.ts). Every change the person should
 * see goes through the state store.
 */

export interface ConnectionTiming extends SocketTiming {
  /** Best-effort auth.logout on sign-out / lock waits at most this long. */
  logoutTimeoutMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = { ...DEFAULT_SOCKET_TIMING, logoutTimeoutMs: 2_000 };

/** Why a session ended: 'revoked' and 'expired' come from the relay, the rest from this browser. */
/** Whose session a request must go out on. */
export interface SessionOwner {
  username: string;
  relayUrl: string;
}

export type SignOutCause = 'logout' | 'lock' | 'revoked' | 'expired' | 'relay-changed';

export interface ConnectionDeps {
  store: StateStore;
  trust: TrustStore;
  session: SessionKeeper;
  cache?: ViewCache;
  openTransport(url: string): Promise<FrameTransport>;
  suite: CryptoSuite;
  /** Called after the state took the event in (forward it to pages, raise notifications). */
  onRelayEvent?(event: ServerEvent, prev: AppState, next: AppState): void;
  /** Called when a signed-in session ended. */
  onSignedOut?(cause: SignOutCause, reason: string | undefined, username: string | undefined): void;
  timing?: Partial<ConnectionTiming>;
  random?: () => number;
  now?: () => Date;
  newId?: () => string;
  log?: (message: string, err?: unknown) => void;
}

/** Resume failures that mean the session is over (anything else is retried). */
const SESSION_OVER = new Set(['UNAUTHENTICATED', 'ACCOUNT_FROZEN', 'FORBIDDEN']);

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export class SessionController implements LinkOwner {
  private readonly socket: RelaySocket;
  private readonly logoutTimeoutMs: number;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly log: (message: string, err?: unknown) => void;
  private session: SessionRecord | undefined;
  /** An admin page asked for `monitor.request` events; a new socket asks again after the resume. */
  private monitorOn = false;

  constructor(private readonly deps: ConnectionDeps) {
    const timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.logoutTimeoutMs = timing.logoutTimeoutMs;
    this.socket = new RelaySocket({
      store: deps.store,
      trust: deps.trust,
      openTransport: deps.openTransport,
      suite: deps.suite,
      timing,
      ...(deps.random && { random: deps.random }),
    });
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.log = deps.log ?? ((message, err) => console.warn(`[relay] ${message}`, err ?? ''));
  }

  private get store(): StateStore {
    return this.deps.store;
  }

  private get url(): string {
    return this.store.get().settings.relayUrl;
  }

  private at(): string {
    return this.now().toISOString();
  }

  /** Restores the remembered session (and its cached view), then connects. */
  async start(): Promise<void> {
    const saved = await this.deps.session.load().catch(() => undefined);
    if (saved && saved.relayUrl === relayKey(this.url)) {
      this.session = saved;
      if (!this.store.get().user) await this.restoreView(saved.user.username, saved.user);
    } else if (saved) {
      // A token for another relay is never sent to this one.
      await this.deps.session.clear();
    }
    this.socket.start(this);
  }

  stop(): void {
    this.socket.stop();
  }

  /** Drops the current socket (if any) and connects afresh, at once. */
  reconnect(): void {
    this.socket.connectNow();
  }

  get signedIn(): boolean {
    return this.session !== undefined;
  }

  // ---- requests from pages -------------------------------------------------------------

  /**
   * A relay op on behalf of a page; the relay's error comes back as it is. `as`: only as this
   * person on this relay (work that outlives a session, such as a payment run, must never be
   * sent on the next person's): checked when the request leaves, after any wait for the socket.
   */
  async call(op: OpName, args: unknown, as?: SessionOwner): Promise<UiResponse> {
    const rule = OP_RULES[op];
    if (rule.reserved) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: `${op} is not available to pages: use the login, logout or lock request` } };
    }
    const session = this.session;
    let r = await this.sendWhenServing(op, args, as);
    // An answer lost with its socket: an op that changes nothing is simply asked again.
    if (r && !r.ok && r.error.code === 'IN_DOUBT' && rule.lostAnswer === 'resend') r = await this.sendWhenServing(op, args, as);
    // Not sent: the session is someone else's (or nobody's), which says nothing about it.
    if (!r) return { ok: false, error: { code: 'UNAUTHENTICATED', message: t('error_not_signed_in_as', as!.username) } };
    // The relay forgot our session (idle or absolute timeout): we are signed out.
    if (!r.ok && r.error.code === 'UNAUTHENTICATED' && rule.unauthenticated === 'session-over' && session && session === this.session) {
      await this.endSession('expired', t('signed_out_session_ended'));
    }
    if (r.ok && rule.monitor) this.monitorOn = (args as { on?: unknown } | null)?.on === true;
    if (r.ok && rule.changesPassword) this.store.dispatch({ type: 'password-changed' });
    return r;
  }

  /** The answer; null when `as` is not the person signed in once the socket serves (nothing was sent). */
  private async sendWhenServing(op: OpName, args: unknown, as?: SessionOwner): Promise<UiResponse | null> {
    const serving = await this.socket.whenServing();
    if (!serving.ok) return serving;
    // Nothing awaits between this check and the send: the request goes out on the session it checked.
    if (as && (this.session?.username !== as.username || this.session.relayUrl !== relayKey(as.relayUrl))) return null;
    return this.socket.send(serving.link, op, args);
  }

  /** No page is left to show `monitor.request` events: stop the relay sending them. */
  stopMonitor(): void {
    if (!this.monitorOn) return;
    this.monitorOn = false;
    const link = this.socket.serving;
    if (link && this.session) void this.socket.send(link, 'admin.monitor', { on: false });
  }

  async login(username: string, password: string): Promise<UiResponse<AppState>> {
    const serving = await this.socket.whenServing();
    if (!serving.ok) return serving;
    if (this.session) await this.signOut('logout');
    const { link } = serving;
    const r = await this.socket.send(link, 'auth.login', { username, password });
    if (!r.ok) return r;
    const result = r.result;
    const record: SessionRecord = { token: result.token, relayUrl: relayKey(this.url), username: result.user.username, user: result.user };
    this.session = record;
    await this.deps.session.save(record);
    if (this.session !== record) return { ok: true, result: this.store.get() }; // locked meanwhile
    if (!this.store.get().user) await this.restoreView(result.user.username, result.user);
    this.store.dispatch({ type: 'signed-in', user: result.user, accounts: result.accounts, at: this.at(), mustChangePassword: result.mustChangePassword === true });
    if (!link.current || link.client.closed) this.socket.connectNow(); // resume on the new socket
    else await this.refreshHistory(link);
    return { ok: true, result: this.store.get() };
  }

  /**
   * Ends the session: best-effort auth.logout on the relay, the token dropped, the person
   * signed out. `reason` is shown on the sign-in screen (e.g. why they were locked).
   */
  async signOut(cause: Exclude<SignOutCause, 'revoked' | 'expired'>, reason?: string): Promise<void> {
    const session = this.session;
    const link = this.socket.serving;
    await this.endSession(cause, reason);
    if (session && link) await within(link.client.call('auth.logout', {}), this.logoutTimeoutMs);
  }

  /** Settings changed the relay URL: the session belongs to the old relay, so it ends there. */
  async relayChanged(): Promise<void> {
    await this.signOut('relay-changed', this.session ? t('signed_out_relay_moved') : undefined);
    this.socket.connectNow();
  }

  /** Pins the key the relay offered (status 'key-changed') and connects again. */
  async acceptOfferedKey(): Promise<boolean> {
    if (this.socket.offeredKey === undefined) return false;
    // The session was issued under the old key: it is not handed to the new one.
    await this.signOut('relay-changed', this.session ? t('signed_out_key_changed') : undefined);
    return this.socket.acceptOfferedKey();
  }

  /** Forgets the relay's pin; the next handshake pins anew (trust on first use). */
  async forgetKey(): Promise<void> {
    if (this.socket.offeredKey !== undefined) {
      await this.signOut('relay-changed', this.session ? t('signed_out_key_changed') : undefined);
    }
    await this.socket.forgetKey();
  }

  // ---- each socket ---------------------------------------------------------------------

  /** Picks the session up on a new socket. false: the socket is to be given up. */
  async opened(link: Link): Promise<boolean> {
    const session = this.session;
    if (!session) return true;
    const r = await this.socket.send(link, 'auth.resume', { token: session.token });
    if (!link.current) return false;
    if (this.session !== session) {
      // Signed out or locked while resuming: end what we just picked up.
      if (r.ok) void within(link.client.call('auth.logout', {}), this.logoutTimeoutMs);
      return true;
    }
    if (r.ok) {
      const result = r.result;
      const record: SessionRecord = { ...session, user: result.user };
      this.session = record;
      await this.deps.session.save(record).catch((err: unknown) => this.log('could not save the session', err));
      this.store.dispatch({ type: 'signed-in', user: result.user, accounts: result.accounts, at: this.at(), mustChangePassword: result.mustChangePassword === true });
      return true;
    }
    if (SESSION_OVER.has(r.error.code)) {
      await this.endSession('expired', capitalize(r.error.message));
      return true;
    }
    // IN_DOUBT: the socket closed and its close already scheduled a retry. Anything else
    // (RATE_LIMITED, INTERNAL): give this socket up and retry later.
    if (r.error.code !== 'IN_DOUBT') this.socket.lost(link, t('relay_status_resume_failed', r.error.message));
    return false;
  }

  live(link: Link): void {
    if (!this.session) return;
    // The relay's monitor flag belongs to the socket: a new one must ask again.
    if (this.monitorOn && this.store.get().user?.role === 'admin') void this.socket.send(link, 'admin.monitor', { on: true });
    void this.refreshHistory(link);
  }

  event(link: Link, e: ServerEvent): void {
    if (e.event === 'session.revoked' || e.event === 'session.expired') {
      const revoked = e.event === 'session.revoked';
      // The relay says why in its own words when it can; ours say what happened when it does not.
      const why = typeof e.data.reason === 'string' && e.data.reason ? e.data.reason : revoked ? t('signed_out_why_revoked') : t('signed_out_why_expired');
      void this.endSession(revoked ? 'revoked' : 'expired', t('signed_out_because', why));
    }
    const prev = this.store.get();
    const next = this.store.dispatch({ type: 'relay-event', event: e.event, data: e.data, ts: e.ts, at: this.at(), noticeId: this.newId() });
    try {
      this.deps.onRelayEvent?.(e, prev, next);
    } catch (err) {
      this.log('relay event listener failed', err);
    }
    if ((e.event === 'transfer.received' || e.event === 'transfer.posted') && next.recent.length > RECENT_MAX) {
      void this.refreshHistory(link);
    }
    // The relay closes a revoked session's socket right after telling it; a fresh one now
    // means a new sign-in never lands on the closing socket.
    if (e.event === 'session.revoked') this.socket.connectNow();
  }

  // ---- helpers -------------------------------------------------------------------------

  /** Drops the token and signs the person out locally (no relay call). */
  private async endSession(cause: SignOutCause, reason: string | undefined): Promise<void> {
    const session = this.session;
    const username = session?.username ?? this.store.get().user?.username;
    const wasSignedIn = session !== undefined || this.store.get().user !== null;
    this.session = undefined;
    this.monitorOn = false;
    if (!wasSignedIn) return;
    this.store.dispatch(reason === undefined ? { type: 'signed-out' } : { type: 'signed-out', reason });
    try {
      this.deps.onSignedOut?.(cause, reason, username);
    } catch (err) {
      this.log('sign-out listener failed', err);
    }
    await this.deps.session.clear().catch((err: unknown) => this.log('could not drop the session token', err));
  }

  private async restoreView(username: string, user: SessionRecord['user']): Promise<void> {
    const cached = await this.deps.cache?.load(this.url, username).catch((err: unknown) => {
      this.log('could not read the cache', err);
      return undefined;
    });
    this.store.dispatch({
      type: 'view.restored',
      view: cached ? { ...cached, user } : { user, accounts: [], recent: [], notifications: [] },
    });
  }

  /** Reloads the first page of the first account's history into `recent`. */
  private async refreshHistory(link: Link): Promise<void> {
    const account = this.store.get().accounts[0]?.account;
    if (!this.session || account === undefined || !link.current) return;
    const r = await this.socket.send(link, 'account.history', { account, limit: RECENT_PAGE_SIZE });
    if (!link.current || !r.ok || !this.session) return;
    const page = r.result;
    this.store.dispatch({
      type: 'history.loaded',
      entries: page.entries,
      ...(page.next !== undefined && { next: page.next }),
      mode: 'replace',
      at: this.at(),
    });
  }
}
