import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { redactUrl } from '../store/postgres/url.js';
import { relayConfigSchema, type RelayConfig, type RelayConfigInput } from '../config.js';
import { checkDataDir } from '../config/data-dir.js';
import { loadTls } from '../transport/tls.js';
import { StartupError } from '../startup/startup-error.js';
import { CliError } from './errors.js';
import { secretFileProblem } from '../config/secret-file.js';
import { intOption } from './options.js';

/**
 * The relay's configuration comes from four layers, each overriding the one before:
 * defaults < the JSON file (`--config F`) < environment variables (secrets) < command-line flags.
 */

/** The flags of `bank-relay start` (and `config check`, which takes the same ones). Each maps onto a config key. */
export const relayFlags = {
  config: { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  host: { type: 'string' },
  'tcp-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'legacy-port': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'require-origin': { type: 'boolean' },
  'allow-firefox-extensions': { type: 'boolean' },
  'psk-file': { type: 'string' },
  'max-frame': { type: 'string' },
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  'request-log': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'shutdown-timeout-ms': { type: 'string' },
  force: { type: 'boolean' },
} as const;

export interface RelayFlagValues {
  config?: string | undefined;
  data?: string | undefined;
  store?: string | undefined;
  host?: string | undefined;
  'tcp-port'?: string | undefined;
  'ws-port'?: string | undefined;
  'legacy-port'?: string | undefined;
  'allow-origin'?: string[] | undefined;
  'require-origin'?: boolean | undefined;
  'allow-firefox-extensions'?: boolean | undefined;
  'psk-file'?: string | undefined;
  'max-frame'?: string | undefined;
  'log-format'?: string | undefined;
  'log-level'?: string | undefined;
  'heartbeat-ms'?: string | undefined;
  'request-log'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  'shutdown-timeout-ms'?: string | undefined;
  force?: boolean | undefined;
}

/** The file's shape: every relay key except `psk` (bytes), which comes from `pskFile` instead. Unknown keys are refused. */
export const configFileSchema = relayConfigSchema.omit({ psk: true }).extend({
  /** A file holding the pre-shared key as text (one line). */
  pskFile: z.string().min(1).optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;

/** Environment variables read for secrets. */
export const ENV_PSK = 'BANK_RELAY_PSK';
export const ENV_ADMIN_PASSWORD = 'BANK_RELAY_ADMIN_PASSWORD';

/** One problem with the configuration: where (a key path, or the file), what, and what to do. */
export interface ConfigIssue {
  path: string;
  message: string;
  hint?: string;
}

/** What each key is for, used in hints; docs/CONFIG.md says the same at length. */
const KEY_HINTS: Record<string, string> = {
  dataDir: 'a directory path, e.g. "/var/lib/bank-relay" (flag --data)',
  store: '"leveldb", or a PostgreSQL URL such as "postgres://bank@db.internal:5432/bank" (flag --store; the password in PGPASSWORD)',
  postgresPoolSize: 'a whole number 2-200',
  host: 'the address to listen on, e.g. "127.0.0.1" or "0.0.0.0" (flag --host)',
  tcpPort: 'a port number 0-65535, 0 for any free port (flag --tcp-port)',
  wsPort: 'a port number 0-65535, 0 for any free port (flag --ws-port)',
  legacyPort: 'a port number 0-65535 for the old Qt client\'s gateway, off when absent or null (flag --legacy-port; docs/LEGACY.md)',
  legacyBinding: '"address" (a Login\'s grant binds the next connection from the same address) or "connection"',
  legacyProxyProtocol: 'true or false: legacy connections start with a PROXY protocol v1 line from a TLS tunnel',
  allowedOrigins: 'a list of origins, e.g. ["chrome-extension://…"] (flag --allow-origin, repeatable)',
  requireOrigin: 'true or false (flag --require-origin)',
  allowFirefoxExtensions: 'true or false: accept any moz-extension:// origin (flag --allow-firefox-extensions)',
  pskFile: 'a path to a file holding the pre-shared key (flag --psk-file; or BANK_RELAY_PSK)',
  maxFrame: 'bytes, 1024 to 67108864 (flag --max-frame)',
  heartbeatMs: 'milliseconds, at least 100 (flag --heartbeat-ms)',
  maxBufferedBytes: 'bytes, at least 1024',
  handshakeTimeoutMs: 'milliseconds, at least 100',
  sessionIdleMs: 'milliseconds, at least 1000',
  sessionAbsoluteMs: 'milliseconds, at least 1000',
  lockout: 'an object {"maxFailures": n, "windowMs": ms, "durationMs": ms}',
  scryptLog2N: 'a whole number 10-20',
  currency: 'a three-letter upper-case code, e.g. "USD"',
  largeTransferAlert: 'an amount in minor units, at least 1',
  defaultLimits: 'an object {"perTransfer": n, "perDay": n} in minor units',
  lookupsPerMinute: 'a whole number, at least 1',
  bulkLookupsPerDay: 'a whole number, at least 1',
  maxConnectionsPerIp: 'a whole number, 0 for no cap',
  requestRate: 'an object {"perSecond": n, "burst": n}; perSecond 0 for no limit',
  loginThrottle: 'an object {"maxFailuresPerIp": n, "windowMs": ms}; maxFailuresPerIp 0 for no throttle',
  registrationsPerIpPerHour: 'a whole number, 0 for no limit',
  diskRetryMs: 'milliseconds, at least 100',
  logFormat: '"json" or "pretty" (flag --log-format)',
  logLevel: '"debug", "info", "warn", "error" or "silent" (flag --log-level)',
  logRequests: 'true or false (flag --request-log on|off)',
  tlsCert: 'a path to a PEM certificate; needs tlsKey too (flag --tls-cert)',
  tlsKey: 'a path to a PEM private key; needs tlsCert too (flag --tls-key)',
  shutdownTimeoutMs: 'milliseconds, 1000 to 600000 (flag --shutdown-timeout-ms)',
  forceStart: 'true or false (flag --force)',
};

/** Reads, parses and validates a config file; never throws for the file's own faults. */
export async function readConfigFile(file: string): Promise<{ file?: ConfigFile; issues: ConfigIssue[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { issues: [{ path: file, message: `cannot read the config file: ${(err as Error).message}`, hint: 'check the --config path' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos && !/line \d+/.test(message)) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
    }
    return { issues: [{ path: file, message: `not valid JSON: ${message}${where}`, hint: 'the file is one JSON object; no comments or trailing commas' }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { issues: [{ path: file, message: 'the config file must hold one JSON object', hint: 'e.g. {"dataDir": "/var/lib/bank-relay"}' }] };
  }
  if ('psk' in json) {
    const { psk: _psk, ...rest } = json as Record<string, unknown>;
    const result = configFileSchema.safeParse(rest);
    const issues = [pskInFileIssue(), ...(result.success ? [] : zodIssues(result.error))];
    return { issues };
  }
  const result = configFileSchema.safeParse(json);
  return result.success ? { file: result.data, issues: [] } : { issues: zodIssues(result.error) };
}

function pskInFileIssue(): ConfigIssue {
  return { path: 'psk', message: 'the pre-shared key is a secret and cannot be written in the config file', hint: `put it in a file named by "pskFile", or in ${ENV_PSK}` };
}

/** Zod's issues, one per problem, each with its key path and a hint about what the key takes. */
export function zodIssues(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(base);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        out.push({ path: [...base, key].join('.'), message: 'unknown key', hint: guess ? `did you mean "${guess}"?` : `known keys: ${known.join(', ')}` });
      }
      continue;
    }
    const path = base.join('.') || '(top level)';
    const hint = KEY_HINTS[base[0] ?? ''];
    out.push({ path, message: issue.message, ...(hint && { hint: `expected ${hint}` }) });
  }
  return out;
}

function knownKeys(path: string[]): string[] {
  let shape: Record<string, unknown> = configFileSchema.shape;
  for (const key of path) {
    let inner = shape[key] as { unwrap?: () => unknown; shape?: Record<string, unknown>; def?: { innerType?: unknown } } | undefined;
    // Unwrap .default()/.optional() down to the object.
    while (inner && !inner.shape && inner.def?.innerType) inner = inner.def.innerType as typeof inner;
    if (!inner?.shape) return [];
    shape = inner.shape;
  }
  return Object.keys(shape);
}

/** The known key nearest to a misspelt one (case-insensitive edit distance at most 3). */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The flags given, as config keys; a malformed flag value is a usage error (exit 2). */
export function flagsToInput(values: RelayFlagValues): Partial<ConfigFile> {
  const logFormat = values['log-format'];
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') throw new CliError('--log-format must be json or pretty', 2);
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new CliError('--log-level must be debug, info, warn, error or silent', 2);
  }
  const requestLog = values['request-log'];
  if (requestLog !== undefined && requestLog !== 'on' && requestLog !== 'off') throw new CliError('--request-log must be on or off', 2);
  return {
    ...(logFormat !== undefined && { logFormat }),
    ...(logLevel !== undefined && { logLevel: logLevel as ConfigFile['logLevel'] }),
    ...(requestLog !== undefined && { logRequests: requestLog === 'on' }),
    ...(values.data !== undefined && { dataDir: values.data }),
    ...(values.store !== undefined && { store: values.store }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values['tcp-port'] !== undefined && { tcpPort: intOption('--tcp-port', values['tcp-port'], 0, 65535) }),
    ...(values['ws-port'] !== undefined && { wsPort: intOption('--ws-port', values['ws-port'], 0, 65535) }),
    ...(values['legacy-port'] !== undefined && { legacyPort: intOption('--legacy-port', values['legacy-port'], 0, 65535) }),
    ...(values['allow-origin'] !== undefined && { allowedOrigins: values['allow-origin'] }),
    ...(values['require-origin'] !== undefined && { requireOrigin: values['require-origin'] }),
    ...(values['allow-firefox-extensions'] !== undefined && { allowFirefoxExtensions: values['allow-firefox-extensions'] }),
    ...(values['max-frame'] !== undefined && { maxFrame: intOption('--max-frame', values['max-frame'], 1024, 64 * 1024 * 1024) }),
    ...(values['heartbeat-ms'] !== undefined && { heartbeatMs: intOption('--heartbeat-ms', values['heartbeat-ms'], 100, 3_600_000) }),
    ...(values['shutdown-timeout-ms'] !== undefined && { shutdownTimeoutMs: intOption('--shutdown-timeout-ms', values['shutdown-timeout-ms'], 1000, 600_000) }),
    ...(values['psk-file'] !== undefined && { pskFile: values['psk-file'] }),
    ...(values['tls-cert'] !== undefined && { tlsCert: values['tls-cert'] }),
    ...(values['tls-key'] !== undefined && { tlsKey: values['tls-key'] }),
    ...(values.force !== undefined && { forceStart: values.force }),
  };
}

export interface EffectiveConfig {
  /** Ready for Relay.start, when there are no issues. */
  input: RelayConfigInput;
  /** Where the PSK came from, for the redacted summary. */
  pskSource: 'none' | 'pskFile' | typeof ENV_PSK | '--psk-file';
  issues: ConfigIssue[];
}

/** Layers defaults < file < environment < flags; every problem found is collected, none thrown. */
export async function buildConfig(values: RelayFlagValues, env: NodeJS.ProcessEnv = process.env): Promise<EffectiveConfig> {
  const flags = flagsToInput(values);
  const issues: ConfigIssue[] = [];
  let file: Partial<ConfigFile> = {};
  if (values.config !== undefined) {
    const read = await readConfigFile(values.config);
    issues.push(...read.issues);
    if (read.file) file = read.file;
  }
  const { pskFile: filePskFile, ...fromFile } = file;
  const { pskFile: flagPskFile, ...fromFlags } = flags;
  let psk: Uint8Array = new Uint8Array(0);
  let pskSource: EffectiveConfig['pskSource'] = 'none';
  const envPsk = env[ENV_PSK];
  if (flagPskFile !== undefined) {
    pskSource = '--psk-file';
    psk = await readPsk(flagPskFile, '--psk-file', issues);
  } else if (envPsk !== undefined && envPsk !== '') {
    pskSource = ENV_PSK;
    psk = new TextEncoder().encode(envPsk);
  } else if (filePskFile !== undefined) {
    pskSource = 'pskFile';
    psk = await readPsk(filePskFile, 'pskFile', issues);
  }
  const input: RelayConfigInput = { ...fromFile, ...fromFlags, psk };
  // The flags and the file were each validated; the merge is checked once more as a whole.
  const merged = relayConfigSchema.safeParse(input);
  if (!merged.success && issues.length === 0) issues.push(...zodIssues(merged.error));
  return { input, pskSource, issues };
}

async function readPsk(file: string, key: string, issues: ConfigIssue[]): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    issues.push({ path: key, message: `cannot read the PSK file ${file}: ${(err as Error).message}`, hint: 'a file holding the pre-shared key, readable by the relay user' });
    return new Uint8Array(0);
  }
  const exposed = await secretFileProblem(file, 'the PSK file', 0o007);
  if (exposed) issues.push({ path: key, message: exposed });
  const text = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) issues.push({ path: key, message: `the PSK file ${file} is empty`, hint: 'write the pre-shared key into it' });
  return new TextEncoder().encode(text);
}

