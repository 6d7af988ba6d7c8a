import { acceptHello, HandshakeError, handshakeErrorBytes } from '../../common/protocol/handshake.js';
import { createNodeCipher, nodeCryptoSuite, type NodeFrameCipher } from '../../common/protocol/crypto-node.js';
import { ChannelError } from '../../common/protocol/crypto.js';
import { utf8Encode } from '../../common/encoding.js';
import type { Role } from '../../common/schemas/primitives.js';
import type { RelayConfig } from '../config.js';
import type { RelayIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import type { SessionHandle } from '../auth/sessions.js';
import { CloseCode, type TransportName, type Wire } from '../transport/wire.js';
import { TokenBucket } from './token-bucket.js';
import { nestsWithin } from './json-depth.js';

/**
 * Before a session is bound, a message is a sign-in, a sign-up or a resume: a few hundred bytes.
 * Anything larger is refused before it is parsed, so an unauthenticated client cannot make the
 * relay parse a MiB per frame.
 */
export const PRE_SIGN_IN_MAX_BYTES = 4096;
/** How deep a message may nest arrays and objects; the deepest request (a batch) needs 4. */
export const MAX_NESTING = 16;

export interface ConnectionAuth {
  username: string;
  role: Role;
  session: SessionHandle;
}

export type MessageHandler = (conn: ClientConnection, message: unknown) => void;

/** What a connection needs of the relay: its settings, its key, its log and its clock. */
export interface ConnectionDeps {
  config: RelayConfig;
  identity: RelayIdentity;
  log: Logger;
  clock: () => number;
}

let nextId = 1;
/** One decoder for every frame (BOM handling as before: a leading BOM is dropped, then JSON.parse). */
const frameText = new TextDecoder('utf-8', { fatal: true });

/**
 * One client, whatever its transport: runs the server side of the handshake, then opens and
 * seals every frame (PROTOCOL §2–3). Anything that breaks the channel's rules closes it.
 */
export class ClientConnection {
  readonly id = nextId++;
  private state: 'hello' | 'handshaking' | 'open' | 'closed' = 'hello';
  private cipher: NodeFrameCipher | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  auth: ConnectionAuth | null = null;
  /** Requests received and not yet answered. */
  inFlight = 0;
  /** Requests answered RATE_LIMITED in a row: a client that keeps on is closed. */
  refusedInARow = 0;
  /** Set when the connection is to close once the requests it already sent are answered. */
  private closing: { code: number; reason: string } | undefined;
  /** This connection's request allowance (null: no limit). A session lives on one connection at a time. */
  readonly requests: TokenBucket | null;

  constructor(
    private readonly wire: Wire,
    private readonly relay: ConnectionDeps,
    private readonly onMessage: MessageHandler,
    private readonly onClose: (conn: ClientConnection) => void,
    /** Metrics hook: this connection is being dropped as a slow consumer. */
    private readonly onSlowConsumerDrop?: (conn: ClientConnection) => void,
  ) {
    this.handshakeTimer = setTimeout(() => this.close(CloseCode.handshakeTimeout, 'handshake timeout'), relay.config.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    const { perSecond, burst } = relay.config.requestRate;
    this.requests = perSecond > 0 ? new TokenBucket(perSecond, burst, relay.clock) : null;
  }

  get transport(): TransportName {
    return this.wire.transport;
  }

  get remote(): string {
    return this.wire.remote;
  }

  /** The peer's IP address, for per-address limits. */
  get address(): string {
    return this.wire.address;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** A frame body from the transport. */
  onFrame(frame: Uint8Array): void {
    switch (this.state) {
      case 'hello':
        void this.handshake(frame);
        return;
      case 'handshaking':
        // The client cannot have keys yet: anything here is out of order.
        this.protocolError('frame before the handshake finished');
        return;
      case 'open':
        this.onSecureFrame(frame);
        return;
      case 'closed':
        return;
    }
  }

  private async handshake(frame: Uint8Array): Promise<void> {
    this.state = 'handshaking';
    try {
      const { welcomeBytes, keys } = await acceptHello(nodeCryptoSuite, this.relay.identity.signer, frame, {
        psk: this.relay.config.psk,
        heartbeatMs: this.relay.config.heartbeatMs,
        maxFrame: this.relay.config.maxFrame,
      });
      if (this.state !== 'handshaking') return;
      this.cipher = createNodeCipher(keys, 'server');
      this.wire.send(welcomeBytes);
      this.state = 'open';
      clearTimeout(this.handshakeTimer);
    } catch (err) {
      if (this.state !== 'handshaking') return;
      const code = err instanceof HandshakeError ? err.code : 'BAD_HELLO';
      const message = err instanceof HandshakeError ? err.message : 'handshake failed';
      this.relay.log.warn('handshake refused', { conn: this.id, transport: this.transport, remote: this.remote, code });
      this.wire.send(handshakeErrorBytes(code, message));
      this.close(CloseCode.protocolError, code);
    }
  }

  /**
   * Frames that arrived together (a TCP read): after the handshake they are opened in one go,
   * then handled in order; before it, one at a time.
   */
  onFrames(frames: readonly Uint8Array[]): void {
    let i = 0;
    for (; i < frames.length && this.state !== 'open'; i++) this.onFrame(frames[i]!);
    if (i === frames.length || this.state !== 'open') {
      for (; i < frames.length; i++) this.onFrame(frames[i]!);
      return;
    }
    const { plaintexts, error } = this.cipher!.openManySync(i === 0 ? frames : frames.slice(i));
    for (const plaintext of plaintexts) {
      if (this.state !== 'open') return;
      this.onPlaintext(plaintext);
    }
    if (error && this.state === 'open') this.refuseFrame(error);
  }

  private onSecureFrame(frame: Uint8Array): void {
    let plaintext: Uint8Array;
    try {
      plaintext = this.cipher!.openSync(frame);
    } catch (err) {
      this.refuseFrame(err);
      return;
    }
    this.onPlaintext(plaintext);
  }

  private refuseFrame(err: unknown): void {
    const reason = err instanceof ChannelError ? err.reason : 'BAD_FRAME';
    this.relay.log.warn('secure frame refused', { conn: this.id, transport: this.transport, remote: this.remote, reason });
    this.close(CloseCode.protocolError, reason);
  }

  /**
   * Takes no more requests and closes once those already taken are answered (each one that ran
   * gets its answer: a transfer's sender learns it posted).
   */
  closeWhenAnswered(code: number, reason: string): void {
    this.closing ??= { code, reason };
    this.answered();
  }

  /** Called after each answer: closes a connection waiting for its last one. */
  answered(): void {
    if (this.closing && this.inFlight === 0) this.close(this.closing.code, this.closing.reason);
  }

  private onPlaintext(plaintext: Uint8Array): void {
    if (this.closing) return;
    if (this.auth === null && plaintext.length > PRE_SIGN_IN_MAX_BYTES) {
      this.protocolError(`a message before sign-in may be at most ${PRE_SIGN_IN_MAX_BYTES} bytes`);
      return;
    }
    if (!nestsWithin(plaintext, MAX_NESTING)) {
      this.protocolError(`a message may nest at most ${MAX_NESTING} levels deep`);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(frameText.decode(plaintext));
    } catch {
      this.protocolError('the frame is not UTF-8 JSON');
      return;
    }
    this.onMessage(this, message);
  }

  /**
   * Sends an already-serialized message (UTF-8 JSON bytes); false when the connection is not
   * open. Messages are sealed and written together once the current tick's work is done (a
   * response and the events it caused: one keystream call, one write), in the order given.
   */
  sendEncoded(json: Uint8Array): boolean {
    if (this.state !== 'open' || !this.cipher) return false;
    if (this.wire.bufferedBytes() > this.relay.config.maxBufferedBytes) {
      // A client this far behind would hold memory for everyone: drop it; its session survives for auth.resume.
      this.relay.log.warn('slow consumer dropped', { conn: this.id, transport: this.transport, buffered: this.wire.bufferedBytes() });
      this.onSlowConsumerDrop?.(this);
      this.close(CloseCode.slowConsumer, 'too far behind');
      return false;
    }
    if (this.outgoing.push(json) === 1) process.nextTick(this.flush);
    return true;
  }

  /** Messages waiting for the end of the tick. */
  private outgoing: Uint8Array[] = [];

  /** Seals and writes what is waiting (also before a close, so nothing said is lost). */
  private readonly flush = (): void => {
    if (this.outgoing.length === 0 || !this.cipher || this.state !== 'open') return;
    const { packed, frames } = this.cipher.sealPackedSync(this.outgoing, this.wire.headroom);
    this.outgoing = [];
    this.wire.sendPacked(packed, frames);
  };

  send(message: unknown): boolean {
    return this.sendEncoded(utf8Encode(JSON.stringify(message)));
  }

  /** A protocol violation after the handshake: say so (sealed) when possible, then hang up. */
  protocolError(message: string): void {
    this.relay.log.warn('protocol error', { conn: this.id, transport: this.transport, remote: this.remote, message });
    if (this.state === 'open') this.send({ t: 'error', code: 'BAD_REQUEST', message });
    this.close(CloseCode.protocolError, message);
  }

  /** Transport-level refusal before or after the handshake (e.g. an oversize length prefix). */
  refuse(code: string, message: string, closeCode: number): void {
    if (this.state === 'open') this.send({ t: 'error', code, message });
    else if (this.state === 'hello') this.wire.send(handshakeErrorBytes(code, message));
    this.close(closeCode, message);
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.flush();
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    try {
      this.wire.close(code, reason);
    } finally {
      this.onClose(this);
    }
  }

  /** Called by the transport when the socket is gone, whoever closed it. */
  closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    this.onClose(this);
  }
}
