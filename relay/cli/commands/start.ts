import { parseArgs } from 'node:util';
import { Relay } from '../../server.js';
import { formatFingerprint } from '../../identity.js';
import { createLogger } from '../../log.js';
import { resolveConfig } from '../../config.js';
import { CliError } from '../errors.js';
import { buildConfig, formatIssues, relayFlags } from '../config-file.js';

export const startUsage = `bank-relay start [--config FILE] [--data DIR] [--store leveldb|postgres://…] [--host H] [--tcp-port N] [--ws-port N] [--legacy-port N]
                 [--allow-origin O]... [--allow-firefox-extensions] [--require-origin]
                 [--psk-file F] [--tls-cert F --tls-key F]
                 [--max-frame BYTES] [--log-format json|pretty] [--log-level L] [--request-log on|off]
                 [--heartbeat-ms MS] [--shutdown-timeout-ms MS] [--force]`;

export async function startCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: relayFlags });
  const built = await buildConfig(values);
  if (built.issues.length > 0) throw new CliError(`${formatIssues(built.issues)}
(run "bank-relay config check" with the same options to see the effective configuration)`);
  const config = built.input;
  const { logFormat, logLevel, shutdownTimeoutMs } = resolveConfig(config);
  const log = createLogger({ format: logFormat, level: logLevel });
  const relay = await Relay.start(config, { log, adminPassword: process.env.BANK_RELAY_ADMIN_PASSWORD || undefined });
  // The handlers go in before anything is printed: whoever waits for "relay listening" may
  // signal at once, and a signal with no handler yet would kill the process mid-write.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal, deadlineMs: shutdownTimeoutMs });
      // A bounded stop: whatever hangs (a peer that never reads, a stuck fsync), the process
      // exits by the deadline, so a service manager's stop never has to escalate to SIGKILL.
      setTimeout(() => {
        log.error('shutdown did not finish in time; exiting anyway', { deadlineMs: shutdownTimeoutMs });
        process.exit(1);
      }, shutdownTimeoutMs).unref();
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
  const tls = cfg.tlsCert !== undefined && cfg.tlsKey !== undefined;
  log.info('relay listening', {
    tcp: `${relay.tcpAddress.address}:${relay.tcpAddress.port}`,
    ws: `${tls ? 'wss' : 'ws'}://${relay.wsAddress.address}:${relay.wsAddress.port}/`,
    data: cfg.dataDir,
    fingerprint: relay.fingerprint,
    allowedOrigins: cfg.allowedOrigins,
    allowFirefoxExtensions: cfg.allowFirefoxExtensions,
    psk: cfg.psk.length > 0,
    ...(relay.legacyAddress && { legacy: `${relay.legacyAddress.address}:${relay.legacyAddress.port}` }),
  });
  if (relay.legacyAddress) {
    log.warn('legacy gateway on: the old Qt protocol is plaintext with a public key; serve it only on a trusted network or through a TLS tunnel (docs/LEGACY.md)', {
      legacy: `${relay.legacyAddress.address}:${relay.legacyAddress.port}`,
      binding: cfg.legacyBinding,
      proxyProtocol: cfg.legacyProxyProtocol,
    });
  }
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
