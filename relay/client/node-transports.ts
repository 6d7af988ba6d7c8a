import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { FrameDecoder } from '../../common/protocol/framing.js';
import { DEFAULT_MAX_FRAME } from '../../common/protocol/constants.js';
import type { FrameTransport } from '../../common/client/bank-client.js';
import { tickCorker } from '../transport/tick-cork.js';

/**
 * bankrelay/1 frames over a TCP socket (u32 BE length prefix). With `tlsOptions` the socket is
 * TLS first (a relay started with --tls-cert/--tls-key); pass `ca` for a self-signed certificate.
 */
export function tcpTransport(
  host: string,
  port: number,
  maxFrame = DEFAULT_MAX_FRAME,
  tlsOptions?: tls.ConnectionOptions,
  /** The local address to connect from (e.g. 127.0.0.2, to be another address on loopback). */
  localAddress?: string,
): Promise<FrameTransport & { socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket: net.Socket = tlsOptions
      ? tls.connect({ ...(net.isIP(host) === 0 && { servername: host }), ...tlsOptions, host, port, ...(localAddress && { localAddress }) }).setNoDelay(true)
      : net.connect({ host, port, noDelay: true, ...(localAddress && { localAddress }) });
    const decoder = new FrameDecoder(maxFrame);
    // Every frame sent in one turn of the event loop (several pipelined requests, say) leaves
    // in one writev, as on the relay's side.
    const cork = tickCorker(socket);
    const transport = {
      socket,
      onFrame: (_f: Uint8Array) => {},
      onClose: (_r: string) => {},
      send(frame: Uint8Array) {
        const header = Buffer.allocUnsafe(4);
        header.writeUInt32BE(frame.length, 0);
        cork();
        socket.write(header);
        socket.write(frame);
      },
      close() {
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      },
    };
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(transport);
    });
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        socket.destroy();
        transport.onClose(`bad framing from the relay: ${(err as Error).message}`);
        return;
      }
      for (const f of frames) transport.onFrame(f);
    });
    socket.on('close', () => transport.onClose('socket closed'));
  });
}

/** bankrelay/1 frames as binary WebSocket messages; a wss:// URL takes `ca` for a self-signed certificate. */
export function wsTransport(url: string, opts: { origin?: string; maxFrame?: number; ca?: string | Buffer } = {}): Promise<FrameTransport & { ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      ...(opts.origin && { origin: opts.origin }),
      ...(opts.ca !== undefined && { ca: opts.ca }),
      maxPayload: opts.maxFrame ?? DEFAULT_MAX_FRAME,
      perMessageDeflate: false,
    });
    const transport = {
      ws,
      onFrame: (_f: Uint8Array) => {},
      onClose: (_r: string) => {},
      send(frame: Uint8Array) {
        ws.send(frame, { binary: true });
      },
      close() {
        ws.close(1000);
        setTimeout(() => ws.terminate(), 1000).unref();
      },
    };
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve(transport);
    });
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => transport.onFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    ws.on('close', (code, reason) => transport.onClose(`websocket closed ${code} ${reason.toString()}`));
  });
}
