// Raw bankrelay/1 connections for hostile-input tests: a plain TCP socket or a `ws` WebSocket
// that can send arbitrary bytes and frames, do the real handshake, and report how the relay
// hung up (and what it said first).
import net from 'node:net';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { utf8Decode, utf8Encode } from '../../common/encoding.js';
import { FrameDecoder } from '../../common/protocol/framing.js';
import { startClientHandshake, type ClientHandshakeResult } from '../../common/protocol/handshake.js';
import { createNodeCipher, nodeCryptoSuite, type NodeFrameCipher } from '../../common/protocol/crypto-node.js';
import type { ClientConnection } from '../../relay/session/client-connection.js';
import { connect, type TestRelay, type TransportKind } from './relay.js';

/** Generous: waiting for an event, never a timing assertion. */
export const WAIT_MS = 5000;

export interface CloseInfo {
  /** The relay hung up (FIN/RST on TCP; a close frame or a dropped socket on ws), not us. */
  byRelay: boolean;
  /** WebSocket close code (1006 when the socket dropped without a close frame); undefined on TCP. */
  code?: number;
  reason?: string;
}

export interface RawOptions {
  /** ws only: the Origin header. */
  origin?: string;
  /** ws only: the path (default `/`). */
  path?: string;
}

/**
 * A connection that speaks bytes, not the protocol. Every whole frame the relay sends is kept
 * in order; `nextFrame` hands them out one by one.
 */
