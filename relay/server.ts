import type net from 'node:net';
import { resolveConfig, type RelayConfig, type RelayConfigInput } from './config.js';
import { createLogger, type Logger } from './log.js';
import { UserStore } from './auth/users.js';
import { LegacyAliases } from './legacy/aliases.js';
import { LegacyGateway } from './legacy/gateway/listener.js';
import { aliasDirectory } from './legacy/gateway/directory.js';
import { SessionStore } from './auth/sessions.js';
import { LiveConnections } from './session/live.js';
import { EventBus } from './session/events.js';
import { ClientConnection } from './session/client-connection.js';
import { loadOrCreateIdentity, type RelayIdentity } from './identity.js';
import { createDispatcher } from './ops/dispatch.js';
import { registry } from './ops/index.js';
import { TcpListener } from './transport/tcp.js';
import { WsListener } from './transport/ws.js';
import { CloseCode, type Wire } from './transport/wire.js';
import { ensureAdmin, type BootstrappedAdmin } from './bootstrap.js';
import type { RelayContext } from './context.js';
import { RelayMetrics } from './metrics/relay-metrics.js';
import { relayMetricsSource } from './metrics/source.js';
import { notifyCommitted } from './ledger/notify.js';
import { DailyLookupBudget } from './session/daily-lookups.js';
import { MinuteRateLimit, WindowRateLimit } from './session/rate-limit.js';
import { checkDataDir } from './config/data-dir.js';
import { loadTls } from './transport/tls.js';
import { AddressCap } from './transport/address-cap.js';
import { openStore } from './store/open-store.js';
import { startSessionTimers } from './session/expiry.js';
import { FailureBudget } from './auth/failure-budget.js';
import type { OpenedStore } from './store/opened-store.js';

export interface StartOptions {
  log?: Logger;
  /** Password for the first `admin` (else generated). Usually from BANK_RELAY_ADMIN_PASSWORD. */
  adminPassword?: string;
  clock?: () => number;
}

/** How long shutdown waits for requests in flight before closing anyway. */
const DRAIN_MS = 5000;

/** A running relay: both listeners, the database and every connection. */
export class Relay {
  private phase: 'starting' | 'serving' | 'stopping' | 'stopped' = 'starting';
  tcpAddress!: net.AddressInfo;
  wsAddress!: net.AddressInfo;
  bootstrappedAdmin: BootstrappedAdmin | undefined;
  /** The legacy gateway (`legacyPort`), when on, and where it listens. */
  legacyGateway: LegacyGateway | undefined;
  legacyAddress: net.AddressInfo | undefined;
  private stopSessionTimers: () => void = () => {};

  private constructor(
    readonly context: RelayContext,
    private readonly tcp: TcpListener,
    private readonly ws: WsListener,
    readonly metrics: RelayMetrics,
    private readonly store: OpenedStore,
    /** Open sockets per address, across both ports (maxConnectionsPerIp). */
    readonly connectionCap: AddressCap,
  ) {}

