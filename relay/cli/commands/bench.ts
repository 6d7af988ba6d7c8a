import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { IDENTITY_FILE } from '../../identity.js';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BankClient } from '../../../common/client/bank-client.js';
import { runConnections, type ConnectionsResult } from '../../bench/connections.js';
import { openClient, runBatches, runEvents, runTransfers, type BenchTransport, type Target, type TransferMix, type TransferResult } from '../../bench/load.js';
import { CpuMeter } from '../../bench/process-stats.js';
import { runPaced } from '../../bench/paced.js';
import { prepareBank, prepareBankPg, prepareSessions } from '../../bench/prepare.js';
import { prepareBankOnline, prepareSessionsOnline } from '../../bench/prepare-online.js';
import { startRelayProcess, type RelayProcess } from '../../bench/relay-process.js';
import { runScale, type ScaleResult } from '../../bench/scale.js';
import { runPgStore, type StoreRow } from '../../bench/pg-store.js';
import { isPostgresUrl, redactUrl } from '../../store/postgres/url.js';
import type { LatencySummary } from '../../bench/percentiles.js';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';
import { readSecret } from '../read-secret.js';

const ADMIN_PASSWORD = 'bench-admin-password';
const OPENING = 1_000_000_000;

export const BENCH_SCENARIOS = ['transfers', 'hot', 'hot-both', 'batch', 'paced', 'events', 'connections', 'scale', 'store'] as const;
type Scenario = (typeof BENCH_SCENARIOS)[number];
/** `npm run bench` with no --scenario: everything but the long `scale`. */
const DEFAULT_SCENARIOS: Scenario[] = ['transfers', 'hot', 'hot-both', 'batch', 'paced', 'events', 'connections'];
const MIX: Record<'transfers' | 'hot' | 'hot-both', TransferMix> = { transfers: 'uniform', hot: 'hot', 'hot-both': 'hot-both' };

/** One row of the latency table. */
interface Row {
  scenario: string;
  via: string;
  perSecond: number | string;
  latency: LatencySummary;
  errors: number;
  fsyncsPerS?: number;
  meanBatch?: number;
  /** The relays' own CPU (user + system, every thread) per acknowledged transfer, in µs. */
  cpuUs?: number | undefined;
}

/**
 * Starts a relay in its own process on a temporary data directory (or targets one with --url),
 * creates the accounts, drives load over real sockets and prints the figures (and writes them
 * as JSON with --json).
 */
