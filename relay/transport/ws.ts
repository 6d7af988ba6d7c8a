import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientConnection } from '../session/client-connection.js';
import { CloseCode, type Wire } from './wire.js';
import { tickCorker } from './tick-cork.js';
import type { TlsMaterial } from './tls.js';
import type { AddressCap } from './address-cap.js';
import { originAllowed, type OriginPolicy } from './origin.js';

export interface WsOptions extends OriginPolicy {
  host: string;
  port: number;
  maxFrame: number;
  heartbeatMs: number;
  accept(wire: Wire): ClientConnection;
  /** GET /healthz body. */
  health(): { status: number; body: unknown };
  /** GET /metrics (Prometheus text). Counts and durations only: no secrets, names or amounts. */
  metrics?(): Promise<{ contentType: string; body: string }>;
  /** False while the relay is starting or stopping: upgrades are refused with 503 then. */
  ready?(): boolean;
  /** When set, the server is HTTPS and clients connect with wss://. */
  tls?: TlsMaterial | undefined;
  handshakeTimeoutMs?: number;
  /** Per-address connection cap, shared with the TCP listener. */
  cap?: AddressCap;
}

/** Gives a refused upgrade's answer this long to reach the peer before the socket is destroyed. */
const REFUSED_LINGER_MS = 2000;

interface Tracked {
  conn: ClientConnection;
  missedPongs: number;
}

/**
 * bankrelay/1 over WebSocket: one binary message per frame (PROTOCOL §1). Upgrades are
 * checked here, before `ws` sees them: only path `/`, only allowed origins.
 */
export class WsListener {
  readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Map<WebSocket, Tracked>();
  /** Every raw socket, including TLS handshakes not yet finished. */
  private readonly raw = new Set<net.Socket>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** Sockets that have not become WebSockets yet, with the timer that drops them. */
  private readonly httpDeadlines = new WeakMap<net.Socket, NodeJS.Timeout>();

  constructor(private readonly opts: WsOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrame, perMessageDeflate: false, clientTracking: false });
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res);
    const handshakeMs = opts.handshakeTimeoutMs ?? 10_000;
    this.http = opts.tls
      ? (https.createServer({ ...opts.tls, handshakeTimeout: handshakeMs }, onRequest) as unknown as http.Server)
      : http.createServer(onRequest);
    // A socket on this port has handshakeTimeoutMs to become a WebSocket; plain HTTP (healthz,
    // metrics) is done well within it. Node's own headersTimeout is checked only when the next
    // bytes arrive, so a client dribbling its request head (slowloris) or sending nothing at all
    // would otherwise hold the socket for as long as it likes.
    this.http.on(opts.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      if (socket.destroyed) return;
      const timer = setTimeout(() => socket.destroy(), handshakeMs);
      timer.unref();
      this.httpDeadlines.set(socket, timer);
      socket.once('close', () => clearTimeout(timer));
    });
    this.http.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
    this.http.prependListener('connection', (socket: net.Socket) => {
      if (opts.cap && !opts.cap.admit(socket)) return;
      this.raw.add(socket);
      socket.once('close', () => this.raw.delete(socket));
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as net.Socket, head));
  }

  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject);
        this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
        this.heartbeat.unref();
        resolve(this.http.address() as net.AddressInfo);
      });
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const { status, body } = this.opts.health();
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && this.opts.metrics) {
      this.opts.metrics().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics unavailable\n');
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }

  /** Why an upgrade is refused, or undefined when it may proceed. */
  private refusal(req: http.IncomingMessage): { status: number; text: string } | undefined {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') return { status: 404, text: 'Not Found' };
    if (this.opts.ready && !this.opts.ready()) return { status: 503, text: 'Service Unavailable' };
    return originAllowed(req.headers.origin, this.opts) ? undefined : { status: 403, text: 'Forbidden' };
  }

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refused = this.refusal(req);
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      // end() only half-closes: a peer that never sends its FIN would hold the socket (and
      // relay shutdown, which waits for every HTTP socket) forever.
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    // From here the bankrelay/1 handshake timeout (ClientConnection) is the deadline.
    clearTimeout(this.httpDeadlines.get(socket));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
  }

  private onSocket(ws: WebSocket, req: http.IncomingMessage): void {
    // The upgraded TCP socket under `ws` (req.socket), corked per tick like the TCP transport.
    const cork = tickCorker(req.socket as net.Socket);
    const wire: Wire = {
      transport: 'ws',
      remote: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      address: req.socket.remoteAddress ?? '',
      send: (frame) => {
        cork();
        ws.send(frame, { binary: true });
      },
      // One message per frame: no room needed for a header of ours.
      headroom: 0,
      sendPacked: (packed, frames) => {
        cork();
        for (const { at, length } of frames) ws.send(packed.subarray(at, at + length), { binary: true });
      },
      close: (code, reason) => ws.close(code, closeReason(reason)),
      bufferedBytes: () => ws.bufferedAmount,
    };
    const conn = this.opts.accept(wire);
    const tracked: Tracked = { conn, missedPongs: 0 };
    this.clients.set(ws, tracked);
    ws.on('pong', () => (tracked.missedPongs = 0));
    ws.on('message', (data, isBinary) => {
      tracked.missedPongs = 0;
      if (!isBinary) {
        conn.close(CloseCode.unsupportedData, 'text messages are not part of bankrelay/1');
        return;
      }
      conn.onFrame(toBytes(data));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.clients.delete(ws);
      conn.closed();
    });
  }

  /** Pings every hb; a client that let two pings go unanswered is gone (PROTOCOL §7). */
  private beat(): void {
    for (const [ws, tracked] of this.clients) {
      if (tracked.missedPongs >= 2) {
        tracked.conn.closed();
        ws.terminate();
        continue;
      }
      tracked.missedPongs++;
      ws.ping();
    }
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  stopAccepting(): Promise<void> {
    clearInterval(this.heartbeat);
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  destroyAll(): void {
    for (const ws of this.clients.keys()) ws.terminate();
    this.http.closeAllConnections();
    for (const socket of this.raw) socket.destroy();
  }
}

/**
 * A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5) and `ws` throws on more. Reasons
 * can quote client input (e.g. unknown field names), so cut by bytes on a character boundary.
 */
function closeReason(reason: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 123) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
