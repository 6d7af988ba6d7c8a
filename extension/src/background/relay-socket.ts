import { BankClient, type FrameTransport, type RawResponse, type ServerEvent } from '../../../common/client/bank-client.js';
import type { CryptoSuite } from '../../../common/protocol/crypto.js';
import { HandshakeError } from '../../../common/protocol/handshake.js';
import { errorCodeSchema } from '../../../common/errors.js';
import type { OpName, OpResult } from '../../../common/schemas/ops.js';
import type { UiError, UiResponse } from '../shared/api.js';
import { ltr, t } from '../shared/i18n.js';
import { backoffDelay, DEFAULT_BACKOFF, statusAfterFailures, type BackoffOptions } from './backoff.js';
import type { StateStore } from './store.js';
import { decideTrust, trustInfoFor, type TrustStore } from './trust.js';

/*
 * The socket to the relay, and nothing about sessions: connect → handshake (WebCrypto) → key
 * pin check → hand the new link to its owner (who resumes a session on it) → live, with a ping
 * every 20 s; on any loss, connect again with backoff and full jitter. Nothing is sent while
 * the relay's key differs from the pinned one.
 */

export interface SocketTiming {
  pingMs: number;
  /** A ping unanswered this long means the socket is dead even if it looks open. */
  pingTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** How long a request waits for a socket that is (re)connecting before answering OFFLINE. */
  readyWaitMs: number;
  backoff: BackoffOptions;
}

export const DEFAULT_SOCKET_TIMING: SocketTiming = {
  pingMs: 20_000,
  pingTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  readyWaitMs: 4_000,
  backoff: DEFAULT_BACKOFF,
};

/* The background's own refusals, worded (in the browser's language) when they happen. */
const offline = (): UiError => ({ code: 'OFFLINE', message: t('relay_error_offline') });
const keyChanged = (): UiError => ({ code: 'KEY_CHANGED', message: t('relay_error_key_changed') });
/** The socket dropped after the request went out: the relay may or may not have carried it out. */
const inDoubt = (): UiError => ({ code: 'IN_DOUBT', message: t('relay_error_in_doubt') });

/** One socket's life: its client, and whether it is still the one in use. */
export class Link {
  constructor(
    readonly client: BankClient,
    private readonly isCurrent: (link: Link) => boolean,
  ) {}

  /** Still the socket in use: what it finds may be acted on. */
  get current(): boolean {
    return this.isCurrent(this);
  }
}

/** What the socket's owner does with each new link. */
export interface LinkOwner {
  /** The link passed the pin check: pick up what it needs (a session). false: give it up. */
  opened(link: Link): Promise<boolean>;
  /** The link serves: requests waiting for it have been let go. */
  live(link: Link): void;
  event(link: Link, e: ServerEvent): void;
}

export interface SocketDeps {
  store: StateStore;
  trust: TrustStore;
  openTransport(url: string): Promise<FrameTransport>;
  suite: CryptoSuite;
  timing?: Partial<SocketTiming>;
  random?: () => number;
}

