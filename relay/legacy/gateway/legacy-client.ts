import type net from 'node:net';
import type { RelayContext } from '../../context.js';
import type { MessageHandler } from '../../session/client-connection.js';
import type { Wire } from '../../transport/wire.js';
import { legacyCommands } from './commands/index.js';
import type { LegacyCommandContext } from './commands/context.js';
import { LegacyDecoder, LegacyFramingError, type DecodedItem } from './decoder.js';
import type { LegacyDirectory } from './directory.js';
import { GRANT_TTL_MS, type LoginGrants } from './grants.js';
import { LegacyConnection } from './legacy-connection.js';
import { readProxyHeader } from './proxy-header.js';
import { isSendRequest, readLegacyRequest } from './request.js';
import { T } from './texts.js';

/** A partial request left this long without its end closes the connection (LEGACY-PROTOCOL §4). */
export const PARTIAL_IDLE_MS = 10_000;
/** Requests with a wrong `Size` (which the Qt client never sends) after which the connection is closed. */
const SIZE_MISMATCHES_BEFORE_CLOSE = 3;
/** Requests decoded and waiting for their turn; past this the socket is paused until they are answered. */
const QUEUE_HIGH_WATER = 32;
/** Gives a closing socket this long to flush before it is destroyed. */
const LINGER_MS = 2000;

export interface LegacyClientDeps {
  relay: RelayContext;
  dispatch: MessageHandler;
  directory: LegacyDirectory;
  grants: LoginGrants;
  /** 'address': a Login leaves a grant for the next connection from the same address; 'connection': no grants. */
  binding: 'address' | 'connection';
  /** Whether each connection starts with a PROXY protocol v1 line naming the tunnel's client. */
  proxyProtocol: boolean;
  /** Metrics: one legacy command answered (or dropped), by name and outcome. */
  onCommand?: (command: string, outcome: string, seconds: number) => void;
}

export type LegacyOutcome = 'answered' | 'garbage' | 'bad_args' | 'unknown_command' | 'size_mismatch';

/**
 * One old Qt client's socket: the greeting, the streaming decoder, one request at a time in
 * arrival order, one write per reply, and the bounds (request size, idle partial requests, a
 * queue that pauses the socket, the relay's per-connection request rate through its ops).
 */