export async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string', multiple: true },
      transport: { type: 'string' },
      connections: { type: 'string' },
      pipeline: { type: 'string' },
      accounts: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      'event-rate': { type: 'string' },
      clients: { type: 'string' },
      idle: { type: 'string' },
      'scale-accounts': { type: 'string' },
      'scale-transfers': { type: 'string' },
      url: { type: 'string', multiple: true },
      'admin-user': { type: 'string' },
      'admin-password-file': { type: 'string' },
      json: { type: 'string' },
      store: { type: 'string' },
      relays: { type: 'string' },
      'batch-size': { type: 'string' },
      'batch-connections': { type: 'string' },
    },
  });
  // On a PostgreSQL store the default leaves out `connections`: its 10,000 sessions would each be a real sign-in there.
  const scenarios = (values.scenario ?? (values.store !== undefined ? DEFAULT_SCENARIOS.filter((s) => s !== 'connections') : DEFAULT_SCENARIOS)) as Scenario[];
  for (const s of scenarios) if (!BENCH_SCENARIOS.includes(s)) throw new CliError(`--scenario must be one of ${BENCH_SCENARIOS.join(', ')}, not "${s}"`, 2);
  const transports: BenchTransport[] = values.transport === undefined || values.transport === 'both' ? ['tcp', 'ws'] : [values.transport as BenchTransport];
  if (!transports.every((t) => t === 'tcp' || t === 'ws')) throw new CliError('--transport must be tcp, ws or both', 2);
  const connections = intOption('--connections', values.connections ?? '64', 1, 10_000);
  const pipeline = intOption('--pipeline', values.pipeline ?? '8', 1, 1000);
  const accountCount = intOption('--accounts', values.accounts ?? '1000', 12, 10_000_000);
  const durationS = intOption('--duration', values.duration ?? '10', 1, 3600);
  const warmupS = intOption('--warmup', values.warmup ?? '2', 0, 600);
  const rate = intOption('--rate', values.rate ?? '5000', 1, 1_000_000);
  const eventRate = intOption('--event-rate', values['event-rate'] ?? '1000', 1, 1_000_000);
  const clientCount = intOption('--clients', values.clients ?? '10000', 1, 100_000);
  const batchSize = intOption('--batch-size', values['batch-size'] ?? '1000', 1, 1000);
  const batchConnections = intOption('--batch-connections', values['batch-connections'] ?? '8', 1, 1000);
  const idleS = intOption('--idle', values.idle ?? '45', 0, 3600);
  const scaleLevels = (values['scale-accounts'] ?? '1000,100000,1000000').split(',').map((v) => intOption('--scale-accounts', v.trim(), 12, 10_000_000));
  const scaleTransfers = intOption('--scale-transfers', values['scale-transfers'] ?? '5000000', 0, 100_000_000);
  const remote = values.url === undefined ? undefined : await remoteTarget(values.url, values['admin-user'] ?? 'admin', values['admin-password-file']);
  if (remote) {
    const missing = transports.find((t) => (t === 'tcp' ? remote.target.tcpPort : remote.target.wsPort) === 0);
    if (missing) throw new CliError(`--transport ${missing} needs a --url ${missing}://HOST:PORT (or choose --transport ${missing === 'tcp' ? 'ws' : 'tcp'})`, 2);
    if (remote.target.wsPort === 0 && scenarios.some((s) => s === 'events' || s === 'connections')) throw new CliError('the events and connections scenarios need a --url ws://HOST:PORT/', 2);
  }
  if (remote && scenarios.includes('scale')) throw new CliError('--scenario scale makes its own banks; it cannot run against --url', 2);
  if (scenarios.includes('store') && values.store === undefined) {
    throw new CliError('--scenario store needs --store postgres://USER@HOST:PORT/DB (an empty scratch database: the store bench writes its own accounts there)', 2);
  }
  if (values.store !== undefined && !isPostgresUrl(values.store)) throw new CliError(`--store must be a postgres:// URL (got ${redactUrl(values.store)})`, 2);
  if (values.store !== undefined && scenarios.includes('store') && scenarios.length > 1) {
    throw new CliError('--scenario store measures the store alone on its own scratch database; run the relay scenarios on --store in another run (another empty database)', 2);
  }
  const relayCount = intOption('--relays', values.relays ?? '1', 1, 8);
  if (relayCount > 1 && values.store === undefined) throw new CliError('--relays N needs --store postgres://…: several relays share one PostgreSQL store (LevelDB is one relay\'s own)', 2);
  if (remote && values.store !== undefined && !scenarios.includes('store')) throw new CliError('--store starts the bench\'s own relays on that database; it cannot be combined with --url', 2);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const out: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    config: {
      connections, pipeline, accounts: accountCount, durationS, warmupS, rate, eventRate, clients: clientCount, idleS, batchSize, batchConnections,
      target: remote ? values.url : values.store !== undefined && !scenarios.includes('store') ? `${relayCount} local relay process${relayCount > 1 ? 'es' : ''} on ${redactUrl(values.store)}` : 'local relay process',
    },
  };
  const rows: Row[] = [];
  const results: Record<string, unknown>[] = [];
  let conn: ConnectionsResult | undefined;
  let scale: ScaleResult | undefined;
  let store: StoreRow[] | undefined;
  const live = scenarios.filter((s) => s !== 'scale' && s !== 'store');
  if (live.length > 0) {
    const dataDir = remote ? undefined : await mkdtemp(path.join(os.tmpdir(), 'bank-bench-'));
    const relaysStarted: RelayProcess[] = [];
    let relay: RelayProcess | undefined;
    let admin: BankClient | undefined;
    const otherAdmins: BankClient[] = [];
    try {
      let target: Target;
      let targets: Target[];
      let accounts: string[];
      let tokens: string[] = [];
      if (remote) {
        target = remote.target;
        admin = await openClient(target, remote.adminTransport);
        await admin.request('auth.login', { username: remote.adminUser, password: remote.adminPassword });
        log(`creating ${accountCount} accounts on the relay…`);
        accounts = await prepareBankOnline(admin, accountCount, OPENING);
        if (live.includes('connections')) {
          log(`signing in ${clientCount} sessions…`);
          tokens = await prepareSessionsOnline(() => openClient(target, remote.adminTransport), accountCount, clientCount);
        }
        targets = [target];
      } else if (values.store !== undefined) {
        // Several relays on one PostgreSQL store, each with its own data directory (the
        // identity key only), the same key on all, as behind a load balancer.
        log(`preparing ${accountCount} accounts on the PostgreSQL store ${redactUrl(values.store)}…`);
        accounts = await prepareBankPg(values.store, accountCount, OPENING);
        for (let i = 0; i < relayCount; i++) {
          const dir = path.join(dataDir!, `relay-${i}`);
          await mkdir(dir, { recursive: true, mode: 0o700 });
          if (i > 0) await copyFile(path.join(dataDir!, 'relay-0', IDENTITY_FILE), path.join(dir, IDENTITY_FILE));
          relaysStarted.push(await startRelayProcess(['--data', dir, '--store', values.store], { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD }));
        }
        relay = relaysStarted[0];
        targets = relaysStarted.map((r) => ({ host: '127.0.0.1', tcpPort: r.tcpPort, wsPort: r.wsPort }));
        target = targets[0]!;
        admin = await openClient(target, 'tcp');
        await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
        for (const t of targets.slice(1)) {
          const other = await openClient(t, 'tcp');
          await other.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
          otherAdmins.push(other);
        }
        if (live.includes('connections')) {
          log(`signing in ${clientCount} sessions…`);
          tokens = await prepareSessionsOnline(() => openClient(target, 'tcp'), accountCount, clientCount);
        }
      } else {
        log(`preparing ${accountCount} accounts in ${dataDir}…`);
        accounts = await prepareBank(dataDir!, accountCount, OPENING);
        if (live.includes('connections')) tokens = await prepareSessions(dataDir!, accountCount, clientCount);
        relay = await startRelayProcess(['--data', dataDir!], { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD });
        relaysStarted.push(relay);
        target = { host: '127.0.0.1', tcpPort: relay.tcpPort, wsPort: relay.wsPort };
        targets = [target];
        admin = await openClient(target, 'tcp');
        await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      }
      const admins = [admin, ...otherAdmins];
      // The relays' own CPU, where they are processes of this machine (not with --url).
      const meter = () => new CpuMeter(relaysStarted.flatMap((r) => (r.child.pid !== undefined ? [r.child.pid] : [])));
      // Batches (fsyncs, or PostgreSQL commits) summed over every relay.
      const commitStats = async () => {
        const all = await Promise.all(admins.map(async (a) => ((await a.request('admin.stats', {})) as { commits?: { batches: number; jobs: number } }).commits ?? { batches: 0, jobs: 0 }));
        return all.reduce((s, c) => ({ batches: s.batches + c.batches, jobs: s.jobs + c.jobs }), { batches: 0, jobs: 0 });
      };
      // A closed-loop row: the load, the writer's batches over it (fsyncs, or PostgreSQL commits) and the relays' CPU.
      const closedLoop = async (label: string, transport: BenchTransport, extra: Record<string, unknown>, run: (cpu: CpuMeter) => Promise<TransferResult>): Promise<void> => {
        const before = await commitStats();
        const cpu = meter();
        const r = await run(cpu);
        const after = await commitStats();
        const batches = after.batches - before.batches;
        const row: Row = {
          scenario: label,
          via: transport,
          perSecond: r.perSecond,
          latency: r.latency,
          errors: sum(r.errors),
          fsyncsPerS: Math.round(batches / r.elapsedS),
          meanBatch: batches > 0 ? Math.round(((after.jobs - before.jobs) / batches) * 10) / 10 : 0,
          cpuUs: cpu.perUnitUs(r.ok),
        };
        rows.push(row);
        results.push({ scenario: label.split(' ')[0], transport, ...extra, ok: r.ok, errors: row.errors, errorsByCode: r.errors, elapsedS: r.elapsedS, perSecond: r.perSecond, latency: r.latency, fsyncsPerS: row.fsyncsPerS, meanBatch: row.meanBatch, relayCpuUsPerTransfer: row.cpuUs });
      };
      for (const scenario of live) {
        if (scenario === 'transfers' || scenario === 'hot' || scenario === 'hot-both') {
          for (const transport of transports) {
            log(`${scenario} over ${transport}: ${connections} connections × ${pipeline} in flight for ${durationS} s…`);
            await closedLoop(scenario, transport, {}, (cpu) => runTransfers(targets, { transport, connections, pipeline, accounts, mix: MIX[scenario], durationS, warmupS, meter: cpu }));
          }
        } else if (scenario === 'batch') {
          for (const transport of transports) {
            log(`batch over ${transport}: ${batchConnections} connections × 2 batches of ${batchSize} in flight for ${durationS} s…`);
            await closedLoop(`batch ${batchSize}`, transport, { batchSize }, (cpu) => runBatches(targets, { transport, connections: batchConnections, pipeline: 2, batchSize, accounts, durationS, warmupS, meter: cpu }));
          }
        } else if (scenario === 'paced') {
          for (const transport of transports) {
            log(`paced over ${transport}: ${rate}/s offered over ${connections} connections for ${durationS} s…`);
            const cpu = meter();
            const r = await runPaced(targets, { transport, connections, ratePerS: rate, accounts, durationS, warmupS, meter: cpu });
            const row: Row = { scenario: `paced ${rate}/s`, via: transport, perSecond: r.perSecond, latency: r.latency, errors: sum(r.errors), cpuUs: cpu.perUnitUs(r.ok) };
            rows.push(row);
            results.push({ scenario, transport, ...r, relayCpuUsPerTransfer: row.cpuUs });
          }
        } else if (scenario === 'events') {
          log(`events: ${eventRate}/s for ${durationS} s, payee on WebSocket${targets.length > 1 ? ' on another relay than the payer' : ''}…`);
          const e = await runEvents(targets, accounts, eventRate, durationS);
          rows.push({ scenario: `events ${eventRate}/s`, via: 'ws', perSecond: '-', latency: e.latency, errors: e.sent - e.received });
          results.push({ scenario: 'events', transport: 'ws', ...e });
        } else if (scenario === 'connections') {
          log(`connections: ${clientCount} WebSocket clients handshake and resume, then idle ${idleS} s…`);
          conn = await runConnections(target, { tokens, concurrency: 256, idleS, relayPid: relay?.child.pid });
          results.push({ scenario: 'connections', ...conn });
        }
      }
    } finally {
      admin?.close();
      for (const a of otherAdmins) a.close();
      await Promise.all(relaysStarted.map((r) => r.stop()));
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  }
  if (scenarios.includes('scale')) {
    scale = await runScale({ levels: scaleLevels, startupTransfers: scaleTransfers, transport: transports[0]!, connections, pipeline, durationS, log });
    results.push({ scenario: 'scale', ...scale });
  }
  if (scenarios.includes('store') && values.store !== undefined) {
    try {
      store = await runPgStore(values.store, { accounts: accountCount, inFlight: connections * pipeline, durationS, log });
    } catch (err) {
      throw new CliError(`store bench on ${redactUrl(values.store)}: ${(err as Error).message}`);
    }
    results.push({ scenario: 'store', target: redactUrl(values.store), rows: store });
  }
  out.results = results;
  process.stdout.write(report(rows, conn, scale, { connections, pipeline, accountCount, durationS, warmupS, idleS, relays: values.store !== undefined && !scenarios.includes('store') ? `${relayCount} relay${relayCount > 1 ? 's' : ''} on PostgreSQL` : undefined }, store));
  if (values.json) await writeFile(values.json, JSON.stringify(out, null, 2) + '\n');
}

