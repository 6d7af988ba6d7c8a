import { z } from 'zod';
import { describeZodError } from '../../../common/schemas/messages.js';
import { t } from '../shared/i18n.js';
import { uiRequestSchema, type AppState, type Settings, type UiRequest, type UiResponse } from '../shared/api.js';
import type { AutoLock } from './autolock.js';
import type { RunEngine } from './runs/engine.js';
import { handleRunRequest, isRunRequest } from './runs/requests.js';
import type { SessionController } from './session-controller.js';
import { fixedByPolicy } from './policy.js';
import { relayKey, saveSettings } from './settings.js';
import type { KeyValueArea } from './storage.js';
import type { StateStore } from './store.js';

/*
 * Requests from the extension's own pages (UiRequest, see shared/api.ts). Anything else that
 * reaches runtime.onMessage — content scripts, other extensions, web pages — gets no answer.
 */

/** The part of runtime.MessageSender the check reads. */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { url?: string };
}

/**
 * True only for this extension's own pages: the sender is this extension, its document is
 * under the extension's URL, and if it sits in a tab, that tab shows an extension page too
 * (a content script has our id but a web page's url; an extension frame inside a web page has
 * our url but a web page's tab).
 */
export function isOwnPage(sender: SenderLike | undefined, extensionId: string, extensionUrl: string): boolean {
  if (!sender || !extensionId || !extensionUrl) return false;
  const base = extensionUrl.endsWith('/') ? extensionUrl : `${extensionUrl}/`;
  if (sender.id !== extensionId) return false;
  if (typeof sender.url !== 'string' || !sender.url.startsWith(base)) return false;
  if (sender.origin !== undefined && `${sender.origin}/` !== base) return false;
  if (sender.tab && sender.tab.url !== undefined && !sender.tab.url.startsWith(base)) return false;
  return true;
}

export interface RequestHandlerDeps {
  /** Settled once settings, the remembered session and its cache are loaded. */
  ready: Promise<void>;
  store: StateStore;
  connection: SessionController;
  local: KeyValueArea;
  autolock: AutoLock;
  runs: RunEngine;
  log?: (message: string, err?: unknown) => void;
}

const ok = <T>(result: T): UiResponse<T> => ({ ok: true, result });
const badRequest = (message: string): UiResponse<never> => ({ ok: false, error: { code: 'BAD_REQUEST', message } });
const KEY_FIXED = badRequest("the relay's key is set by your organization's policy; it cannot be changed here");

export function createRequestHandler(deps: RequestHandlerDeps): (raw: unknown) => Promise<UiResponse> {
  const { store, connection, autolock } = deps;
  const state = (): UiResponse<AppState> => ok(store.get());

  async function applySettings(patch: Partial<Settings>): Promise<UiResponse> {
    const fixed = fixedByPolicy(patch, store.get().policy);
    // "field: …", as the relay words a field's problem, so the page shows it next to that field.
    if (fixed.length > 0) return badRequest(`${fixed[0]}: ${t('settings_error_fixed_by_policy')}`);
    const prev = store.get().settings;
    let next: Settings;
    try {
      next = await saveSettings(deps.local, prev, patch);
    } catch (err) {
      return badRequest(err instanceof z.ZodError ? describeZodError(err) : t('settings_error_invalid'));
    }
    store.dispatch({ type: 'settings', settings: next });
    if (relayKey(prev.relayUrl) !== relayKey(next.relayUrl)) await connection.relayChanged();
    if (prev.autoLockMinutes !== next.autoLockMinutes) autolock.configure();
    return state();
  }

  async function handle(request: UiRequest): Promise<UiResponse> {
    if (isRunRequest(request)) return handleRunRequest(request, deps.runs, (op, args) => connection.call(op, args));
    switch (request.type) {
      case 'state':
        return state();
      case 'login':
        return connection.login(request.username, request.password);
      case 'register': {
        const { username, password, displayName } = request;
        return connection.call('auth.register', { username, password, displayName });
      }
      case 'logout':
        await connection.signOut('logout');
        return state();
      case 'lock':
        await connection.signOut('lock');
        return state();
      case 'call':
        return connection.call(request.op, request.args);
      case 'settings':
        return applySettings(request.settings);
      case 'trust.accept':
        if (store.get().policy.relayFingerprint !== undefined) return KEY_FIXED;
        return (await connection.acceptOfferedKey()) ? state() : badRequest('the relay has not offered a new key to accept');
      case 'trust.forget':
        if (store.get().policy.relayFingerprint !== undefined) return KEY_FIXED;
        await connection.forgetKey();
        return state();
      case 'notifications.read':
        store.dispatch({ type: 'notifications.read' });
        return state();
      case 'activity':
        return ok({});
    }
  }

  return async (raw) => {
    const parsed = uiRequestSchema.safeParse(raw);
    if (!parsed.success) return badRequest(describeZodError(parsed.error));
    try {
      await deps.ready;
      const response = await handle(parsed.data as UiRequest);
      // Every request from a page is the person using the extension: the auto-lock starts over.
      autolock.touch();
      return response;
    } catch (err) {
      deps.log?.(`request ${parsed.data.type} failed`, err);
      return { ok: false, error: { code: 'INTERNAL', message: t('error_extension_internal') } };
    }
  };
}
