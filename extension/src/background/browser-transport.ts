import type { FrameTransport } from '../../../common/client/bank-client.js';
import { ltr, t, type MessageKey } from '../shared/i18n.js';

/** The part of the WHATWG WebSocket we use (the browser's, or the `ws` package's in Node tests). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** Give up when the socket is not open after this long. */
  timeoutMs?: number;
  WebSocketImpl?: WebSocketConstructor;
}

const OPEN = 1;

const CLOSE_CODES: Partial<Record<number, MessageKey>> = {
  1000: 'close_normal',
  1001: 'close_going_away',
  1002: 'close_protocol_error',
  1003: 'close_text_refused',
  1006: 'close_lost',
  1009: 'close_too_large',
  4001: 'close_resumed_elsewhere',
  4002: 'close_revoked',
  4003: 'close_too_far_behind',
  4004: 'close_heartbeat_missed',
  4005: 'close_handshake_timeout',
};

/** Why a WebSocket closed, in words (PROTOCOL §8 close codes); the relay's own reason follows as it came. */
export function describeClose(code: number, reason: string): string {
  const what = t(CLOSE_CODES[code] ?? 'close_normal');
  return reason ? t('close_with_reason', what, String(code), reason) : t('close_with_code', what, String(code));
}

/** bankrelay/1 frames as binary WebSocket messages; resolves once the socket is open. */
export function openWebSocketTransport(url: string, opts: WebSocketTransportOptions = {}): Promise<FrameTransport> {
  const Impl = opts.WebSocketImpl ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) return Promise.reject(new Error('no WebSocket implementation'));
  return new Promise((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = new Impl(url);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    ws.binaryType = 'arraybuffer';
    let opened = false;
    let closed = false;
    const timer = setTimeout(() => {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // closing a socket that never opened may throw in some implementations
      }
      reject(new Error(t('transport_timeout', ltr(url), String(opts.timeoutMs ?? 10_000))));
    }, opts.timeoutMs ?? 10_000);

    const transport: FrameTransport = {
      onFrame: () => {},
      onClose: () => {},
      send(frame) {
        if (ws.readyState === OPEN) ws.send(frame);
      },
      close() {
        try {
          ws.close(1000);
        } catch {
          // already closing
        }
        finish('closed by client');
      },
    };

    const finish = (reason: string): void => {
      if (closed) return;
      closed = true;
      transport.onClose(reason);
    };

    ws.onopen = () => {
      opened = true;
      clearTimeout(timer);
      resolve(transport);
    };
    ws.onmessage = (ev) => {
      if (ev.data instanceof ArrayBuffer) {
        transport.onFrame(new Uint8Array(ev.data));
      } else if (ArrayBuffer.isView(ev.data)) {
        transport.onFrame(new Uint8Array(ev.data.buffer, ev.data.byteOffset, ev.data.byteLength));
      } else {
        // bankrelay/1 frames are binary only (§1): anything else is a protocol error.
        transport.close();
      }
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      if (!opened) {
        reject(new Error(t('transport_refused', ltr(url), describeClose(ev.code, ev.reason))));
        return;
      }
      finish(describeClose(ev.code, ev.reason));
    };
    // An error is always followed by a close event, which carries what we report.
    ws.onerror = () => {};
  });
}
