import { describe, expect, it } from 'vitest';
import { UiPorts, type UiPort } from '../../../extension/src/background/ui-ports.js';
import { initialState } from '../../../extension/src/background/state.js';

function fakePort(fail = false) {
  const got: unknown[] = [];
  let disconnect = (): void => {};
  const port: UiPort = {
    postMessage: (m) => {
      if (fail) throw new Error('Attempting to use a disconnected port object');
      got.push(m);
    },
    onDisconnect: { addListener: (cb) => (disconnect = cb) },
  };
  return { port, got, disconnect: () => disconnect() };
}

describe('UI ports', () => {
  it('pushes to every open page, or to one', () => {
    let empty = 0;
    const ports = new UiPorts(() => empty++);
    const a = fakePort();
    const b = fakePort();
    ports.add(a.port);
    ports.add(b.port);
    const push = { type: 'state' as const, state: initialState() };
    ports.push(push);
    ports.push(push, b.port);
    expect(a.got).toHaveLength(1);
    expect(b.got).toHaveLength(2);
    a.disconnect();
    expect(ports.size).toBe(1);
    expect(empty).toBe(0);
    b.disconnect();
    expect(ports.size).toBe(0);
    expect(empty).toBe(1);
  });

  it('drops a port that fails, and says when none is left', () => {
    let empty = 0;
    const ports = new UiPorts(() => empty++);
    ports.add(fakePort(true).port);
    ports.push({ type: 'relay-event', event: 'admin.alert', data: {}, ts: '2024-05-01T12:00:00Z' });
    expect(ports.size).toBe(0);
    expect(empty).toBe(1);
  });
});
