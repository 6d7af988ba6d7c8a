import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TransportName } from '../transport/wire.js';

/** What the scrape-time gauges read: plain in-memory figures, so a scrape costs O(connections) at most. */
export interface MetricsSource {
  connectionsByTransport(): { tcp: number; ws: number; legacy?: number };
  sessions(): number;
  auditHeadSeq(): number;
  ledgerAccounts(): number;
  ledgerTransfers(): number;
  /** 1 while serving, 0 while starting or stopping. */
  ready(): boolean;
  /** false when the start-up check found a problem and the relay was started with forceStart. */
  startupCheckPassed(): boolean;
}

/** Request latency buckets, in seconds: sub-millisecond reads up to a slow scrypt sign-in. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Jobs per group-commit batch. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** One LevelDB batch write with fsync, in seconds. */
const WRITE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

let processRegistry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event loop, GC) describe the process, not a relay, and
 * collecting them starts observers that are never stopped: one shared registry per process,
 * merged into each relay's own at scrape time. Not prom-client's global registry.
 */
function sharedProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The relay's Prometheus metrics (`GET /metrics` on the WebSocket port). Each relay has its own
 * registry, so several relays in one process do not share counters. Only counts, durations and
 * op names/error codes appear here: no usernames, accounts, amounts, tokens or keys.
 */
export class RelayMetrics {
  private readonly own = new Registry();
  private readonly merged: Registry;
  private readonly requests: Counter<'op' | 'outcome'>;
  private readonly requestSeconds: Histogram<'op'>;
  private readonly batchJobs: Histogram;
  private readonly writeSeconds: Histogram;
  private readonly batchFailures: Counter;
  private readonly slowConsumerDrops: Counter<'transport'>;
  private readonly legacyCommands: Counter<'command' | 'outcome'>;
  private readonly legacyCommandSeconds: Histogram<'command'>;
  private readonly connectionsRefused: Counter<'reason'>;

  constructor(source: MetricsSource) {
    const registers = [this.own];
    this.requests = new Counter({
      name: 'bankrelay_requests_total',
      help: 'Requests answered, by op and outcome ("ok" or the error code).',
      labelNames: ['op', 'outcome'] as const,
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'bankrelay_request_duration_seconds',
      help: 'Time from a request arriving to its response being sent, by op.',
      labelNames: ['op'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchJobs = new Histogram({
      name: 'bankrelay_commit_batch_jobs',
      help: 'Jobs (state changes) written together in one group-commit batch.',
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.writeSeconds = new Histogram({
      name: 'bankrelay_commit_write_duration_seconds',
      help: 'Time to write and fsync one group-commit batch.',
      buckets: WRITE_BUCKETS,
      registers,
    });
    this.batchFailures = new Counter({
      name: 'bankrelay_commit_batch_failures_total',
      help: 'Group-commit batches the database refused to write.',
      registers,
    });
    this.slowConsumerDrops = new Counter({
      name: 'bankrelay_slow_consumer_drops_total',
      help: 'Connections dropped because their outgoing event queue grew past maxBufferedBytes.',
      labelNames: ['transport'] as const,
      registers,
    });
    this.legacyCommands = new Counter({
      name: 'bankrelay_legacy_commands_total',
      help: 'Commands of the old Qt client on the legacy gateway, by command and outcome (answered, bad_args, unknown_command, size_mismatch, garbage).',
      labelNames: ['command', 'outcome'] as const,
      registers,
    });
    this.legacyCommandSeconds = new Histogram({
      name: 'bankrelay_legacy_command_duration_seconds',
      help: 'Time from a legacy command being decoded to its reply being written (its ops included).',
      labelNames: ['command'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'bankrelay_connections_refused_total',
      help: 'Sockets closed on arrival, by reason ("per_ip_cap": the address already held maxConnectionsPerIp).',
      labelNames: ['reason'] as const,
      registers,
    });
    new Gauge({
      name: 'bankrelay_connections',
      help: 'Open client connections, by transport.',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        const { tcp, ws, legacy } = source.connectionsByTransport();
        this.set({ transport: 'tcp' }, tcp);
        this.set({ transport: 'ws' }, ws);
        this.set({ transport: 'legacy' }, legacy ?? 0);
      },
    });
    new Gauge({
      name: 'bankrelay_sessions',
      help: 'Signed-in sessions bound to an open connection.',
      registers,
      collect() {
        this.set(source.sessions());
      },
    });
    new Gauge({
      name: 'bankrelay_audit_head_seq',
      help: 'Sequence number of the last audit entry written.',
      registers,
      collect() {
        this.set(source.auditHeadSeq());
      },
    });
    new Gauge({
      name: 'bankrelay_ledger_accounts',
      help: 'Accounts in the ledger, the cash account included.',
      registers,
      collect() {
        this.set(source.ledgerAccounts());
      },
    });
    new Gauge({
      name: 'bankrelay_ledger_transfers',
      help: 'Transfers, deposits and withdrawals posted since the ledger was created.',
      registers,
      collect() {
        this.set(source.ledgerTransfers());
      },
    });
    new Gauge({
      name: 'bankrelay_ready',
      help: '1 while the relay is serving, 0 while it is starting or stopping.',
      registers,
      collect() {
        this.set(source.ready() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'bankrelay_startup_check_ok',
      help: '1 if the start-up audit/ledger check passed, 0 if the relay was forced to start despite a mismatch.',
      registers,
      collect() {
        this.set(source.startupCheckPassed() ? 1 : 0);
      },
    });
    this.merged = Registry.merge([this.own, sharedProcessRegistry()]);
  }

  get contentType(): string {
    return this.merged.contentType;
  }

  /** The exposition text, gauges collected now. */
  scrape(): Promise<string> {
    return this.merged.metrics();
  }

  request(op: string, outcome: string, seconds: number): void {
    this.requests.inc({ op, outcome });
    this.requestSeconds.observe({ op }, seconds);
  }

  batch(jobs: number, seconds: number, ok: boolean): void {
    if (!ok) {
      this.batchFailures.inc();
      return;
    }
    this.batchJobs.observe(jobs);
    this.writeSeconds.observe(seconds);
  }

  /** One command of the old Qt client on the legacy gateway, by name and outcome. */
  legacyCommand(command: string, outcome: string, seconds: number): void {
    this.legacyCommands.inc({ command, outcome });
    this.legacyCommandSeconds.observe({ command }, seconds);
  }

  slowConsumerDropped(transport: TransportName): void {
    this.slowConsumerDrops.inc({ transport });
  }

  connectionRefused(reason: 'per_ip_cap'): void {
    this.connectionsRefused.inc({ reason });
  }
}
