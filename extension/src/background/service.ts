import type { FrameTransport } from '../../../common/client/bank-client.js';
import type { CryptoSuite } from '../../../common/protocol/crypto.js';
import { isEventName } from '../../../common/schemas/events.js';
import type { AppState, UiResponse } from '../shared/api.js';
import { AutoLock, type AlarmsApi, type IdleApi, type IdleState } from './autolock.js';
import { cacheWriter, type ViewCache } from './cache.js';
import { SessionController, type ConnectionTiming } from './session-controller.js';
import { createRequestHandler } from './messages.js';
import { Notifier, type BadgeApi, type NotificationsApi } from './notify.js';
import { SessionKeeper } from './session-token.js';
import { loadPolicy, type ManagedArea } from './policy.js';
import { loadSettings, relayKey } from './settings.js';
import { initialState, newNotifications, userView } from './state.js';
import type { KeyValueArea } from './storage.js';
import { createStore, type StateStore } from './store.js';
import { RunEngine } from './runs/engine.js';
import type { RunnerOptions } from './runs/runner.js';
import { memoryRunStore, type RunStore } from './runs/run-store.js';
import { TrustStore } from './trust.js';
import { UiPorts, type UiPort } from './ui-ports.js';

/*
 * The background service worker put together from its parts. Everything the browser provides
 * comes in through BackgroundPlatform, so the entrypoint only adapts `browser.*` and registers
 * listeners. The worker may be stopped at any time: the state is rebuilt from storage (settings,
 * pins, the session token), the IndexedDB cache, and a resume on the relay.
 */

export interface BackgroundPlatform {
  /** chrome.storage.local: settings and key pins. */
  local: KeyValueArea;
  /** chrome.storage.session: the session token (never written anywhere else). */
  session: KeyValueArea;
  openTransport(url: string): Promise<FrameTransport>;
  suite: CryptoSuite;
  cache?: ViewCache;
  notifications: NotificationsApi;
  badge: BadgeApi;
  alarms: AlarmsApi;
  idle: IdleApi;
  timing?: Partial<ConnectionTiming>;
  /** storage.managed: an organization's policy (none in tests that do not give one). */
  managed?: ManagedArea;
  /** Payment runs (IndexedDB); kept in memory when not given. */
  runStore?: RunStore;
  /** How payment runs are sent (batch size, retry waits): tests make them small. */
  runTiming?: RunnerOptions;
  now?: () => Date;
  newId?: () => string;
  log?: (message: string, err?: unknown) => void;
}

export interface Background {
  /** Settled when settings, the remembered session and its cached view are loaded. */
  ready: Promise<void>;
  store: StateStore;
  connection: SessionController;
  ports: UiPorts;
  runs: RunEngine;
  handleRequest(raw: unknown): Promise<UiResponse>;
  connectPort(port: UiPort): void;
  onAlarm(alarm: { name: string }): void;
  onIdleState(state: IdleState): void;
  /** The managed storage changed: the policy is read again and applied. */
  onPolicyChanged(): Promise<void>;
  stop(): void;
}

/**
 * A periodic alarm that wakes the background if the browser stopped it: Chrome keeps a service
 * worker alive while its WebSocket is active, but Firefox may unload an idle event page with
 * the socket open. Waking rebuilds the background, which connects and resumes the session.
 */
export const WAKE_ALARM = 'bank-wake';
const WAKE_MINUTES = 0.5;

/** Fields whose change is worth a cache write. */
const CACHED: (keyof AppState)[] = ['user', 'accounts', 'recent', 'recentNext', 'notifications', 'syncedAt'];

