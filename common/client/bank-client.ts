import type { CryptoSuite, FrameCipher } from '../protocol/crypto.js';
import { startClientHandshake, type ClientHandshakeResult } from '../protocol/handshake.js';
import { utf8Decode, utf8Encode } from '../encoding.js';
import { BankError, errorCodeSchema } from '../errors.js';
import type { OpName, OpResult } from '../schemas/ops.js';
import type { z } from 'zod';
import type { opDefs } from '../schemas/ops.js';

/** A byte pipe carrying whole frames (a WebSocket, or TCP with its length prefix). */
export interface FrameTransport {
  send(frame: Uint8Array): void;
  close(): void;
  /** Set by the client: called with each whole frame, in order. */
  onFrame: (frame: Uint8Array) => void;
  /** Set by the client: called once when the pipe is gone. */
  onClose: (reason: string) => void;
}

export interface ClientOptions {
  psk?: Uint8Array;
  pinnedFingerprint?: string;
  /** Handshake deadline. */
  timeoutMs?: number;
  /**
   * Send `ping` whenever nothing was sent for this long (PROTOCOL §7: a TCP relay drops a
   * connection silent for 2·hb). Off by default; long-lived idle clients should set it to hb/2.
   */
  keepAliveMs?: number;
}

export type RawResponse =
  | { id: number; ok: true; result: Record<string, unknown> }
  | { id: number; ok: false; error: { code: string; message: string } };

export interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
  ts: string;
}

type OpArgsInput<N extends OpName> = z.input<(typeof opDefs)[N]['args']>;

/**
 * The client side of bankrelay/1 over any frame transport and either crypto suite: handshake,
 * then requests matched to responses by id (pipelining allowed) and server events.
 */
export class BankClient {
  private nextId = 1;
  private pending = new Map<number, (r: RawResponse) => void>();
  private listeners = new Set<(e: ServerEvent) => void>();
  private closeListeners = new Set<(reason: string) => void>();
  private inbound: Promise<void> = Promise.resolve();
  closed = false;
  closeReason = '';

  private constructor(
    private readonly transport: FrameTransport,
    private readonly cipher: FrameCipher,
    readonly handshake: ClientHandshakeResult,
  ) {
    const openMany = cipher.openManySync?.bind(cipher);
    if (openMany) {
      // A synchronous suite: frames that arrive in one turn are opened together, in order, once it is done.
      transport.onFrame = (frame) => {
        if (this.arrived.push(frame) === 1) queueMicrotask(() => this.receiveMany(openMany));
      };
      transport.onClose = (reason) => {
        this.receiveMany(openMany);
        this.shutdown(reason);
      };
      return;
    }
    transport.onFrame = (frame) => {
      // Frames must be opened in order; with WebCrypto each open is async, so chain them.
      this.inbound = this.inbound.then(() => this.receive(frame));
    };
    // Frames that arrived before the close are still opened and delivered first (with
    // WebCrypto each open is asynchronous): a `session.revoked` sent just before the relay
    // hangs up must not be lost.
    transport.onClose = (reason) => {
      this.inbound = this.inbound.then(() => this.shutdown(reason));
    };
  }

