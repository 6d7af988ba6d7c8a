import { browser } from 'wxt/browser';
import { useEffect, useState } from 'preact/hooks';
import type { OpName } from '../../../common/schemas/ops.js';
import type { z } from 'zod';
import type { opDefs } from '../../../common/schemas/ops.js';
import { t } from '../shared/i18n.js';
import { UI_PORT, type AppState, type BackgroundPush, type CallResult, type UiErrorCode, type UiRequest, type UiResponse } from '../shared/api.js';

/** An error from the background or the relay, with the relay's code (e.g. INSUFFICIENT_FUNDS). */
export class UiCallError extends Error {
  constructor(readonly code: UiErrorCode, message: string) {
    super(message);
    this.name = 'UiCallError';
  }
}

/** Sends one request to the background and unwraps its answer. */
export async function send<T = unknown>(request: UiRequest): Promise<T> {
  const response = (await browser.runtime.sendMessage(request)) as UiResponse<T> | undefined;
  if (!response) throw new UiCallError('INTERNAL', t('error_background_silent'));
  if (!response.ok) throw new UiCallError(response.error.code, response.error.message);
  return response.result;
}

/** A relay op through the background (which holds the connection and the session). */
export function call<N extends OpName>(op: N, args: z.input<(typeof opDefs)[N]['args']>): Promise<CallResult<N>> {
  return send<CallResult<N>>({ type: 'call', op, args });
}

type Listener = (push: BackgroundPush) => void;
let port: ReturnType<typeof browser.runtime.connect> | undefined;
const listeners = new Set<Listener>();

/** One port per page, reopened if the service worker restarts. */
function ensurePort(): void {
  if (port) return;
  port = browser.runtime.connect({ name: UI_PORT });
  port.onMessage.addListener((msg: unknown) => {
    for (const l of listeners) l(msg as BackgroundPush);
  });
  port.onDisconnect.addListener(() => {
    port = undefined;
    // The worker went away (restarted): reconnect so pushes keep coming.
    setTimeout(() => {
      if (listeners.size > 0) {
        ensurePort();
        void send<AppState>({ type: 'state' }).then((state) => listeners.forEach((l) => l({ type: 'state', state })), () => undefined);
      }
    }, 250);
  });
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  ensurePort();
  return () => listeners.delete(listener);
}

/** The background's AppState, live; undefined until the first answer. */
export function useAppState(): AppState | undefined {
  const [state, setState] = useState<AppState>();
  useEffect(() => {
    const off = subscribe((push) => {
      if (push.type === 'state') setState(push.state);
    });
    void send<AppState>({ type: 'state' }).then(setState, () => undefined);
    return off;
  }, []);
  return state;
}

/** Relay events as they arrive (admin live views: alerts, audit tail, monitor). */
export function useRelayEvents(onEvent: (event: string, data: unknown, ts: string) => void): void {
  useEffect(
    () =>
      subscribe((push) => {
        if (push.type === 'relay-event') onEvent(push.event, push.data, push.ts);
      }),
    [onEvent],
  );
}
