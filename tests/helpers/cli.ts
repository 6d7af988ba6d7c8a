import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport, wsTransport } from '../../relay/client/node-transports.js';
import { BENCH_RELAY_LIMITS } from '../../relay/bench/relay-process.js';

/** The built CLI (`npm run build`; `npm test` builds first through `pretest`). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/relay/cli/main.js', import.meta.url));

/** The checkout's root (package.json, dist/, node_modules/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A copy of the built CLI with its runtime dependencies, under `dir`, for a test that runs it as
 * another uid: the checkout may sit in a private directory (a home directory, mode 0700) that
 * another user cannot enter. Copied: package.json (it makes dist's files ES modules), dist/ and
 * the production packages package-lock.json lists. Returns the copy's CLI path.
 */
export async function reachableCli(dir: string): Promise<string> {
  assertBuilt();
  const app = path.join(dir, 'app');
  await mkdir(app, { recursive: true, mode: 0o755 });
  await cp(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  await cp(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  const lock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const runtime = Object.entries(lock.packages).filter(([where, p]) => where.startsWith('node_modules/') && !p.dev && !p.devOptional);
  await Promise.all(runtime.map(([where]) => cp(path.join(ROOT, where), path.join(app, where), { recursive: true })));
  // Whatever umask the copy ran under, the other uid must be able to read and enter all of it.
  await chmodReadable(app);
  return path.join(app, 'dist', 'relay', 'cli', 'main.js');
}

async function chmodReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chmodReadable(p);
    else if (entry.isFile()) await chmod(p, 0o644);
  }
}

function assertBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run "npm run build" first`);
}

export type CliEnv = Record<string, string | undefined>;

/**
 * The child's environment: ours without BANK_RELAY_ADMIN_PASSWORD (so a stray one in the
 * shell cannot change what a test sees), plus `extra`; an undefined value removes a variable.
 */
function childEnv(extra: CliEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.BANK_RELAY_ADMIN_PASSWORD;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Children still running, so a failed test does not leave relays behind. */
const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every CLI process this helper started that is still running. */
export function killStrays(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface CliResult {
  /** Exit code, or null when ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed; stdin is closed empty when absent. */
  input?: string;
  env?: CliEnv;
  timeoutMs?: number;
}

/** Runs `node dist/relay/cli/main.js ...args` to completion, collecting its output. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  assertBuilt();
  const timeoutMs = opts.timeoutMs ?? 45_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bank-relay ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    // 'close' comes after the exit and after both pipes are drained, so the output is whole.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a CLI that exits without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

export interface RelayProcess {
  child: ChildProcess;
  host: string;
  tcpPort: number;
  wsPort: number;
  /** Lowercase hex, as printed in the "relay listening" line. */
  fingerprint: string;
  /** The "relay listening" line, parsed. */
  listening: Record<string, unknown>;
  /** All output so far. */
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Complete stdout lines that parse as JSON objects. */
  jsonLines(): Record<string, unknown>[];
  /** Resolves with the first stdout line (present or future) matching `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves once `check` holds, looked at again on every bit of output. */
  waitUntil(check: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the first match of `re` in stderr (present or future). */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends the signal; resolves with the exit code once the process is gone and its output is complete. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Resolves like `stop` without sending anything. */
  exited: Promise<number | null>;
}

/**
 * Runs `bank-relay start ...args` and resolves once it prints its "relay listening" line (the
 * JSON one, or the pretty one with `--log-format pretty`). Rejects, with the output, when the
 * process exits first or takes too long.
 */
