import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RelayConfigInput } from '../config.js';
import { createInterface } from 'node:readline';

export interface RelayProcess {
  child: ChildProcess;
  tcpPort: number;
  wsPort: number;
  fingerprint: string;
  /** From spawning the process to its "relay listening" line (loading the ledger included). */
  startupMs: number;
  /** What its "ledger loaded" line said (LevelDB store): how it trusted the ledger, and how long loading took. */
  loaded?: { trusted?: string; loadMs?: number };
  stop(): Promise<number | null>;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * The bench's own relay serves one loopback address that floods it on purpose: the per-address
 * connection cap, the per-connection request rate, the sign-in throttle, the cap on password
 * checks under way and the sign-up limit are off there (a relay measured with --url keeps its
 * operator's settings).
 */
export const BENCH_RELAY_LIMITS = {
  maxConnectionsPerIp: 0,
  requestRate: { perSecond: 0, burst: 1 },
  loginThrottle: { maxFailuresPerIp: 0, windowMs: 60_000 },
  passwordChecks: { perAddress: 1_000_000, maxWaiting: 1_000_000 },
  registrationsPerIpPerHour: 0,
} satisfies RelayConfigInput;

/**
 * Runs `bank-relay start` as its own process (its own event loop and core), waiting until it
 * listens. BANK_BENCH_RELAY_NODE_ARGS passes flags to its node (e.g. `--cpu-prof`).
 */
export function startRelayProcess(args: string[], env: NodeJS.ProcessEnv = {}, startTimeoutMs = 60_000): Promise<RelayProcess> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'bank-bench-config-'));
    const configFile = path.join(configDir, 'relay.json');
    writeFileSync(configFile, JSON.stringify(BENCH_RELAY_LIMITS));
    const child = spawn(process.execPath, [...(process.env.BANK_BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), CLI, 'start', '--config', configFile, '--tcp-port', '0', '--ws-port', '0', '--request-log', 'off', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Request lines are off: the bench measures the relay, not its log.
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the relay did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    let loaded: RelayProcess['loaded'];
    lines.on('line', (line) => {
      let msg: { msg?: string; tcp?: string; ws?: string; fingerprint?: string; trusted?: string; loadMs?: number };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.msg === 'ledger loaded') loaded = { trusted: msg.trusted, loadMs: msg.loadMs };
      if (msg.msg !== 'relay listening') return;
      clearTimeout(timer);
      resolve({
        child,
        tcpPort: Number(msg.tcp!.split(':').pop()),
        wsPort: Number(new URL(msg.ws!).port),
        fingerprint: msg.fingerprint!,
        startupMs: Math.round(performance.now() - spawnedAt),
        loaded,
        stop: () =>
          new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', () => rmSync(configDir, { recursive: true, force: true }));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the relay exited (${code}) before listening`));
    });
  });
}