  static async start(input: RelayConfigInput = {}, opts: StartOptions = {}): Promise<Relay> {
    const config: RelayConfig = resolveConfig(input);
    const log = opts.log ?? createLogger({ format: config.logFormat, level: config.logLevel });
    const clock = opts.clock ?? Date.now;
    const tlsMaterial = await loadTls(config);
    await checkDataDir(config.dataDir);
    let relay: Relay | undefined;
    let acceptConnection: ((wire: Wire) => ClientConnection) | undefined;
    const metrics = new RelayMetrics(relayMetricsSource(() => relay));
    const cap = new AddressCap(config.maxConnectionsPerIp, (address, logLine) => {
      metrics.connectionRefused('per_ip_cap');
      if (logLine) log.warn('connections refused: per-address cap reached (logged once a minute per address)', { address, cap: config.maxConnectionsPerIp });
    });
    // The HTTP port comes up first, so /healthz answers 503 "starting" while the database opens
    // and is checked; WebSocket upgrades are refused (503) until the relay serves.
    const ws = new WsListener({
      host: config.host,
      port: config.wsPort,
      maxFrame: config.maxFrame,
      heartbeatMs: config.heartbeatMs,
      allowedOrigins: config.allowedOrigins,
      requireOrigin: config.requireOrigin,
      allowFirefoxExtensions: config.allowFirefoxExtensions,
      accept: (wire) => acceptConnection!(wire),
      tls: tlsMaterial,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      cap,
      health: () => relay?.health() ?? { status: 503, body: { status: 'starting' } },
      metrics: async () => ({ contentType: metrics.contentType, body: await metrics.scrape() }),
      ready: () => relay?.phase === 'serving',
    });
    const wsAddress = await ws.listen();
    const stopWs = async (): Promise<void> => {
      const stopped = ws.stopAccepting();
      ws.destroyAll();
      await stopped;
    };
    const live = new LiveConnections();
    const events = new EventBus(live, clock);
    let store: OpenedStore;
    let identity: RelayIdentity;
    try {
      identity = await loadOrCreateIdentity(config.dataDir);
      store = await openStore({ config, log, clock, metrics, events, live, identity, onCommitted: (effects) => notifyCommitted(events, effects, config.currency) });
    } catch (err) {
      await stopWs();
      throw err;
    }
    try {
      const { bank, commits, ledger } = store;
      const users = new UserStore(bank, commits, config, clock, (user) => {
        events.toAdminsEverywhere('admin.alert', {
          kind: 'lockout',
          message: `${user.username} is locked out after ${config.lockout.maxFailures} failed sign-ins`,
          data: { username: user.username, until: new Date(clock() + config.lockout.durationMs).toISOString() },
        });
      });
      const sessions = new SessionStore(bank, commits, config, clock);
      events.sessionOver = (session, now) => sessions.isExpired(session.record, now) || sessions.hasEnded(session.key);
      const context: RelayContext = { config, log, bank, commits, users, sessions, ledger, live, events, identity, clock, startedAt: clock(), opCounts: new Map(),
        serving: () => relay?.phase === 'serving',
        lookupLimit: new MinuteRateLimit(config.lookupsPerMinute, clock),
        bulkLookups: new DailyLookupBudget(config.bulkLookupsPerDay, clock),
        loginFailuresByIp:
          config.loginThrottle.maxFailuresPerIp > 0 ? new FailureBudget(new WindowRateLimit(config.loginThrottle.maxFailuresPerIp, config.loginThrottle.windowMs, clock)) : null,
        registrationsByIp: config.registrationsPerIpPerHour > 0 ? new WindowRateLimit(config.registrationsPerIpPerHour, 60 * 60_000, clock) : null,
        legacy: new LegacyAliases(bank, { clock }),
      };
      const dispatch = createDispatcher(context, registry, metrics);
      acceptConnection = (wire: Wire): ClientConnection => {
        const conn = new ClientConnection(wire, context, dispatch, (c) => live.remove(c), (c) => metrics.slowConsumerDropped(c.transport));
        live.add(conn);
        return conn;
      };
      const tcp = new TcpListener({ host: config.host, port: config.tcpPort, maxFrame: config.maxFrame, heartbeatMs: config.heartbeatMs, accept: acceptConnection, tls: tlsMaterial, handshakeTimeoutMs: config.handshakeTimeoutMs, cap });
      relay = new Relay(context, tcp, ws, metrics, store, cap);
      relay.wsAddress = wsAddress;
      relay.tcpAddress = await tcp.listen();
      if (config.legacyPort !== undefined && config.legacyPort !== null) {
        const gateway = new LegacyGateway({
          host: config.host,
          port: config.legacyPort,
          relay: context,
          dispatch,
          directory: aliasDirectory(context.legacy, context.ledger),
          cap,
          binding: config.legacyBinding,
          proxyProtocol: config.legacyProxyProtocol,
          onCommand: (command, outcome, seconds) => metrics.legacyCommand(command, outcome, seconds),
        });
        try {
          relay.legacyAddress = await gateway.listen();
        } catch (err) {
          await tcp.stopAccepting();
          throw err;
        }
        relay.legacyGateway = gateway;
      }
      try {
        // Only once both ports are ours: a start that fails must not create an admin whose
        // generated password nobody ever saw.
        relay.bootstrappedAdmin = await ensureAdmin(users, opts.adminPassword);
      } catch (err) {
        await tcp.stopAccepting();
        throw err;
      }
      relay.phase = 'serving';
      relay.stopSessionTimers = startSessionTimers(context);
      return relay;
    } catch (err) {
      await stopWs().catch(() => undefined);
      store.beginClose();
      await store.close().catch(() => undefined);
      throw err;
    }
  }

  /** What the start-up check found; non-empty only when forceStart made the relay serve anyway. */
  get startupProblems(): readonly string[] {
    return this.store.startupProblems;
  }

  health(): { status: number; body: unknown } {
    const { live, commits, clock, startedAt } = this.context;
    // A relay that cannot write takes no changes: a load balancer should send clients elsewhere.
    const trouble = this.phase === 'serving' ? this.store.trouble : undefined;
    const serving = this.phase === 'serving' && trouble === undefined;
    return {
      status: serving ? 200 : 503,
      body: {
        status: serving ? 'ok' : (trouble ?? this.phase),
        uptimeS: Math.floor((clock() - startedAt) / 1000),
        connections: live.countByTransport(),
        sessions: live.sessionCount,
        auditSeq: commits.auditHead.seq,
        startupCheck: this.startupProblems.length === 0 ? 'ok' : 'failed (forced)',
      },
    };
  }

  get fingerprint(): string {
    return this.context.identity.fingerprint;
  }

  /** Stops accepting, lets requests in flight finish (bounded), closes every connection and the database. */
  async close(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'stopping';
    this.stopSessionTimers();
    const { live, commits } = this.context;
    this.store.beginClose();
    const stopTcp = this.tcp.stopAccepting();
    const stopLegacy = this.legacyGateway?.stopAccepting();
    // The HTTP port stays open until the database is closed: /healthz answers 503 "stopping"
    // meanwhile and WebSocket upgrades are refused (ready() is false).
    const deadline = Date.now() + DRAIN_MS;
    while ([...live.all].some((c) => c.inFlight > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const conn of [...live.all]) conn.close(CloseCode.goingAway, 'relay shutting down');
    this.legacyGateway?.dropGrants();
    await commits.drain();
    this.tcp.destroyAll();
    this.legacyGateway?.destroyAll();
    await stopLegacy;
    this.ws.destroyAll();
    await stopTcp;
    await this.store.close();
    this.phase = 'stopped';
    const stopWs = this.ws.stopAccepting();
    this.ws.destroyAll();
    await stopWs;
  }
}
