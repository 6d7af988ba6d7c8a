import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_PATH } from './cli.js';

/** `node …` arguments for `bank-relay monitor ARGS`, through the built CLI. */
export function monitorArgv(args: string[]): string[] {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run "npm run build" first`);
  return [CLI_PATH, 'monitor', ...args];
}

const running = new Set<ChildProcess>();

export function killMonitors(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

export interface MonitorProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines parsed as JSON (throws on a line that is not JSON). */
  lines(): Record<string, unknown>[];
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `bank-relay monitor ARGS` with `env` added to ours; stdin is closed. */
export function spawnMonitor(args: string[], env: Record<string, string> = {}): MonitorProcess {
  const child = spawn(process.execPath, monitorArgv(args), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => [...listeners].forEach((f) => f());
  child.stdout!.setEncoding('utf8').on('data', (s: string) => ((stdout += s), notify()));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => ((stderr += s), notify()));
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      running.delete(child);
      notify();
      resolve(code);
    }),
  );
  const lines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitFor = (what: string, check: () => boolean, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const stop = () => (clearTimeout(timer), listeners.delete(on));
      const on = () => {
        if (check()) return stop(), resolve();
        if (closed) stop(), reject(new Error(`monitor exited before ${what}\nstdout: ${stdout}\nstderr: ${stderr}`));
      };
      const timer = setTimeout(() => (stop(), reject(new Error(`no ${what} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))), timeoutMs);
      listeners.add(on);
      on();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, lines, waitFor, exited };
}

/**
 * Debian's tmux for the pseudo-terminal tests: TMUX_PATH, else /usr/bin/tmux. When it is missing
 * and we are root with apt, install it (saying so in one line); otherwise fail with the exact
 * command to run. These tests never skip silently.
 */
export function findTmux(): string {
  const candidates = [process.env.TMUX_PATH, '/usr/bin/tmux'].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    process.stderr.write("tmux not found: installing Debian's tmux package (apt-get install -y tmux) for the monitor's terminal tests…\n");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'tmux'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (existsSync('/usr/bin/tmux')) return '/usr/bin/tmux';
  }
  throw new Error('The monitor terminal tests need tmux and none was found (TMUX_PATH, /usr/bin/tmux). Install it with:  sudo apt-get update && sudo apt-get install -y tmux   (or set TMUX_PATH).');
}

/** A private tmux server (its own socket) with one session running `sh`, at a fixed size. */
export class TmuxSession {
  private readonly socket = `bank-monitor-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly tmux: string,
    private readonly env: Record<string, string>,
  ) {}

  run(...args: string[]): string {
    return execFileSync(this.tmux, ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...this.env, ENV: '', PS1: 'monitor-test$ ' },
    });
  }

  start(width: number, height: number): void {
    this.run('new-session', '-d', '-s', 'mon', '-x', String(width), '-y', String(height), 'sh');
  }

  /** Types `text` literally, then Enter when asked. */
  type(text: string, enter = true): void {
    this.run('send-keys', '-t', 'mon', '-l', text);
    if (enter) this.run('send-keys', '-t', 'mon', 'Enter');
  }

  key(name: string): void {
    this.run('send-keys', '-t', 'mon', name);
  }

  /** What the pane shows now, one string per row. */
  capture(): string[] {
    return this.run('capture-pane', '-p', '-t', 'mon').replace(/\n$/, '').split('\n');
  }

  display(format: string): string {
    return this.run('display-message', '-p', '-t', 'mon', format).trim();
  }

  resize(width: number, height: number): void {
    this.run('resize-window', '-t', 'mon', '-x', String(width), '-y', String(height));
  }

  /** Polls the pane until `check` holds. */
  async waitFor(what: string, check: (rows: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = this.capture();
      if (check(rows)) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`tmux pane never showed ${what}; it shows:\n${rows.join('\n')}`);
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
  }
}
