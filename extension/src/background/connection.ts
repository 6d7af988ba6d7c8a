import { BankClient, type FrameTransport, type RawResponse, type ServerEvent } from '../../../common/client/bank-client.js';
import type { CryptoSuite } from '../../../common/protocol/crypto.js';
import { HandshakeError } from '../../../common/protocol/handshake.js';
import type { Entry } from '../../../common/schemas/models.js';
import type { LoginResult, OpName } from '../../../common/schemas/ops.js';
import type { AppState, UiError, UiResponse } from '../shared/api.js';
import { backoffDelay, DEFAULT_BACKOFF, statusAfterFailures, type BackoffOptions } from './backoff.js';
import type { ViewCache } from './cache.js';
import type { SessionKeeper, SessionRecord } from './session-token.js';
import { relayKey } from './settings.js';
import { RECENT_MAX, RECENT_PAGE_SIZE } from './state.js';
import type { StateStore } from './store.js';
import { decideTrust, trustInfoFor, type TrustStore } from './trust.js';

/*
 * The one connection to the relay: connect → handshake (WebCrypto) → key pin check →
 * auth.resume with the token from storage.session → live, with a ping every 20 s; on any loss,
 * reconnect with backoff and full jitter. Every change the person should see goes through the
 * state store. Nothing is sent while the relay's key differs from the pinned one.
 */

export interface ConnectionTiming {
  pingMs: number;
  /** A ping unanswered this long means the socket is dead even if it looks open. */
  pingTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** How long a request waits for a connection that is (re)connecting before answering OFFLINE. */
  readyWaitMs: number;
  /** Best-effort auth.logout on sign-out / lock waits at most this long. */
  logoutTimeoutMs: number;
  backoff: BackoffOptions;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  pingMs: 20_000,
  pingTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  readyWaitMs: 4_000,
  logoutTimeoutMs: 2_000,
  backoff: DEFAULT_BACKOFF,
};

/** Why a session ended: 'revoked' and 'expired' come from the relay, the rest from this browser. */
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
/** Ops that would change the session behind the background's back: pages use login/logout/lock. */
const RESERVED_OPS = new Set<string>(['auth.login', 'auth.resume', 'auth.logout']);

const OFFLINE: UiError = { code: 'OFFLINE', message: 'not connected to the relay' };
const KEY_CHANGED: UiError = {
  code: 'KEY_CHANGED',
  message: "the relay's identity key has changed; nothing is sent until you check it in Settings and accept the new key",
};
const DISCONNECTED: UiError = {
  code: 'DISCONNECTED',
  message: 'the connection to the relay dropped before it answered; it may or may not have been done — try again',
};

type ClientOrError = { ok: true; client: BankClient } | { ok: false; error: UiError };

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the promise's value, or with `undefined` after `ms`; never rejects. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ms);
      })]);
  } finally {
    clearTimeout(timer);
  }
}

export class RelayConnection {
  private readonly timing: ConnectionTiming;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly log: (message: string, err?: unknown) => void;

  /** Bumped whenever the current socket is given up; callbacks of older ones are ignored. */
  private gen = 0;
  private client: BankClient | undefined;
  /** Handshake done, pin checked and the session (if any) resumed. */
  private ready = false;
  private failures = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A retry is scheduled (waiting out its backoff), no attempt is running. */
  private retryPending = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private session: SessionRecord | undefined;
  private waiters = new Set<() => void>();
  /** An admin page asked for `monitor.request` events; a new socket asks again after the resume. */
  private monitorOn = false;

  constructor(private readonly deps: ConnectionDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.random = deps.random ?? Math.random;
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
    this.stopped = false;
    const saved = await this.deps.session.load().catch(() => undefined);
    if (saved && saved.relayUrl === relayKey(this.url)) {
      this.session = saved;
      if (!this.store.get().user) await this.restoreView(saved.user.username, saved.user);
    } else if (saved) {
      // A token for another relay is never sent to this one.
      await this.deps.session.clear();
    }
    this.connectNow();
  }

  stop(): void {
    this.stopped = true;
    this.dropSocket();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.wake();
  }

  /** Drops the current socket (if any) and connects afresh, at once. */
  reconnect(): void {
    this.connectNow();
  }

  get signedIn(): boolean {
    return this.session !== undefined;
  }

  // ---- requests from pages -------------------------------------------------------------