export class LegacyClient {
  private readonly decoder = new LegacyDecoder();
  private readonly queue: DecodedItem[] = [];
  private working = false;
  private conn: LegacyConnection | undefined;
  /** When the connection opened (grants made later are not its to claim), and whether it has tried. */
  private openedAt = 0;
  private claimTried = false;
  private shownName: string | undefined;
  private sizeMismatches = 0;
  private partialTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Bytes before the PROXY line was read (proxyProtocol only). */
  private preamble: Buffer | undefined;
  private ended = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly deps: LegacyClientDeps,
    clientNumber: number,
  ) {
    socket.setNoDelay(true);
    socket.write(T.greeting(clientNumber));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onSocketClosed());
    this.touchIdle();
    if (deps.proxyProtocol) this.preamble = Buffer.alloc(0);
    else this.open(socket.remoteAddress ?? '');
  }

  /** The ClientConnection the ops see, once the peer's address is known. */
  private open(address: string): void {
    const socket = this.socket;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const wire: Wire = {
      transport: 'legacy',
      remote: address === socket.remoteAddress ? remote : `${address} via ${remote}`,
      address,
      send() {},
      headroom: 0,
      sendPacked() {},
      close() {
        socket.end();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
      bufferedBytes: () => socket.writableLength,
    };
    const { relay } = this.deps;
    const conn = new LegacyConnection(wire, relay, this.deps.dispatch, (c) => this.onConnectionClosed(c as LegacyConnection));
    relay.live.add(conn);
    this.conn = conn;
    this.openedAt = relay.clock();
  }

  /**
   * A connection that is not signed in takes the one Login grant waiting for its address, by
   * resuming its session, when it sends its first command other than Login: the Qt dashboard's
   * first click. Tried once per connection.
   */
  private async claimGrant(conn: LegacyConnection): Promise<void> {
    const { relay, grants } = this.deps;
    this.claimTried = true;
    const claim = grants.claim(conn.address, this.openedAt);
    if (claim.kind === 'none') return;
    if (claim.kind === 'ambiguous') {
      relay.log.warn('legacy sign-in grants dropped: two or more waited for one address', { conn: conn.id, address: conn.address, users: claim.grants.map((g) => g.username) });
      await relay.commits
        .commit([], [{ actor: 'system', role: 'system', action: 'legacy.grant', target: conn.address, outcome: 'ambiguous', details: { legacy: true, remote: conn.remote, users: claim.grants.map((g) => g.username) } }])
        .catch(() => undefined);
      return;
    }
    const { grant } = claim;
    const answer = await conn.call('auth.resume', { token: grant.token });
    if (!answer.ok) return;
    this.shownName = grant.shownName;
    await relay.commits
      .commit([], [{ actor: grant.username, role: grant.role, action: 'legacy.grant', target: grant.username, outcome: 'claimed', details: { legacy: true, remote: conn.remote } }])
      .catch(() => undefined);
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    this.touchIdle();
    if (this.preamble !== undefined) {
      const buf = Buffer.concat([this.preamble, chunk]);
      const header = readProxyHeader(buf);
      if (header.kind === 'more') {
        this.preamble = buf;
        return;
      }
      this.preamble = undefined;
      if (header.kind === 'bad') {
        this.deps.relay.log.warn('legacy connection closed: no PROXY protocol line', { remote: `${this.socket.remoteAddress}:${this.socket.remotePort}` });
        this.end();
        return;
      }
      this.open(header.address ?? this.socket.remoteAddress ?? '');
      chunk = buf.subarray(header.consumed);
      if (chunk.length === 0) return;
    }
    let items: DecodedItem[];
    try {
      items = this.decoder.push(chunk, isSendRequest);
    } catch (err) {
      if (!(err instanceof LegacyFramingError)) throw err;
      this.deps.relay.log.warn('legacy connection closed: request too large', { conn: this.conn?.id, remote: this.conn?.remote });
      this.end();
      return;
    }
    clearTimeout(this.partialTimer);
    if (this.decoder.partial) {
      this.partialTimer = setTimeout(() => this.end(), PARTIAL_IDLE_MS);
      this.partialTimer.unref();
    }
    if (items.length === 0) return;
    this.queue.push(...items);
    if (this.queue.length > QUEUE_HIGH_WATER) this.socket.pause();
    void this.work();
  }

  /** Answers queued requests one at a time, in order, after any grant claim has settled. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.length > 0 && !this.ended) {
        const item = this.queue.shift()!;
        if (this.queue.length <= QUEUE_HIGH_WATER / 2 && this.socket.isPaused()) this.socket.resume();
        await this.handle(item);
      }
    } finally {
      this.working = false;
    }
  }

  private async handle(item: DecodedItem): Promise<void> {
    const started = performance.now();
    let command = '(garbage)';
    let outcome: LegacyOutcome;
    let reply: string | undefined;
    if (item.kind === 'garbage') {
      outcome = 'garbage';
      reply = T.badArgCount;
    } else {
      const request = readLegacyRequest(item.plaintext);
      const entry = legacyCommands.get(request.command);
      command = entry ? request.command : '(unknown)';
      if (!request.sizeOk) {
        // The Qt client never gets Size wrong; as the old server, no reply.
        outcome = 'size_mismatch';
        if (++this.sizeMismatches >= SIZE_MISMATCHES_BEFORE_CLOSE) this.end();
      } else if (request.args.length < 1 || request.args.length > 3) {
        outcome = 'bad_args';
        reply = T.badArgCount;
      } else if (!entry) {
        outcome = 'unknown_command';
        reply = T.unknownCommand;
      } else if (request.args.length < entry.args) {
        // The old server crashed here (an out-of-range list access).
        outcome = 'bad_args';
        reply = T.badArgCount;
      } else {
        outcome = 'answered';
        if (this.deps.binding === 'address' && !this.claimTried && request.command !== 'Login' && !this.conn!.auth) await this.claimGrant(this.conn!);
        try {
          reply = await entry.run(this.commandContext(), request.args);
        } catch (err) {
          // A fault in a translation must not take the connection (or the relay) down.
          this.deps.relay.log.error('legacy command failed', { conn: this.conn?.id, command, err });
          reply = T.secure.unavailable;
        }
      }
    }
    if (reply !== undefined && !this.ended) this.socket.write(Buffer.from(reply, 'utf8'));
    const seconds = (performance.now() - started) / 1000;
    this.deps.onCommand?.(command, outcome, seconds);
    const { relay } = this.deps;
    if (relay.config.logRequests) {
      relay.log.info('legacy request', { conn: this.conn?.id, transport: 'legacy', command, actor: this.conn?.auth?.username ?? null, outcome, ms: Math.round(seconds * 1e5) / 100 });
    }
  }

  private commandContext(): LegacyCommandContext {
    const { relay, directory, grants, binding } = this.deps;
    const conn = this.conn!;
    return {
      conn,
      relay,
      directory,
      shownName: this.shownName,
      signedIn: (answer, shownName) => {
        this.shownName = shownName;
        if (binding !== 'address' || !conn.auth) return;
        grants.add({
          address: conn.address,
          username: answer.username,
          shownName,
          role: answer.role,
          token: answer.token,
          session: conn.auth.session,
          createdAt: relay.clock(),
          expiresAt: relay.clock() + GRANT_TTL_MS,
        });
      },
    };
  }

  /** No bytes for the session idle time: the old client had no heartbeat, so an idle socket is closed. */
  private touchIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.end(), this.deps.relay.config.sessionIdleMs);
    this.idleTimer.unref();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    if (this.conn) this.conn.close(1000, 'legacy connection closed');
    else {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
    }
  }

  private onSocketClosed(): void {
    this.ended = true;
    clearTimeout(this.partialTimer);
    clearTimeout(this.idleTimer);
    this.conn?.closed();
  }

  /**
   * The connection is gone: it leaves the live set, and the session it holds ends (the old client
   * cannot resume it) unless a grant still waits to hand it to the client's next window, or
   * another connection has taken it over.
   */
  private onConnectionClosed(conn: LegacyConnection): void {
    const { relay, grants } = this.deps;
    const auth = conn.auth;
    relay.live.remove(conn);
    if (!auth || grants.holds(auth.session.key) || relay.sessions.hasEnded(auth.session.key)) return;
    relay.sessions.end(auth.session, 'legacy_disconnect', auth.username, auth.role).catch(() => undefined);
  }

  /** Called by the listener when the relay stops. */
  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }
}