  static async connect(transport: FrameTransport, suite: CryptoSuite, opts: ClientOptions = {}): Promise<BankClient> {
    const hs = await startClientHandshake(suite);
    const welcome = await new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('handshake timed out')), opts.timeoutMs ?? 10_000);
      transport.onFrame = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      transport.onClose = (reason) => {
        clearTimeout(timer);
        reject(new Error(`connection closed during the handshake: ${reason}`));
      };
      transport.send(hs.helloBytes);
    });
    try {
      const result = await hs.finish(welcome, { ...(opts.psk && { psk: opts.psk }), ...(opts.pinnedFingerprint && { pinnedFingerprint: opts.pinnedFingerprint }) });
      const client = new BankClient(transport, result.cipher, result);
      if (opts.keepAliveMs !== undefined) client.keepAlive(opts.keepAliveMs);
      return client;
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  /** Sends a request and resolves with the raw response (ok or error). */
  async call(op: string, args: unknown = {}): Promise<RawResponse> {
    if (this.closed) throw new Error(`connection closed: ${this.closeReason}`);
    const id = this.nextId++;
    const response = new Promise<RawResponse>((resolve) => this.pending.set(id, resolve));
    await this.sendMessage({ id, op, args });
    return response;
  }

  /** Typed request: resolves with the result, rejects with a BankError carrying the relay's code. */
  async request<N extends OpName>(op: N, args: OpArgsInput<N>): Promise<OpResult<N>> {
    const r = await this.call(op, args);
    if (r.ok) return r.result as OpResult<N>;
    const code = errorCodeSchema.safeParse(r.error.code);
    throw new BankError(code.success ? code.data : 'INTERNAL', r.error.message);
  }

  /** Sends any JSON value as one sealed frame (tests use it for malformed messages). */
  async sendMessage(message: unknown): Promise<void> {
    const frame = await this.cipher.seal(utf8Encode(JSON.stringify(message)));
    this.transport.send(frame);
    this.lastSent = Date.now();
  }

  private lastSent = Date.now();
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;

  private keepAlive(everyMs: number): void {
    this.keepAliveTimer = setInterval(() => {
      if (!this.closed && Date.now() - this.lastSent >= everyMs) void this.call('ping', {}).catch(() => undefined);
    }, Math.max(10, Math.floor(everyMs / 2)));
    // A timer of a library must not keep a process alive on its own.
    (this.keepAliveTimer as { unref?: () => void }).unref?.();
  }

  onEvent(listener: (e: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Resolves with the next event of that name (and optional predicate). */
  nextEvent(name: string, predicate: (e: ServerEvent) => boolean = () => true, timeoutMs = 10_000): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.event === name && predicate(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }

  /** Resolves when the connection closes. */
  closedPromise(): Promise<string> {
    if (this.closed) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => this.onClose(resolve));
  }

  close(): void {
    this.transport.close();
    this.shutdown('closed by client');
  }

  private async receive(frame: Uint8Array): Promise<void> {
    if (this.closed) return;
    let message: unknown;
    try {
      message = JSON.parse(utf8Decode(await this.cipher.open(frame)));
    } catch (err) {
      this.badFrame(err);
      return;
    }
    this.deliver(message);
  }

  /** Frames waiting to be opened together (synchronous suites). */
  private arrived: Uint8Array[] = [];

  private receiveMany(openMany: NonNullable<FrameCipher['openManySync']>): void {
    const frames = this.arrived;
    this.arrived = [];
    if (this.closed || frames.length === 0) return;
    const { plaintexts, error } = openMany(frames);
    for (const plaintext of plaintexts) {
      if (this.closed) return;
      let message: unknown;
      try {
        message = JSON.parse(utf8Decode(plaintext));
      } catch (err) {
        this.badFrame(err);
        return;
      }
      this.deliver(message);
    }
    if (error) this.badFrame(error);
  }

  private badFrame(err: unknown): void {
    this.transport.close();
    this.shutdown(`bad frame from the relay: ${(err as Error).message}`);
  }

  private deliver(message: unknown): void {
    const m = message as { id?: unknown; event?: unknown; t?: unknown };
    if (typeof m.id === 'number') {
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.(message as RawResponse);
    } else if (typeof m.event === 'string') {
      for (const l of this.listeners) l(message as ServerEvent);
    } else if (m.t === 'error') {
      this.closeReason = `relay error: ${JSON.stringify(message)}`;
    }
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAliveTimer);
    this.closeReason ||= reason;
    for (const resolve of this.pending.values()) {
      resolve({ id: -1, ok: false, error: { code: 'DISCONNECTED', message: `connection closed: ${this.closeReason}` } });
    }
    this.pending.clear();
    for (const l of this.closeListeners) l(this.closeReason);
  }
}