  /** A relay op on behalf of a page; the relay's error comes back as it is. */
  async call(op: OpName, args: unknown): Promise<UiResponse> {
    if (RESERVED_OPS.has(op)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: `${op} is not available to pages: use the login, logout or lock request` } };
    }
    const ready = await this.readyClient();
    if (!ready.ok) return ready;
    const session = this.session;
    const r = await this.send(ready.client, op, args);
    // The relay forgot our session (idle or absolute timeout): we are signed out. A wrong old
    // password in auth.changePassword is UNAUTHENTICATED too, but the session is fine.
    if (!r.ok && r.error.code === 'UNAUTHENTICATED' && session && session === this.session && op !== 'auth.changePassword' && op !== 'auth.register') {
      await this.endSession('expired', 'Your session has ended; please sign in again.');
    }
    if (r.ok && op === 'admin.monitor') this.monitorOn = (args as { on?: unknown } | null)?.on === true;
    return r;
  }

  /** No page is left to show `monitor.request` events: stop the relay sending them. */
  stopMonitor(): void {
    if (!this.monitorOn) return;
    this.monitorOn = false;
    const client = this.ready ? this.client : undefined;
    if (client && this.session) void this.send(client, 'admin.monitor', { on: false });
  }

  async login(username: string, password: string): Promise<UiResponse<AppState>> {
    const ready = await this.readyClient();
    if (!ready.ok) return ready;
    if (this.session) await this.signOut('logout');
    const client = ready.client;
    const r = await this.send(client, 'auth.login', { username, password });
    if (!r.ok) return r;
    const result = r.result as LoginResult;
    const record: SessionRecord = { token: result.token, relayUrl: relayKey(this.url), username: result.user.username, user: result.user };
    this.session = record;
    await this.deps.session.save(record);
    if (this.session !== record) return { ok: true, result: this.store.get() }; // locked meanwhile
    if (!this.store.get().user) await this.restoreView(result.user.username, result.user);
    this.store.dispatch({ type: 'signed-in', user: result.user, accounts: result.accounts, at: this.at() });
    if (client !== this.client || client.closed) this.connectNow(); // resume on the new socket
    else await this.refreshHistory(this.gen);
    return { ok: true, result: this.store.get() };
  }

  /**
   * Ends the session: best-effort auth.logout on the relay, the token dropped, the person
   * signed out. `reason` is shown on the sign-in screen (e.g. why they were locked).
   */
  async signOut(cause: Exclude<SignOutCause, 'revoked' | 'expired'>, reason?: string): Promise<void> {
    const session = this.session;
    const client = this.ready && this.client && !this.client.closed ? this.client : undefined;
    await this.endSession(cause, reason);
    if (session && client) await within(client.call('auth.logout', {}), this.timing.logoutTimeoutMs);
  }

  /** Settings changed the relay URL: the session belongs to the old relay, so it ends there. */
  async relayChanged(): Promise<void> {
    await this.signOut('relay-changed', this.session ? 'The relay address changed: please sign in to the new relay.' : undefined);
    this.connectNow();
  }

  /** Pins the key the relay offered (status 'key-changed') and connects again. */
  async acceptOfferedKey(): Promise<boolean> {
    const offered = this.store.get().trust.offered;
    if (!offered || this.store.get().status !== 'key-changed') return false;
    const url = this.url;
    // The session was issued under the old key: it is not handed to the new one.
    await this.signOut('relay-changed', this.session ? "The relay's key changed: please sign in again." : undefined);
    await this.deps.trust.pin(url, offered);
    this.store.dispatch({ type: 'trust', trust: { pinned: offered, current: offered } });
    this.connectNow();
    return true;
  }

  /** Forgets the relay's pin; the next handshake pins anew (trust on first use). */
  async forgetKey(): Promise<void> {
    const url = this.url;
    if (this.store.get().status === 'key-changed') {
      await this.signOut('relay-changed', this.session ? "The relay's key changed: please sign in again." : undefined);
    }
    await this.deps.trust.forget(url);
    const { current } = this.store.get().trust;
    this.store.dispatch({ type: 'trust', trust: current === undefined ? {} : { current } });
    this.connectNow();
  }

  // ---- the socket ----------------------------------------------------------------------

  private connectNow(): void {
    if (this.stopped) return;
    this.dropSocket();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.failures = 0;
    this.store.dispatch({ type: 'status', status: 'connecting' });
    void this.attempt(this.gen);
  }

  /** Forgets the current socket: its callbacks no longer count. */
  private dropSocket(): void {
    this.gen++;
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const old = this.client;
    this.client = undefined;
    this.ready = false;
    old?.close();
  }

  private async attempt(gen: number): Promise<void> {
    const url = this.url;
    let client: BankClient;
    let pinned: string | undefined;
    try {
      pinned = await this.deps.trust.pinned(url);
      if (gen !== this.gen) return;
      const raw = await this.deps.openTransport(url);
      if (gen !== this.gen) {
        raw.close();
        return;
      }
      client = await BankClient.connect(raw, this.deps.suite, {
        timeoutMs: this.timing.handshakeTimeoutMs,
        ...(pinned !== undefined && { pinnedFingerprint: pinned }),
      });
    } catch (err) {
      if (gen !== this.gen) return;
      if (err instanceof HandshakeError && err.code === 'FINGERPRINT_MISMATCH') {
        this.keyChanged(url, err.expectedFingerprint ?? pinned ?? '', err.actualFingerprint ?? '');
      } else {
        this.retryLater(gen, this.describeFailure(url, err));
      }
      return;
    }
    if (gen !== this.gen) {
      client.close();
      return;
    }
    this.client = client;
    client.onEvent((e) => this.onEvent(gen, e));
    client.onClose((reason) => this.lost(gen, `connection lost: ${reason}`));
    if (client.closed) {
      this.lost(gen, `connection lost: ${client.closeReason}`);
      return;
    }

    const decision = decideTrust(pinned, client.handshake.fingerprint);
    if (decision.kind === 'changed') {
      // BankClient already refuses a mismatch; this is a second lock on the same door.
      this.dropSocket();
      this.keyChanged(url, decision.pinned, decision.offered);
      return;
    }
    let trust;
    try {
      trust = await this.deps.trust.record(url, decision);
    } catch (err) {
      this.lost(gen, `could not store the relay's key: ${errorText(err)}`);
      return;
    }
    if (gen !== this.gen) return;
    this.store.dispatch({ type: 'trust', trust });
    this.startPing(gen, client);

    if (!(await this.resume(gen, client))) return;
    if (gen !== this.gen) return;
    this.failures = 0;
    this.ready = true;
    this.store.dispatch({ type: 'status', status: 'live' });
    this.wake();
    // The relay's monitor flag belongs to the connection: a new one must ask again.
    if (this.session && this.monitorOn && this.store.get().user?.role === 'admin') void this.send(client, 'admin.monitor', { on: true });
    if (this.session) await this.refreshHistory(gen);
  }

  /** Picks the session up on this socket. false: this socket is being given up. */
  private async resume(gen: number, client: BankClient): Promise<boolean> {
    const session = this.session;
    if (!session) return true;
    const r = await this.send(client, 'auth.resume', { token: session.token });
    if (gen !== this.gen) return false;
    if (this.session !== session) {
      // Signed out or locked while resuming: end what we just picked up.
      if (r.ok) void within(client.call('auth.logout', {}), this.timing.logoutTimeoutMs);
      return true;
    }
    if (r.ok) {
      const result = r.result as LoginResult;
      const record: SessionRecord = { ...session, user: result.user };
      this.session = record;
      await this.deps.session.save(record).catch((err: unknown) => this.log('could not save the session', err));
      this.store.dispatch({ type: 'signed-in', user: result.user, accounts: result.accounts, at: this.at() });
      return true;
    }
    if (SESSION_OVER.has(r.error.code)) {
      await this.endSession('expired', capitalize(r.error.message));
      return true;
    }
    // DISCONNECTED: the close handler already scheduled a retry. Anything else (RATE_LIMITED, INTERNAL): retry later.
    if (r.error.code !== 'DISCONNECTED') this.lost(gen, `could not resume the session: ${r.error.message}`);
    return false;
  }

  private keyChanged(url: string, pinned: string, offered: string): void {
    this.dropSocket();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.store.dispatch({ type: 'trust', trust: trustInfoFor({ kind: 'changed', pinned, offered }) });
    this.store.dispatch({
      type: 'status',
      status: 'key-changed',
      detail: `The relay at ${url} presented a different identity key than the one pinned on first use. This can mean someone is impersonating your bank. Nothing is sent until you compare the new fingerprint with your bank's and accept it.`,
    });
    // Requests waiting for a connection get KEY_CHANGED now rather than after their timeout.
    this.wake();
  }

  private lost(gen: number, detail: string): void {
    if (gen !== this.gen) return;
    this.dropSocket();
    this.retryLater(this.gen, detail);
  }

  private retryLater(gen: number, detail: string): void {
    if (this.stopped || gen !== this.gen) return;
    clearTimeout(this.retryTimer);
    this.failures++;
    const { backoff } = this.timing;
    this.store.dispatch({ type: 'status', status: statusAfterFailures(this.failures, backoff), detail });
    // Requests waiting for this attempt answer OFFLINE now rather than at their deadline.
    this.wake();
    const delay = backoffDelay(this.failures, this.random, backoff);
    this.retryPending = true;
    this.retryTimer = setTimeout(() => {
      this.retryPending = false;
      if (gen === this.gen && !this.stopped) void this.attempt(gen);
    }, delay);
  }

  /** The person wants the relay now: skip what is left of the backoff wait. */
  private retrySoon(): void {
    if (!this.retryPending || this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    void this.attempt(this.gen);
  }

  private describeFailure(url: string, err: unknown): string {
    if (err instanceof HandshakeError) {
      if (err.code === 'BAD_SIGNATURE') return `The relay at ${url} could not prove its identity (bad signature).`;
      if (err.code === 'SERVER_ERROR') return `The relay at ${url} refused the connection${err.serverCode ? ` (${err.serverCode})` : ''}.`;
      return `The relay at ${url} answered in a way this extension does not understand (${err.code}).`;
    }
    return `Cannot reach the relay at ${url}: ${errorText(err)}`;
  }

  private startPing(gen: number, client: BankClient): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (gen !== this.gen) return;
      void within(client.call('ping', {}), this.timing.pingTimeoutMs).then((answer) => {
        if (answer === undefined && gen === this.gen) this.lost(gen, 'the relay stopped answering');
      });
    }, this.timing.pingMs);
  }

  private onEvent(gen: number, e: ServerEvent): void {
    if (gen !== this.gen) return;
    if (e.event === 'session.revoked' || e.event === 'session.expired') {
      const revoked = e.event === 'session.revoked';
      const why = typeof e.data.reason === 'string' && e.data.reason ? e.data.reason : revoked ? 'the session was revoked' : 'the session expired';
      void this.endSession(revoked ? 'revoked' : 'expired', `Signed out: ${why}.`);
    }
    const prev = this.store.get();
    const next = this.store.dispatch({ type: 'relay-event', event: e.event, data: e.data, ts: e.ts, at: this.at(), noticeId: this.newId() });
    try {
      this.deps.onRelayEvent?.(e, prev, next);
    } catch (err) {
      this.log('relay event listener failed', err);
    }
    if ((e.event === 'transfer.received' || e.event === 'transfer.posted') && next.recent.length > RECENT_MAX) {
      void this.refreshHistory(gen);
    }
    // The relay closes a revoked session's connection right after telling it; a fresh one now
    // means a new sign-in never lands on the closing socket.
    if (e.event === 'session.revoked') this.connectNow();
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
  private async refreshHistory(gen: number): Promise<void> {
    const client = this.client;
    const account = this.store.get().accounts[0]?.account;
    if (!client || !this.session || account === undefined || gen !== this.gen) return;
    const r = await this.send(client, 'account.history', { account, limit: RECENT_PAGE_SIZE });
    if (gen !== this.gen || !r.ok || !this.session) return;
    const page = r.result as { entries: Entry[]; next?: string };
    this.store.dispatch({
      type: 'history.loaded',
      entries: page.entries,
      ...(page.next !== undefined && { next: page.next }),
      mode: 'replace',
      at: this.at(),
    });
  }

  private async readyClient(): Promise<ClientOrError> {
    const check = (): ClientOrError | undefined => {
      if (this.store.get().status === 'key-changed') return { ok: false, error: KEY_CHANGED };
      if (this.ready && this.client && !this.client.closed) return { ok: true, client: this.client };
      return undefined;
    };
    const now = check();
    if (now) return now;
    if (!this.stopped) {
      this.retrySoon();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, this.timing.readyWaitMs);
        this.waiters.add(done);
      });
    }
    return check() ?? { ok: false, error: OFFLINE };
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private async send(client: BankClient, op: string, args: unknown): Promise<UiResponse> {
    if (client.closed) return { ok: false, error: OFFLINE };
    let r: RawResponse;
    try {
      r = await client.call(op, args);
    } catch {
      return { ok: false, error: DISCONNECTED };
    }
    if (r.ok) return { ok: true, result: r.result };
    if (r.error.code === 'DISCONNECTED') return { ok: false, error: DISCONNECTED };
    return { ok: false, error: { code: r.error.code, message: r.error.message } };
  }
}