function report(
  rows: Row[],
  conn: ConnectionsResult | undefined,
  scale: ScaleResult | undefined,
  c: { connections: number; pipeline: number; accountCount: number; durationS: number; warmupS: number; idleS: number; relays?: string | undefined },
  store?: StoreRow[],
): string {
  const lines: string[] = [''];
  lines.push(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; the load runs on the same machine`);
  if (rows.length > 0) {
    lines.push(`${c.relays ? `${c.relays} (connections spread over them); ` : ''}${c.connections} connections × ${c.pipeline} in flight (paced: open loop), ${c.accountCount} accounts, ${c.durationS} s each after ${c.warmupS} s of warm-up; latencies in ms`, '');
    lines.push(`${'scenario'.padEnd(14)} via  transfers/s      p50      p95      p99      max  errors  fsyncs/s  batch  relay cpu µs/tx`);
    for (const r of rows) {
      lines.push(
        `${r.scenario.padEnd(14)} ${r.via.padEnd(4)} ${String(r.perSecond).padStart(11)} ${fmt(r.latency.p50)} ${fmt(r.latency.p95)} ${fmt(r.latency.p99)} ${fmt(r.latency.max)} ${String(r.errors).padStart(7)} ${String(r.fsyncsPerS ?? '-').padStart(9)} ${String(r.meanBatch ?? '-').padStart(6)} ${String(r.cpuUs ?? '-').padStart(16)}`,
      );
    }
    lines.push('(paced: latency from each request\'s intended send time; batch: latency per batch, transfers counted item by item; events: payer send → payee transfer.received, errors = events not received;');
    lines.push(' relay cpu: the relay processes\' user + system CPU time, every thread, over the counted window, per acknowledged transfer)');
  }
  if (conn) {
    lines.push(
      '',
      `connections: ${conn.connected} of ${conn.clients} WebSocket clients handshook and resumed in ${conn.rampS} s (${conn.handshakesPerS} handshakes/s)` +
        (Object.keys(conn.failed).length ? `; failed: ${JSON.stringify(conn.failed)}` : ''),
      `  relay RSS ${conn.rssBeforeMiB ?? '?'} MiB before, ${conn.rssAtNMiB ?? '?'} MiB at ${conn.connected}, ${conn.rssAfterIdleMiB ?? '?'} MiB after ${c.idleS} s idle; ` +
        `${conn.openAfterIdle} still open, ${conn.pingAnswered} of ${conn.pingSample} sampled answered a ping`,
    );
  }
  if (scale) {
    lines.push('', `${'accounts'.padStart(10)}  prepare s  transfers/s      p99  errors`);
    for (const l of scale.levels) lines.push(`${String(l.accounts).padStart(10)} ${String(l.prepareS).padStart(10)} ${String(l.perSecond).padStart(12)} ${fmt(l.p99)} ${String(l.errors).padStart(7)}`);
    const s = scale.startup;
    lines.push(
      `start-up on ${s.accounts} accounts and ${s.transfers} transfers: ${s.startupS} s to listening after a clean stop (ledger ${s.trusted ?? '?'}, loaded in ${s.loadS ?? '?'} s; relay RSS then ${s.rssMiB ?? '?'} MiB), ` +
        `${s.startupAfterCrashS} s with no checkpoint, as after a crash (ledger ${s.trustedAfterCrash ?? '?'}, loaded in ${s.loadAfterCrashS ?? '?'} s)`,
    );
  }
  if (store) {
    lines.push('', `PostgreSQL store, its money path alone (in this process, no sockets; ${c.connections * c.pipeline} in flight, ${c.durationS} s each):`);
    lines.push(`${'mix'.padEnd(8)} writers  transfers/s      p50      p99  errors  batches`);
    for (const r of store) lines.push(`${r.mix.padEnd(8)} ${String(r.writers).padStart(7)} ${String(r.perSecond).padStart(12)} ${fmt(r.latency.p50)} ${fmt(r.latency.p99)} ${String(sum(r.errors)).padStart(7)} ${String(r.batches).padStart(8)}`);
  }
  return lines.join('\n') + '\n';
}

interface RemoteTarget {
  target: Target;
  adminTransport: BenchTransport;
  adminUser: string;
  adminPassword: string;
}

/** --url tcp://HOST:PORT and/or ws://HOST:PORT/ name a running relay; the admin creates the accounts. */
async function remoteTarget(urls: string[], adminUser: string, passwordFile: string | undefined): Promise<RemoteTarget> {
  let host: string | undefined;
  let tcpPort = 0;
  let wsPort = 0;
  for (const raw of urls) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new CliError(`--url must look like tcp://127.0.0.1:1234 or ws://127.0.0.1:1235/, not "${raw}"`, 2);
    }
    if ((u.protocol !== 'tcp:' && u.protocol !== 'ws:') || !u.port) throw new CliError(`--url must be tcp://HOST:PORT or ws://HOST:PORT/ with a port, not "${raw}"`, 2);
    if (host !== undefined && host !== u.hostname) throw new CliError('every --url must name the same relay host', 2);
    host = u.hostname;
    if (u.protocol === 'tcp:') tcpPort = Number(u.port);
    else wsPort = Number(u.port);
  }
  if (passwordFile === undefined && process.env.BANK_RELAY_PASSWORD === undefined) {
    throw new CliError('--url needs the admin password, from --admin-password-file or BANK_RELAY_PASSWORD', 2);
  }
  const adminPassword = passwordFile !== undefined ? await readSecret(passwordFile, 'the admin password') : process.env.BANK_RELAY_PASSWORD!;
  return { target: { host: host!.replace(/^\[|\]$/g, ''), tcpPort, wsPort }, adminTransport: tcpPort ? 'tcp' : 'ws', adminUser, adminPassword };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function fmt(n: number): string {
  return n.toFixed(2).padStart(8);
}
