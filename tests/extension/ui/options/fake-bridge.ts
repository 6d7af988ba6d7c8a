import { useEffect, useState } from 'preact/hooks';
import { vi } from 'vitest';
import type { AppState, UiRequest } from '../../../../extension/src/shared/api.js';

/*
 * Stands in for extension/src/ui/bridge.ts in unit tests (vi.mock): the page's seam to the
 * background. Tests drive AppState and relay events, and answer `call` per op.
 */

type StateListener = (state: AppState | undefined) => void;
type EventListener = (event: string, data: unknown, ts: string) => void;

let current: AppState | undefined;
const stateListeners = new Set<StateListener>();
const eventListeners = new Set<EventListener>();

export class UiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UiCallError';
  }
}

export const call = vi.fn<(op: string, args: unknown) => Promise<unknown>>();
export const send = vi.fn<(request: UiRequest) => Promise<unknown>>();

export function useAppState(): AppState | undefined {
  const [state, setState] = useState<AppState | undefined>(current);
  useEffect(() => {
    const listener: StateListener = (s) => setState(s);
    stateListeners.add(listener);
    setState(current);
    return () => {
      stateListeners.delete(listener);
    };
  }, []);
  return state;
}

export function useRelayEvents(onEvent: EventListener): void {
  useEffect(() => {
    eventListeners.add(onEvent);
    return () => {
      eventListeners.delete(onEvent);
    };
  }, [onEvent]);
}

export function subscribe(): () => void {
  return () => undefined;
}

// ---- test controls ----

export function setAppState(state: AppState | undefined): void {
  current = state;
  for (const l of stateListeners) l(state);
}

export function emitRelayEvent(event: string, data: unknown, ts = new Date().toISOString()): void {
  for (const l of eventListeners) l(event, data, ts);
}

/** Answers `call` by op name; an op with no answer fails like the relay would for an unknown op. */
export function answerCalls(handlers: Record<string, (args: any) => unknown>): void {
  call.mockImplementation(async (op: string, args: unknown) => {
    const handler = handlers[op];
    if (!handler) throw new UiCallError('UNKNOWN_OP', `no test answer for ${op}`);
    return handler(args);
  });
}

export function callsOf(op: string): unknown[] {
  return call.mock.calls.filter(([name]) => name === op).map(([, args]) => args);
}

/** Answers `send` by request type (payment runs and the like); a type with no answer fails as the background would. */
export function answerRequests(handlers: Record<string, (request: any) => unknown>): void {
  send.mockImplementation(async (request: UiRequest) => {
    const handler = handlers[request.type];
    if (!handler) throw new UiCallError('BAD_REQUEST', `no test answer for ${request.type}`);
    return handler(request);
  });
}

export function requestsOf(type: string): UiRequest[] {
  return send.mock.calls.map(([request]) => request).filter((r) => r.type === type);
}

export function resetFakeBridge(): void {
  current = undefined;
  stateListeners.clear();
  eventListeners.clear();
  call.mockReset();
  send.mockReset();
  send.mockResolvedValue({});
}