export type LinkOrError = { ok: true; link: Link } | { ok: false; error: UiError };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the promise's value, or with `undefined` after `ms`; never rejects. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p.catch(() => undefined),
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class RelaySocket {
  private readonly timing: SocketTiming;
  private readonly random: () => number;
  private owner: LinkOwner | undefined;
  /** The link in use, once it passed the pin check. */
  private link: Link | undefined;
  /** The link in use has been picked up by the owner and serves. */
  private ready = false;
  private failures = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A retry is scheduled (waiting out its backoff), no attempt is running. */
  private retryPending = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Bumped whenever the socket in use is given up; attempts of older ones stop where they are. */
  private attemptNo = 0;
  private waiters = new Set<() => void>();

  constructor(private readonly deps: SocketDeps) {
    this.timing = { ...DEFAULT_SOCKET_TIMING, ...deps.timing };
    this.random = deps.random ?? Math.random;
  }

  private get store(): StateStore {
    return this.deps.store;
  }

  private get url(): string {
    return this.store.get().settings.relayUrl;
  }

  /** Starts connecting; `owner` picks up each new link. */
  start(owner: LinkOwner): void {
    this.owner = owner;
    this.stopped = false;
    this.connectNow();
  }

  stop(): void {
    this.stopped = true;
    this.drop();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.wake();
  }

  /** Drops the socket in use (if any) and connects afresh, at once. */
  connectNow(): void {
    if (this.stopped) return;
    this.drop();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.failures = 0;
    this.store.dispatch({ type: 'status', status: 'connecting' });
    void this.attempt(this.attemptNo);
  }

  /** Gives up a link (its owner could not use it) and connects again with backoff. */
  lost(link: Link, detail: string): void {
    if (!link.current) return;
    this.drop();
    this.retryLater(this.attemptNo, detail);
  }

  /** The link that serves, if there is one right now (for best-effort requests). */
  get serving(): Link | undefined {
    return this.ready && this.link && !this.link.client.closed ? this.link : undefined;
  }

  /** The serving link, waiting a little for one being (re)connected; OFFLINE or KEY_CHANGED otherwise. */
  async whenServing(): Promise<LinkOrError> {
    const check = (): LinkOrError | undefined => {
      if (this.store.get().status === 'key-changed') return { ok: false, error: keyChanged() };
      const link = this.serving;
      return link ? { ok: true, link } : undefined;
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
    return check() ?? { ok: false, error: offline() };
  }

  /**
   * One request on a link: the relay's answer (typed by the op's result: the relay answers to
   * the op table), OFFLINE if the link is closed, IN_DOUBT if it closed before the answer.
   */
  async send<N extends OpName>(link: Link, op: N, args: unknown): Promise<UiResponse<OpResult<N>>> {
    if (link.client.closed) return { ok: false, error: offline() };
    let r: RawResponse;
    try {
      r = await link.client.call(op, args);
    } catch {
      return { ok: false, error: inDoubt() };
    }
    if (r.ok) return { ok: true, result: r.result as OpResult<N> };
    if (r.error.code === 'DISCONNECTED') return { ok: false, error: inDoubt() };
    const code = errorCodeSchema.safeParse(r.error.code);
    return { ok: false, error: { code: code.success ? code.data : 'INTERNAL', message: r.error.message } };
  }

  // ---- the relay's key ------------------------------------------------------------------

  /** The key the relay offered instead of the pinned one, while it waits to be accepted. */
  get offeredKey(): string | undefined {
    const { status, trust } = this.store.get();
    return status === 'key-changed' ? trust.offered : undefined;
  }

  /** Pins the key the relay offered and connects again. */
  async acceptOfferedKey(): Promise<boolean> {
    const offered = this.offeredKey;
    if (offered === undefined) return false;
    await this.deps.trust.pin(this.url, offered);
    this.store.dispatch({ type: 'trust', trust: { pinned: offered, current: offered } });
    this.connectNow();
    return true;
  }

  /** Forgets the relay's pin; the next handshake pins anew (trust on first use). */
  async forgetKey(): Promise<void> {
    await this.deps.trust.forget(this.url);
    const { current } = this.store.get().trust;
    this.store.dispatch({ type: 'trust', trust: current === undefined ? {} : { current } });
    this.connectNow();
  }

  // ---- connecting ------------------------------------------------------------------------

  /** Forgets the socket in use: what its attempt and callbacks find no longer counts. */
  private drop(): void {
    this.attemptNo++;
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const old = this.link;
    this.link = undefined;
    this.ready = false;
    old?.client.close();
  }

  private async attempt(no: number): Promise<void> {
    const url = this.url;
    const stale = () => no !== this.attemptNo || this.stopped;
    let client: BankClient;
    let pinned: string | undefined;
    try {
      pinned = await this.deps.trust.pinned(url);
      if (stale()) return;
      const raw = await this.deps.openTransport(url);
      if (stale()) {
        raw.close();
        return;
      }
      client = await BankClient.connect(raw, this.deps.suite, {
        timeoutMs: this.timing.handshakeTimeoutMs,
        ...(pinned !== undefined && { pinnedFingerprint: pinned }),
      });
    } catch (err) {
      if (stale()) return;
      if (err instanceof HandshakeError && err.code === 'FINGERPRINT_MISMATCH') {
        this.keyChanged(url, err.expectedFingerprint ?? pinned ?? '', err.actualFingerprint ?? '');
      } else {
        this.retryLater(no, this.describeFailure(url, err));
      }
      return;
    }
    if (stale()) {
      client.close();
      return;
    }
    const link = new Link(client, (l) => l === this.link && !this.stopped);
    this.link = link;
    client.onEvent((e) => {
      if (link.current) this.owner?.event(link, e);
    });
    client.onClose((reason) => this.lost(link, t('relay_status_lost', reason)));
    if (client.closed) {
      this.lost(link, t('relay_status_lost', client.closeReason));
      return;
    }

    const decision = decideTrust(pinned, client.handshake.fingerprint);
    if (decision.kind === 'changed') {
      // BankClient already refuses a mismatch; this is a second lock on the same door.
      this.keyChanged(url, decision.pinned, decision.offered);
      return;
    }
    let trust;
    try {
      trust = await this.deps.trust.record(url, decision);
    } catch (err) {
      this.lost(link, t('relay_status_pin_failed', errorText(err)));
      return;
    }
    if (!link.current) return;
    this.store.dispatch({ type: 'trust', trust });
    this.startPing(link);

    if (!(await this.owner?.opened(link)) || !link.current) return;
    this.failures = 0;
    this.ready = true;
    this.store.dispatch({ type: 'status', status: 'live' });
    this.wake();
    this.owner?.live(link);
  }

  private keyChanged(url: string, pinned: string, offered: string): void {
    this.drop();
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    this.store.dispatch({ type: 'trust', trust: trustInfoFor({ kind: 'changed', pinned, offered }) });
    this.store.dispatch({
      type: 'status',
      status: 'key-changed',
      detail: t('relay_status_key_changed', ltr(url)),
    });
    // Requests waiting for a socket get KEY_CHANGED now rather than after their timeout.
    this.wake();
  }

  private retryLater(no: number, detail: string): void {
    if (this.stopped || no !== this.attemptNo) return;
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
      if (no === this.attemptNo && !this.stopped) void this.attempt(no);
    }, delay);
  }

  /** The person wants the relay now: skip what is left of the backoff wait. */
  private retrySoon(): void {
    if (!this.retryPending || this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryPending = false;
    void this.attempt(this.attemptNo);
  }

  private describeFailure(url: string, err: unknown): string {
    if (err instanceof HandshakeError) {
      if (err.code === 'BAD_SIGNATURE') return t('relay_status_bad_signature', ltr(url));
      if (err.code === 'SERVER_ERROR') {
        return err.serverCode ? t('relay_status_refused_code', ltr(url), err.serverCode) : t('relay_status_refused', ltr(url));
      }
      return t('relay_status_not_understood', ltr(url), err.code);
    }
    return t('relay_status_unreachable', ltr(url), errorText(err));
  }

  private startPing(link: Link): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!link.current) return;
      void within(link.client.call('ping', {}), this.timing.pingTimeoutMs).then((answer) => {
        if (answer === undefined) this.lost(link, 'the relay stopped answering');
      });
    }, this.timing.pingMs);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