export class RawConnection {
  private readonly received: Uint8Array[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  private localClose = false;
  private peerEnded = false;
  private closeInfo: CloseInfo | undefined;
  readonly closed: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;

  private constructor(
    readonly kind: TransportKind,
    private readonly socket: net.Socket | undefined,
    private readonly ws: WebSocket | undefined,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  static open(t: TestRelay, kind: TransportKind, opts: RawOptions = {}): Promise<RawConnection> {
    return kind === 'tcp' ? RawConnection.openTcp(t.tcpPort) : RawConnection.openWs(t, opts);
  }

  private static openTcp(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
      const raw = new RawConnection('tcp', socket, undefined);
      // The client reads whatever the relay sends; its own limit is not under test.
      const decoder = new FrameDecoder(0xffffffff);
      socket.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) raw.push(f);
      });
      socket.on('end', () => (raw.peerEnded = true));
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNRESET' || err.code === 'EPIPE') raw.peerEnded = true;
        });
        resolve(raw);
      });
      socket.once('error', reject);
      socket.on('close', () => raw.finish({ byRelay: raw.peerEnded }));
    });
  }

  private static openWs(t: TestRelay, opts: RawOptions): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const url = `ws://127.0.0.1:${t.wsPort}${opts.path ?? '/'}`;
      const ws = new WebSocket(url, {
        ...(opts.origin !== undefined && { origin: opts.origin }),
        perMessageDeflate: false,
        maxPayload: 64 * 1024 * 1024,
      });
      const raw = new RawConnection('ws', undefined, ws);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        raw.push(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : utf8Encode(data.toString()));
      });
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        resolve(raw);
      });
      ws.once('error', reject);
      ws.on('close', (code, reason) => raw.finish({ byRelay: !raw.localClose, code, reason: reason.toString() }));
    });
  }

  private push(frame: Uint8Array): void {
    this.received.push(frame.slice());
    this.wake?.();
  }

  private finish(info: CloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    this.resolveClosed(info);
    this.wake?.();
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** The client's local port: the relay knows this connection as `…:<localPort>`. */
  get localPort(): number {
    const port = this.kind === 'tcp' ? this.socket!.localPort : (this.ws as unknown as { _socket: net.Socket })._socket.localPort;
    if (port === undefined) throw new Error('socket has no local port');
    return port;
  }

  /** The underlying socket (ws: the TCP socket under the WebSocket). */
  get netSocket(): net.Socket {
    return this.kind === 'tcp' ? this.socket! : (this.ws as unknown as { _socket: net.Socket })._socket;
  }

  /** Frames received and not yet taken with nextFrame. */
  get unread(): number {
    return this.received.length - this.cursor;
  }

  /** The next frame from the relay, or undefined if the connection closed first. */
  async nextFrame(timeoutMs = WAIT_MS): Promise<Uint8Array | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      if (this.closeInfo) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame from the relay within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    return this.received[this.cursor++];
  }

  /** The next frame as plaintext JSON (handshake messages and pre-handshake errors). */
  async nextJson(timeoutMs = WAIT_MS): Promise<unknown> {
    const frame = await this.nextFrame(timeoutMs);
    if (frame === undefined) throw new Error('closed before a frame arrived');
    return JSON.parse(utf8Decode(frame)) as unknown;
  }

  /** Resolves when the connection is gone; rejects if that takes longer than timeoutMs. */
  waitClosed(timeoutMs = WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, timeoutMs, 'the relay did not close the connection');
  }

  /** One frame: TCP adds the u32 BE length prefix, ws sends one binary message. */
  sendFrame(body: Uint8Array): void {
    if (this.kind === 'tcp') {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(body.length, 0);
      this.socket!.write(Buffer.concat([header, body]));
    } else {
      this.ws!.send(body, { binary: true });
    }
  }

  /** Several frames at once (TCP: one write; ws: back-to-back messages). */
  sendFrames(bodies: Uint8Array[]): void {
    if (this.kind === 'tcp') {
      const parts: Buffer[] = [];
      for (const b of bodies) {
        const header = Buffer.allocUnsafe(4);
        header.writeUInt32BE(b.length, 0);
        parts.push(header, Buffer.from(b));
      }
      this.socket!.write(Buffer.concat(parts));
    } else {
      for (const b of bodies) this.ws!.send(b, { binary: true });
    }
  }

  /** TCP only: bytes exactly as given, no framing. */
  sendRaw(bytes: Uint8Array): void {
    if (this.kind !== 'tcp') throw new Error('sendRaw is TCP only');
    this.socket!.write(bytes);
  }

  /** ws only: a TEXT message. */
  sendText(text: string): void {
    if (this.kind !== 'ws') throw new Error('sendText is ws only');
    this.ws!.send(text, { binary: false });
  }

  /** TCP only: half-close (FIN) our side; the socket stays readable. */
  endOutput(): void {
    if (this.kind !== 'tcp') throw new Error('endOutput is TCP only');
    this.socket!.end();
  }

  destroy(): void {
    if (this.isClosed) return;
    this.localClose = true;
    if (this.kind === 'tcp') this.socket!.destroy();
    else this.ws!.terminate();
  }
}

/** A raw connection after a real bankrelay/1 handshake: seal and send whatever you like. */
export interface SecureRaw {
  raw: RawConnection;
  /** The client's cipher (node suite: sealSync/openSync). */
  cipher: NodeFrameCipher;
  handshake: ClientHandshakeResult;
  /** Seals bytes (or a JSON value) at the next send seq, without sending. */
  seal(message: unknown): Uint8Array;
  sealBytes(bytes: Uint8Array): Uint8Array;
  /** Seals and sends a JSON value. */
  send(message: unknown): void;
  /** Opens the next frame from the relay as JSON; undefined if the connection closed first. */
  nextMessage(timeoutMs?: number): Promise<unknown>;
  /** The next message that is not an event (events of the signed-in user are skipped). */
  nextResponse(timeoutMs?: number): Promise<unknown>;
}

