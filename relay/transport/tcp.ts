import net from 'node:net';
import tls from 'node:tls';
import { FrameDecoder, FramingError } from '../../common/protocol/framing.js';
import type { ClientConnection } from '../session/client-connection.js';
import { CloseCode, type Wire } from './wire.js';
import { tickCorker } from './tick-cork.js';
import type { TlsMaterial } from './tls.js';
import type { AddressCap } from './address-cap.js';

export interface TcpOptions {
  host: string;
  port: number;
  maxFrame: number;
  heartbeatMs: number;
  accept(wire: Wire): ClientConnection;
  /** When set, every connection is TLS first; bankrelay/1 runs inside it unchanged. */
  tls?: TlsMaterial | undefined;
  /** A TLS handshake not finished by then is dropped. */
  handshakeTimeoutMs?: number;
  /** Per-address connection cap, shared with the WebSocket listener. */
  cap?: AddressCap;
}

/** Gives a closing socket this long to flush before it is destroyed. */
const LINGER_MS = 2000;

/**
 * bankrelay/1 over TCP: u32 big-endian length + body (PROTOCOL §1). A length over maxFrame
 * is refused as soon as its 4 bytes arrive, before any of the body is kept.
 */
export class TcpListener {
  private readonly server: net.Server;
  private readonly sockets = new Map<net.Socket, { conn: ClientConnection; lastHeard: number }>();
  /** Every raw socket, including TLS handshakes not yet finished (server.close waits for those too). */
  private readonly raw = new Set<net.Socket>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TcpOptions) {
    this.server = opts.tls
      ? tls.createServer({ ...opts.tls, noDelay: true, handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000 }, (socket) => this.onSocket(socket))
      : net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    // A client that is not speaking TLS is dropped by the TLS layer; nothing reaches the relay.
    this.server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
    // First of the 'connection' listeners: a socket over the per-address cap is gone before
    // the TLS layer or onSocket sees it.
    this.server.prependListener('connection', (socket: net.Socket) => {
      if (opts.cap && !opts.cap.admit(socket)) return;
      this.raw.add(socket);
      socket.once('close', () => this.raw.delete(socket));
    });
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        // TCP has no ping frame: the client pings, and a socket silent for 2·hb is dropped (PROTOCOL §7).
        this.sweep = setInterval(() => this.dropSilent(), Math.max(50, this.opts.heartbeatMs / 2));
        this.sweep.unref();
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  private onSocket(socket: net.Socket): void {
    if (socket.destroyed) return;
    const decoder = new FrameDecoder(this.opts.maxFrame);
    const cork = tickCorker(socket);
    const wire: Wire = {
      transport: 'tcp',
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      address: socket.remoteAddress ?? '',
      send(frame) {
        const header = Buffer.allocUnsafe(4);
        header.writeUInt32BE(frame.length, 0);
        cork();
        socket.write(header);
        socket.write(frame);
      },
      // The length prefix goes in each frame's headroom: the whole run is one write.
      headroom: 4,
      sendPacked(packed, frames) {
        for (const { at, length } of frames) packed.writeUInt32BE(length, at - 4);
        cork();
        socket.write(packed);
      },
      close() {
        socket.end();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
      bufferedBytes: () => socket.writableLength,
    };
    const conn = this.opts.accept(wire);
    const entry = { conn, lastHeard: Date.now() };
    this.sockets.set(socket, entry);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        socket.pause();
        const message = err.reason === 'TOO_LARGE' ? `frame longer than maxFrame (${this.opts.maxFrame} bytes)` : 'zero-length frame';
        conn.refuse('BAD_REQUEST', message, err.reason === 'TOO_LARGE' ? CloseCode.tooBig : CloseCode.protocolError);
        return;
      }
      // Only whole frames count as life: a frame trickled in byte by byte does not keep a socket open.
      if (frames.length > 0) entry.lastHeard = Date.now();
      if (frames.length > 0) conn.onFrames(frames);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      conn.closed();
    });
  }

  private dropSilent(): void {
    const deadline = Date.now() - 2 * this.opts.heartbeatMs;
    for (const [socket, entry] of this.sockets) {
      if (entry.lastHeard < deadline) {
        entry.conn.close(CloseCode.heartbeat, 'no traffic for two heartbeat intervals');
        socket.destroy();
      }
    }
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Stops accepting; existing sockets stay until the relay closes them. */
  stopAccepting(): Promise<void> {
    clearInterval(this.sweep);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
    for (const socket of this.raw) socket.destroy();
  }
}
