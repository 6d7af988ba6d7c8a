import { useEffect, useState } from 'preact/hooks';
import { vi } from 'vitest';
import type { AppState, UiRequest } from '../../../../extension/src/shared/api.js';

/*
 * Stands in for extension/src/ui/bridge.ts in popup tests (vi.mock(..., () => import('./fake-bridge.js'))):
 * the test drives AppState with setState() and scripts/inspects send() and call(). UiCallError is
 * the real class, so the popup's error handling sees exactly what it will see in the extension.
 */

const actual = await vi.importActual<typeof import('../../../../extension/src/ui/bridge.js')>('../../../../extension/src/ui/bridge.js');
export const UiCallError = actual.UiCallError;

let current: AppState | undefined;
const listeners = new Set<(s: AppState | undefined) => void>();

/** Pushes a new AppState to every mounted page, as the background does on each change. */
export function setState(next: AppState | undefined): void {
  current = next;
  for (const l of listeners) l(next);
}

export function getState(): AppState | undefined {
  return current;
}

export const send = vi.fn(async (_request: UiRequest): Promise<unknown> => ({}));
export const call = vi.fn(async (_op: string, _args: unknown): Promise<unknown> => ({}));

export function useAppState(): AppState | undefined {
  const [state, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    set(current);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return state;
}

export function useRelayEvents(): void {}

export function subscribe(): () => void {
  return () => undefined;
}

/** Between tests: no state, fresh mocks. */
export function resetBridge(): void {
  current = undefined;
  send.mockReset();
  send.mockImplementation(async () => ({}));
  call.mockReset();
  call.mockImplementation(async () => ({}));
}