/** Checks that need the disk: the TLS pair and the data directory (not created here). */
export async function checkResources(config: RelayConfig): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  try {
    await loadTls(config);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    issues.push({ path: config.tlsCert === undefined ? 'tlsCert' : config.tlsKey === undefined ? 'tlsKey' : 'tlsCert/tlsKey', message: err.message });
  }
  try {
    await checkDataDir(config.dataDir, { create: false });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    issues.push({ path: 'dataDir', message: err.message });
  }
  return issues;
}

export function formatIssues(issues: ConfigIssue[]): string {
  const head = issues.length === 1 ? 'the configuration has 1 error:' : `the configuration has ${issues.length} errors:`;
  return [head, ...issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? `\n    hint: ${i.hint}` : ''}`)].join('\n');
}

/** The effective configuration as JSON-able data, secrets replaced by a note. */
export function redacted(config: RelayConfig, pskSource: EffectiveConfig['pskSource'], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const { psk, ...rest } = config;
  return {
    ...rest,
    store: rest.store === 'leveldb' ? rest.store : redactUrl(rest.store),
    psk: psk.length === 0 ? '(none)' : `(redacted: ${psk.length} bytes from ${pskSource})`,
    adminPassword: env[ENV_ADMIN_PASSWORD] ? `(redacted: from ${ENV_ADMIN_PASSWORD}, used only on the first start)` : '(not set)',
  };
}
