import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Relay } from '../../server.js';
import { formatFingerprint } from '../../identity.js';
import { createLogger } from '../../log.js';
import type { RelayConfigInput } from '../../config.js';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';

export const startUsage = `bank-relay start [--data DIR] [--host H] [--tcp-port N] [--ws-port N]
                 [--allow-origin O]... [--require-origin] [--psk-file F]
                 [--max-frame BYTES] [--log-format json|pretty] [--log-level L] [--request-log on|off]`;

export async function startCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      'tcp-port': { type: 'string' },
      'ws-port': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'require-origin': { type: 'boolean' },
      'psk-file': { type: 'string' },
      'max-frame': { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'request-log': { type: 'string' },
    },
  });
  const logFormat = values['log-format'] ?? 'json';
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new CliError('--log-format must be json or pretty', 2);
  const logLevel = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new CliError('--log-level must be debug, info, warn, error or silent', 2);
  const requestLog = values['request-log'] ?? 'on';
  if (requestLog !== 'on' && requestLog !== 'off') throw new CliError('--request-log must be on or off', 2);
  const config: RelayConfigInput = {
    logFormat,
    logRequests: requestLog === 'on',
    logLevel: logLevel as 'info',
    ...(values.data !== undefined && { dataDir: values.data }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values['tcp-port'] !== undefined && { tcpPort: intOption('--tcp-port', values['tcp-port'], 0, 65535) }),
    ...(values['ws-port'] !== undefined && { wsPort: intOption('--ws-port', values['ws-port'], 0, 65535) }),
    ...(values['allow-origin'] !== undefined && { allowedOrigins: values['allow-origin'] }),
    ...(values['require-origin'] !== undefined && { requireOrigin: values['require-origin'] }),
    ...(values['max-frame'] !== undefined && { maxFrame: intOption('--max-frame', values['max-frame'], 1024, 64 * 1024 * 1024) }),
    ...(values['heartbeat-ms'] !== undefined && { heartbeatMs: intOption('--heartbeat-ms', values['heartbeat-ms'], 100, 3_600_000) }),
    ...(values['psk-file'] !== undefined && { psk: await readPsk(values['psk-file']) }),
  };
  const log = createLogger({ format: logFormat, level: logLevel as 'info' });
  const relay = await Relay.start(config, { log, adminPassword: process.env.BANK_RELAY_ADMIN_PASSWORD || undefined });
  // The handlers go in before anything is printed: whoever waits for "relay listening" may
  // signal at once, and a signal with no handler yet would kill the process mid-write.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      relay.close().then(
        () => {
          log.info('stopped');
          resolve();
        },
        (err: unknown) => {
          log.error('shutdown failed', { err });
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const { config: cfg } = relay.context;
  log.info('relay listening', {
    tcp: `${relay.tcpAddress.address}:${relay.tcpAddress.port}`,
    ws: `ws://${relay.wsAddress.address}:${relay.wsAddress.port}/`,
    data: cfg.dataDir,
    fingerprint: relay.fingerprint,
    allowedOrigins: cfg.allowedOrigins,
    psk: cfg.psk.length > 0,
  });
  if (relay.context.identity.created) log.info('created a new identity key', { fingerprint: formatFingerprint(relay.fingerprint) });
  const admin = relay.bootstrappedAdmin;
  if (admin?.generatedPassword) {
    // Shown once, on stderr, never in the request log.
    process.stderr.write(
      `\n  First start: created the administrator "${admin.username}" with password\n\n      ${admin.generatedPassword}\n\n` +
        `  Keep it safe; it will not be shown again. (Set BANK_RELAY_ADMIN_PASSWORD before the first start to choose it.)\n\n`,
    );
  } else if (admin) {
    log.info('created the administrator from BANK_RELAY_ADMIN_PASSWORD', { username: admin.username });
  }
  await stopped;
}

async function readPsk(file: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new CliError(`cannot read --psk-file ${file}: ${(err as Error).message}`);
  }
  const text = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw new CliError(`--psk-file ${file} is empty`);
  return new TextEncoder().encode(text);
}
