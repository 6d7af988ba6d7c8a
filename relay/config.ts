import { z } from 'zod';
import { isPostgresUrl } from './store/postgres/url.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_FRAME } from '../common/protocol/constants.js';
import { EXTENSION_ORIGIN } from '../common/extension-identity.js';

const MINUTE = 60_000;

/** Every relay setting, with its default. The CLI's flags map onto these keys. */
export const relayConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('./data'),
  host: z.string().min(1).default('127.0.0.1'),
  tcpPort: z.number().int().min(0).max(65535).default(1234),
  wsPort: z.number().int().min(0).max(65535).default(1235),
  /**
   * The legacy gateway's port (docs/LEGACY.md): serves the old Qt bank client's XOR-ed plaintext
   * protocol on `host`. Off unless set (null or absent: off); 0 for any free port.
   */
  legacyPort: z.number().int().min(0).max(65535).nullable().optional(),
  /**
   * How the gateway ties the Qt client's dashboard connection to its Login: "address" (a Login
   * leaves a 120 s grant for the next connection from the same address) or "connection" (only a
   * Login on the same connection signs it in; the stock client's dashboards then stay signed out).
   */
  legacyBinding: z.enum(['address', 'connection']).default('address'),
  /** Each legacy connection starts with a PROXY protocol v1 line (from a TLS tunnel) naming the real client address. */
  legacyProxyProtocol: z.boolean().default(false),
  /** WebSocket origins allowed to connect; by default the project's own extension. */
  allowedOrigins: z.array(z.string().min(1)).default([EXTENSION_ORIGIN]),
  requireOrigin: z.boolean().default(false),
  /**
   * Also accept any Firefox extension's origin (`moz-extension://` + a UUID): Firefox gives
   * each install its own random one, so listing them in allowedOrigins means one entry per
   * customer. Web pages (http/https) stay refused either way (docs/SECURITY.md).
   */
  allowFirefoxExtensions: z.boolean().default(false),
  /** Pre-shared key mixed into the handshake (PROTOCOL §2.3); empty means none. */
  psk: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes').default(() => new Uint8Array(0)),
  maxFrame: z.number().int().min(1024).max(64 * 1024 * 1024).default(DEFAULT_MAX_FRAME),
  heartbeatMs: z.number().int().min(100).default(DEFAULT_HEARTBEAT_MS),
  /** Unsent bytes a connection may queue before it is dropped as too slow (its session survives). */
  maxBufferedBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
  /** A connection that has not finished the handshake by then is dropped. */
  handshakeTimeoutMs: z.number().int().min(100).default(10_000),
  sessionIdleMs: z.number().int().min(1000).default(15 * MINUTE),
  sessionAbsoluteMs: z.number().int().min(1000).default(12 * 60 * MINUTE),
  lockout: z
    .strictObject({
      maxFailures: z.number().int().min(1).default(5),
      windowMs: z.number().int().min(1000).default(15 * MINUTE),
      durationMs: z.number().int().min(1000).default(15 * MINUTE),
    })
    .default({ maxFailures: 5, windowMs: 15 * MINUTE, durationMs: 15 * MINUTE }),
  /** log2 of scrypt's N; 15 = 32 MiB and tens of ms per hash. */
  scryptLog2N: z.number().int().min(10).max(20).default(15),
  currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  /** Transfers, deposits and withdrawals at or above this raise `admin.alert` kind large_transfer. */
  largeTransferAlert: z.number().int().min(1).default(1_000_000),
  /** Per-user limits for customer transfers unless an admin sets others. */
  defaultLimits: z
    .strictObject({ perTransfer: z.number().int().min(0).default(5_000_000), perDay: z.number().int().min(0).default(20_000_000) })
    .default({ perTransfer: 5_000_000, perDay: 20_000_000 }),
  /** `account.lookup` calls allowed per user per minute, over all their sessions (payee names are personal data). */
  lookupsPerMinute: z.number().int().min(1).default(30),
  /** Distinct accounts each user may look up per UTC day with account.lookupMany (payment files' payees). */
  bulkLookupsPerDay: z.number().int().min(1).default(10_000),
  /** Open connections (TCP and WebSocket/HTTP together) one IP address may hold; 0 = no cap. */
  maxConnectionsPerIp: z.number().int().min(0).default(256),
  /** Requests one connection may make: `perSecond` on average, bursts of up to `burst`; perSecond 0 = no limit. */
  requestRate: z
    .strictObject({ perSecond: z.number().int().min(0).default(50), burst: z.number().int().min(1).default(200) })
    .default({ perSecond: 50, burst: 200 }),
  /**
   * Failed sign-ins from one IP address (any usernames) within `windowMs`; past that, sign-ins
   * from it are refused RATE_LIMITED, before any password is checked, until the window lets
   * one go. 0 = no throttle. The per-user lockout applies as well.
   */
  loginThrottle: z
    .strictObject({ maxFailuresPerIp: z.number().int().min(0).default(20), windowMs: z.number().int().min(1000).default(15 * MINUTE) })
    .default({ maxFailuresPerIp: 20, windowMs: 15 * MINUTE }),
  /**
   * Password hashes (sign-ins, sign-ups, password changes) one IP address may have waiting or
   * running at once, and hashes the whole relay lets wait; past either, new ones are refused
   * RATE_LIMITED at once. Waiting ones are served in turn across addresses, so an address's
   * queue delays only itself: the cap bounds memory and one address's share, and lets the
   * customers of one office network sign in together.
   */
  passwordChecks: z
    .strictObject({ perAddress: z.number().int().min(1).default(64), maxWaiting: z.number().int().min(1).default(1024) })
    .default({ perAddress: 64, maxWaiting: 1024 }),
  /** After a disk error, how often the relay checks whether the data directory takes writes again. */
  diskRetryMs: z.number().int().min(100).default(5000),
  /**
   * Where the bank is stored: "leveldb" (embedded, in dataDir/db) or a PostgreSQL URL,
   * postgres://USER@HOST:PORT/DB, that several relays may share (docs/POSTGRES.md). The
   * password is best given in PGPASSWORD, not in the URL.
   */
  store: z.string().refine((v) => v === 'leveldb' || isPostgresUrl(v), 'must be "leveldb" or a postgres:// URL').default('leveldb'),
  /** Connections this relay keeps to PostgreSQL (its writer uses one at a time; reads share the rest). */
  postgresPoolSize: z.number().int().min(2).max(200).default(10),
  /** `auth.register` calls one IP address may make per hour; 0 = no limit. */
  registrationsPerIpPerHour: z.number().int().min(0).default(10),
  logFormat: z.enum(['json', 'pretty']).default('json'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** One log line per request; off for benchmarks that measure the relay, not its log. */
  logRequests: z.boolean().default(true),
  /** Serve even when the start-up audit/ledger check finds a mismatch (`--force`); logged loudly. */
  forceStart: z.boolean().default(false),
  /** PEM certificate (chain) file: with tlsKey, TCP is served over TLS and WebSocket as wss://. */
  tlsCert: z.string().min(1).optional(),
  /** PEM private key file for tlsCert. Both or neither. */
  tlsKey: z.string().min(1).optional(),
  /** A stopping relay (SIGINT/SIGTERM) exits by then even if something hangs (the CLI enforces it). */
  shutdownTimeoutMs: z.number().int().min(1000).max(600_000).default(15_000),
});

export type RelayConfig = z.output<typeof relayConfigSchema>;
export type RelayConfigInput = z.input<typeof relayConfigSchema>;

export function resolveConfig(input: RelayConfigInput = {}): RelayConfig {
  return relayConfigSchema.parse(input);
}
