import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeClose, openWebSocketTransport, type WebSocketConstructor, type WebSocketLike } from '../../../extension/src/background/browser-transport.js';

/** A scripted stand-in for the browser's WebSocket. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  binaryType = 'blob';
  readyState = 0;
  sent: Uint8Array[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
const Fake = FakeSocket as unknown as WebSocketConstructor;

afterEach(() => {
  vi.useRealTimers();
});

describe('the browser WebSocket transport', () => {
  it('opens with arraybuffer binary type and passes whole frames both ways', async () => {
    const pending = openWebSocketTransport('ws://relay/', { WebSocketImpl: Fake });
    const ws = FakeSocket.last!;
    expect(ws.binaryType).toBe('arraybuffer');
    ws.open();
    const t = await pending;
    const frames: Uint8Array[] = [];
    t.onFrame = (f) => frames.push(f);
    ws.onmessage?.({ data: new Uint8Array([1, 2, 3]).buffer });
    expect(frames).toEqual([new Uint8Array([1, 2, 3])]);
    t.send(new Uint8Array([9]));
    expect(ws.sent).toEqual([new Uint8Array([9])]);
  });

  it('reports the close once, in words', async () => {
    const pending = openWebSocketTransport('ws://relay/', { WebSocketImpl: Fake });
    const ws = FakeSocket.last!;
    ws.open();
    const t = await pending;
    const reasons: string[] = [];
    t.onClose = (r) => reasons.push(r);
    ws.serverClose(1001, 'relay shutting down');
    ws.serverClose(1001, 'again');
    expect(reasons).toEqual(['the relay is shutting down (1001: relay shutting down)']);
    t.send(new Uint8Array([1])); // after close: dropped, not thrown
    expect(ws.sent).toEqual([]);
  });

  it('closes on a text message (frames are binary only)', async () => {
    const pending = openWebSocketTransport('ws://relay/', { WebSocketImpl: Fake });
    const ws = FakeSocket.last!;
    ws.open();
    const t = await pending;
    const reasons: string[] = [];
    t.onClose = (r) => reasons.push(r);
    ws.onmessage?.({ data: 'hello' });
    expect(ws.closedWith).toBe(1000);
    expect(reasons).toHaveLength(1);
  });

  it('rejects when the socket closes before opening', async () => {
    const pending = openWebSocketTransport('ws://relay/', { WebSocketImpl: Fake });
    FakeSocket.last!.serverClose(1006);
    await expect(pending).rejects.toThrow(/could not connect to ws:\/\/relay\/: the connection was lost \(1006\)/);
  });

  it('gives up after the timeout and closes the socket', async () => {
    vi.useFakeTimers();
    const pending = openWebSocketTransport('ws://relay/', { WebSocketImpl: Fake, timeoutMs: 1_000 });
    const ws = FakeSocket.last!;
    const check = expect(pending).rejects.toThrow(/within 1000 ms/);
    await vi.advanceTimersByTimeAsync(1_000);
    await check;
    expect(ws.closedWith).toBeDefined();
  });

  it('rejects when the constructor throws (a malformed URL)', async () => {
    class Throws {
      constructor() {
        throw new SyntaxError('bad url');
      }
    }
    await expect(openWebSocketTransport('nope', { WebSocketImpl: Throws as unknown as WebSocketConstructor })).rejects.toThrow('bad url');
  });

  it('names the relay close codes', () => {
    expect(describeClose(4002, '')).toBe('the session was revoked (4002)');
    expect(describeClose(4999, 'x')).toBe('closed (4999: x)');
  });
});
