/**
 * The monitor's link to the relay: connect over TCP, sign in as an admin, turn `admin.monitor`
 * on, poll `admin.stats`, keep the connection alive with `ping`, and report what arrives.
 * Failures a person can fix become one-line CliErrors.
 */
import { BankClient, type ServerEvent } from '../../common/client/bank-client.js';
import { isBankError } from '../../common/errors.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport } from '../client/node-transports.js';
import { CliError } from '../cli/errors.js';
import type { RelayStats } from './stats.js';

export interface MonitorTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface MonitorCallbacks {
  onRequest(data: Record<string, unknown>, e: ServerEvent): void;
  onAlert(data: Record<string, unknown>, e: ServerEvent): void;
  onStats(stats: RelayStats, at: number): void;
  /** The connection is gone (not called after `close`). */
  onDisconnect(reason: string): void;
}

/** TCP heartbeat (§7): at least every `hb`; we use 15 s, or half the relay's `hb` when that is shorter. */
export const PING_EVERY_MS = 15_000;

export class MonitorConnection {
  private timers: NodeJS.Timeout[] = [];
  private closing = false;

  private constructor(
    readonly client: BankClient,
    readonly target: MonitorTarget,
  ) {}

  /** Connects and signs in; rejects with a CliError that says what to do. */
  static async open(target: MonitorTarget): Promise<MonitorConnection> {
    const where = `${target.host}:${target.port}`;
    let client: BankClient;
    try {
      client = await BankClient.connect(await tcpTransport(target.host, target.port), nodeCryptoSuite);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ECONNREFUSED' ? 'connection refused (is the relay running? check --host/--port)' : e.code === 'ENOTFOUND' ? `unknown host ${target.host}` : e.message;
      throw new CliError(`cannot reach the relay at ${where}: ${why}`);
    }
    try {
      const login = await client.request('auth.login', { username: target.user, password: target.password });
      if (login.user.role !== 'admin') throw new CliError(`${target.user} is not an administrator; the monitor needs an admin account`);
      await client.request('admin.monitor', { on: true });
    } catch (err) {
      client.close();
      if (err instanceof CliError) throw err;
      if (isBankError(err)) {
        if (err.code === 'UNAUTHENTICATED') throw new CliError(`sign-in to ${where} as ${target.user} failed: invalid username or password`);
        throw new CliError(`sign-in to ${where} as ${target.user} failed: ${err.message} (${err.code})`);
      }
      throw new CliError(`sign-in to ${where} failed: ${(err as Error).message}`);
    }
    return new MonitorConnection(client, target);
  }

  /** Starts delivering events, polling stats every `intervalMs` (and once right away), and pinging. */
  start(callbacks: MonitorCallbacks, intervalMs: number): void {
    this.client.onEvent((e) => {
      if (e.event === 'monitor.request') callbacks.onRequest(e.data, e);
      else if (e.event === 'admin.alert') callbacks.onAlert(e.data, e);
    });
    this.client.onClose((reason) => {
      this.stopTimers();
      if (!this.closing) callbacks.onDisconnect(reason);
    });
    const poll = async () => {
      try {
        const stats = (await this.client.request('admin.stats', {})) as RelayStats;
        callbacks.onStats(stats, Date.now());
      } catch {
        // a disconnect is reported through onClose; a refused poll is retried next time
      }
    };
    void poll();
    this.timers.push(setInterval(() => void poll(), intervalMs));
    const pingEvery = Math.max(100, Math.min(PING_EVERY_MS, Math.floor(this.client.handshake.heartbeatMs / 2)));
    this.timers.push(setInterval(() => void this.client.call('ping', {}).catch(() => undefined), pingEvery));
  }

  private stopTimers(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  close(): void {
    this.closing = true;
    this.stopTimers();
    this.client.close();
  }
}