export function createBackground(p: BackgroundPlatform): Background {
  const log = p.log ?? ((message: string, err?: unknown) => console.warn(`[background] ${message}`, err ?? ''));
  const store = createStore(initialState());
  const trust = new TrustStore(p.local, () => store.get().policy.relayFingerprint);
  const keeper = new SessionKeeper(p.session);
  const writer = p.cache ? cacheWriter(p.cache, (err) => log('cache write failed', err)) : undefined;
  const notifier = new Notifier(p.notifications, p.badge, log);
  // When the last page closes, nobody shows the admin's live request monitor any more.
  const ports = new UiPorts(() => connection.stopMonitor());

  const connection: SessionController = new SessionController({
    store,
    trust,
    session: keeper,
    ...(p.cache && { cache: p.cache }),
    openTransport: p.openTransport,
    suite: p.suite,
    ...(p.timing && { timing: p.timing }),
    log,
    onRelayEvent(e, prev, next) {
      if (isEventName(e.event)) ports.push({ type: 'relay-event', event: e.event, data: e.data, ts: e.ts });
      notifier.show(newNotifications(prev, next), next);
    },
    onSignedOut(cause, reason, username) {
      autolock.disarm();
      // Payroll data is personal: signing out takes the person's runs out of this browser. A lock
      // (or the relay ending the session) keeps them, so a run cut off mid-way, its in-doubt rows
      // with their transfer ids, is resumed after the next sign-in instead of being paid anew.
      if (cause === 'logout' && username) void runs.clearOwner(username).catch((err: unknown) => log('could not delete the payment runs', err));
      if ((cause === 'revoked' || cause === 'expired') && reason) notifier.signedOut(reason, store.get());
      // Signing out (unlike locking) also forgets what this person last saw on this browser.
      if (cause === 'logout' && username && p.cache && writer) {
        const cache = p.cache;
        const url = store.get().settings.relayUrl;
        writer.cancel();
        void writer
          .flushed()
          .then(() => cache.remove(url, username))
          .catch((err: unknown) => log('cache remove failed', err));
      }
    },
  });

  const runs = new RunEngine({
    store: p.runStore ?? memoryRunStore(),
    call: (op, args, as) => connection.call(op, args, as),
    clock: { now: p.now ?? (() => new Date()) },
    newId: p.newId ?? (() => crypto.randomUUID()),
    owner() {
      const s = store.get();
      return s.user ? { relayUrl: s.settings.relayUrl, username: s.user.username, role: s.user.role } : undefined;
    },
    publish: (list) => store.dispatch({ type: 'runs', runs: list }),
    ...p.runTiming,
    log,
  });

  const autolock = new AutoLock({
    alarms: p.alarms,
    idle: p.idle,
    minutes: () => store.get().settings.autoLockMinutes,
    signedIn: () => connection.signedIn,
    lock: (reason) => connection.signOut('lock', reason),
    log,
  });

  store.subscribe((next, prev) => {
    ports.push({ type: 'state', state: next });
    if (next.user?.username !== prev.user?.username || next.settings.relayUrl !== prev.settings.relayUrl) void runs.ownerChanged();
    notifier.syncBadge(next);
    const view = userView(next);
    if (writer && view && CACHED.some((k) => next[k] !== prev[k])) writer.write(next.settings.relayUrl, view);
  });
  notifier.syncBadge(store.get());

  const ready = (async () => {
    // Before the settings: what the policy fixes applies to them from the start.
    store.dispatch({ type: 'policy', policy: await loadPolicy(p.managed, log) });
    try {
      const settings = await loadSettings(p.local);
      store.dispatch({ type: 'settings', settings });
      const pinned = await trust.pinned(settings.relayUrl);
      if (pinned !== undefined) store.dispatch({ type: 'trust', trust: { pinned } });
    } catch (err) {
      log('could not load settings; using the defaults', err);
    }
    // Before the session is restored, so a restarted worker keeps the alarm already counting down.
    autolock.configure();
    await p.alarms.create(WAKE_ALARM, { periodInMinutes: WAKE_MINUTES }).catch((err: unknown) => log('could not set the wake alarm', err));
    try {
      await connection.start();
    } catch (err) {
      log('could not start the connection', err);
    }
  })();

  const handleRequest = createRequestHandler({ ready, store, connection, local: p.local, autolock, runs, log });

  async function onPolicyChanged(): Promise<void> {
    await ready;
    const before = store.get();
    store.dispatch({ type: 'policy', policy: await loadPolicy(p.managed, log) });
    const after = store.get();
    if (relayKey(after.settings.relayUrl) !== relayKey(before.settings.relayUrl)) await connection.relayChanged();
    else if (after.policy.relayFingerprint !== before.policy.relayFingerprint) {
      const pinned = await trust.pinned(after.settings.relayUrl);
      store.dispatch({ type: 'trust', trust: pinned === undefined ? {} : { pinned } });
      connection.reconnect();
    }
    if (after.settings.autoLockMinutes !== before.settings.autoLockMinutes) autolock.configure();
  }

  return {
    ready,
    store,
    connection,
    ports,
    runs,
    handleRequest,
    connectPort(port) {
      ports.add(port);
      void ready.then(() => ports.push({ type: 'state', state: store.get() }, port));
    },
    onAlarm: (alarm) => autolock.onAlarm(alarm),
    onIdleState: (state) => autolock.onIdleState(state),
    onPolicyChanged,
    stop: () => connection.stop(),
  };
}