export function startRelayProcess(args: string[], env: CliEnv = {}, startTimeoutMs = 45_000): Promise<RelayProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_PATH, 'start', ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const changed = new Set<() => void>();
  const notify = () => {
    for (const f of [...changed]) f();
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    notify();
  });
  let isClosed = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      isClosed = true;
      running.delete(child);
      notify();
      resolve(code);
    });
  });
  const lines = () => stdout.split('\n').slice(0, -1);
  const jsonLines = () =>
    lines().flatMap((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v === 'object' && v !== null ? [v as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });

  /** Polls `check` on every bit of output until it returns a value, the process ends, or time runs out. */
  function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        changed.delete(onChange);
      };
      const onChange = () => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (isClosed) {
          done();
          reject(new Error(`the relay exited (code ${child.exitCode}) before ${what}\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, timeoutMs);
      changed.add(onChange);
      onChange();
    });
  }

  const waitForLine = (match: (line: string) => boolean, timeoutMs = 20_000) => waitFor('a matching output line', () => lines().find(match), timeoutMs);
  const waitUntil = (check: () => boolean, timeoutMs = 20_000) => waitFor('the awaited output', () => (check() ? true : undefined), timeoutMs).then(() => undefined);
  const waitForStderr = (re: RegExp, timeoutMs = 20_000) => waitFor(`stderr matching ${re}`, () => stderr.match(re) ?? undefined, timeoutMs);

  return waitFor('"relay listening"', () => jsonLines().find((l) => l.msg === 'relay listening') ?? prettyListening(lines()), startTimeoutMs).then(
    (listening) => {
      const tcp = String(listening.tcp);
      const sep = tcp.lastIndexOf(':');
      return {
        child,
        host: tcp.slice(0, sep),
        tcpPort: Number(tcp.slice(sep + 1)),
        wsPort: Number(new URL(String(listening.ws)).port),
        fingerprint: String(listening.fingerprint),
        listening,
        stdout: () => stdout,
        stderr: () => stderr,
        lines,
        jsonLines,
        waitForLine,
        waitUntil,
        waitForStderr,
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) {
          if (!isClosed) child.kill(signal);
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`the relay did not exit within ${timeoutMs} ms of ${signal}\nstdout: ${stdout}\nstderr: ${stderr}`));
            }, timeoutMs);
          });
          try {
            return await Promise.race([exited, timeout]);
          } finally {
            clearTimeout(timer);
          }
        },
      };
    },
    (err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    },
  );
}

/** The "relay listening" line of `--log-format pretty` (`… INFO  relay listening tcp=… ws=… fingerprint=…`), as fields. */
function prettyListening(lines: string[]): Record<string, unknown> | undefined {
  const line = lines.find((l) => !l.startsWith('{') && / relay listening /.test(l));
  if (!line) return undefined;
  const fields: Record<string, unknown> = { msg: 'relay listening' };
  for (const m of line.matchAll(/ (\w+)=(\S+)/g)) fields[m[1]!] = m[2];
  return fields;
}

/** A fresh temp directory; `path(name)` names something inside it that does not exist yet. */
export async function tempRoot(prefix = 'bank-cli-'): Promise<{ root: string; path(name: string): string; remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    root,
    path: (name) => path.join(root, name),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * `--config FILE` for a relay under deliberate load from this one loopback address (crash and
 * load tests): the flood limits (per-address cap, request rate, sign-in throttle) are off, as
 * for the bench's own relay. The floods tests check those limits.
 */
export async function loadTestConfig(dir: string): Promise<string[]> {
  const file = path.join(dir, 'load-test-relay.json');
  await writeFile(file, JSON.stringify(BENCH_RELAY_LIMITS));
  return ['--config', file];
}

/** Free ports every time, so parallel test files never collide. */
export const EPHEMERAL = ['--tcp-port', '0', '--ws-port', '0'] as const;

/** A client over TCP to a relay process, using node:crypto. */
export async function connectTcp(relay: Pick<RelayProcess, 'tcpPort'>): Promise<BankClient> {
  return BankClient.connect(await tcpTransport('127.0.0.1', relay.tcpPort), nodeCryptoSuite);
}

/** A client over either transport to a relay process, pinned to its key. */
export async function connectTo(relay: Pick<RelayProcess, 'tcpPort' | 'wsPort' | 'fingerprint'>, kind: 'tcp' | 'ws'): Promise<BankClient> {
  const transport = kind === 'tcp' ? await tcpTransport('127.0.0.1', relay.tcpPort) : await wsTransport(`ws://127.0.0.1:${relay.wsPort}/`);
  return BankClient.connect(transport, nodeCryptoSuite, { pinnedFingerprint: relay.fingerprint });
}

/** True when `text` is a person's message: no stack frames, at most a few lines. */
export function isShortMessage(text: string): boolean {
  const lines = text.trim().split('\n');
  return text.trim().length > 0 && !/^\s+at /m.test(text) && lines.length <= 3;
}