export async function openSecureRaw(t: TestRelay, kind: TransportKind, opts: RawOptions = {}): Promise<SecureRaw> {
  const raw = await RawConnection.open(t, kind, opts);
  const hs = await startClientHandshake(nodeCryptoSuite);
  raw.sendFrame(hs.helloBytes);
  const welcome = await raw.nextFrame();
  if (welcome === undefined) throw new Error('the relay closed during the handshake');
  const handshake = await hs.finish(welcome, { pinnedFingerprint: t.relay.fingerprint });
  // Our own cipher from the derived keys, so the sync node methods are typed.
  const cipher = createNodeCipher(handshake.keys, 'client');
  const sealBytes = (bytes: Uint8Array) => cipher.sealSync(bytes);
  const seal = (message: unknown) => sealBytes(utf8Encode(JSON.stringify(message)));
  const nextMessage = async (timeoutMs = WAIT_MS): Promise<unknown> => {
    const frame = await raw.nextFrame(timeoutMs);
    if (frame === undefined) return undefined;
    return JSON.parse(utf8Decode(cipher.openSync(frame))) as unknown;
  };
  return {
    raw,
    cipher,
    handshake,
    seal,
    sealBytes,
    send: (message) => raw.sendFrame(seal(message)),
    nextMessage,
    async nextResponse(timeoutMs = WAIT_MS) {
      for (;;) {
        const m = (await nextMessage(timeoutMs)) as { event?: unknown } | undefined;
        if (m === undefined || m.event === undefined) return m;
      }
    },
  };
}

export function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Polls until pred() holds; rejects after timeoutMs. */
export async function waitUntil(pred: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The relay's side of a client connection, found by the client's local port. */
export function relayConnFor(t: TestRelay, localPort: number): ClientConnection | undefined {
  for (const c of t.relay.context.live.all) if (c.remote.endsWith(`:${localPort}`)) return c;
  return undefined;
}

export interface StillServingOptions {
  kinds?: readonly TransportKind[];
  /** Origin for the ws connection (relays that require one). */
  origin?: string;
}

/** A fresh connection over each transport handshakes and gets its ping answered. */
export async function expectStillServing(t: TestRelay, opts: StillServingOptions = {}): Promise<void> {
  for (const kind of opts.kinds ?? ['tcp', 'ws']) {
    const c = await connect(t, kind, kind === 'ws' && opts.origin !== undefined ? { origin: opts.origin } : {});
    try {
      const r = await c.request('ping', {});
      expect(Date.parse(r.ts)).not.toBeNaN();
    } finally {
      c.close();
    }
  }
}

/**
 * The HTTP status of a WebSocket upgrade request: 101 when it was accepted (the socket is then
 * closed at once), else what the relay answered instead.
 */
export function upgradeStatus(t: TestRelay, opts: RawOptions = {}): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${t.wsPort}${opts.path ?? '/'}`, {
        ...(opts.origin !== undefined && { origin: opts.origin }),
        perMessageDeflate: false,
      });
      ws.on('error', () => undefined);
      ws.once('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      ws.once('close', () => reject(new Error('closed without an HTTP answer')));
    }),
    WAIT_MS,
    'no answer to the upgrade',
  );
}

/**
 * A WebSocket upgrade request written by hand on a plain TCP socket, so the test controls the
 * socket afterwards (e.g. `allowHalfOpen`: never send our FIN). Resolves with the HTTP status
 * line's code once the head of the answer has arrived.
 */
export async function rawUpgrade(
  t: TestRelay,
  opts: RawOptions & { allowHalfOpen?: boolean } = {},
): Promise<{ socket: net.Socket; status: number; ended: Promise<void>; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port: t.wsPort, allowHalfOpen: opts.allowHalfOpen ?? false });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('end', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), WAIT_MS, 'no TCP connection');
  const head = [
    `GET ${opts.path ?? '/'} HTTP/1.1`,
    `Host: 127.0.0.1:${t.wsPort}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${Buffer.from(nodeCryptoSuite.randomBytes(16)).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...(opts.origin !== undefined ? [`Origin: ${opts.origin}`] : []),
  ];
  socket.write(head.join('\r\n') + '\r\n\r\n');
  let text = '';
  const status = await withTimeout(
    new Promise<number>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
        if (m) resolve(Number(m[1]));
      });
      socket.once('close', () => reject(new Error(`closed before an HTTP answer: ${JSON.stringify(text)}`)));
    }),
    WAIT_MS,
    'no HTTP answer to the upgrade',
  );
  return { socket, status, ended, closed };
}
