import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareBank } from '../../bench/prepare.js';
import { startRelayProcess } from '../../bench/relay-process.js';
import { openClient, runEvents, runTransfers, type BenchTransport, type Target } from '../../bench/load.js';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';

const ADMIN_PASSWORD = 'bench-admin-password';

/**
 * Starts a relay in its own process on a temporary data directory, creates the accounts, drives
 * transfer load over real sockets and prints the figures (and writes them as JSON with --json).
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
      rate: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const scenarios = values.scenario ?? ['transfers', 'hot', 'events'];
  for (const s of scenarios) if (!['transfers', 'hot', 'events'].includes(s)) throw new CliError(`--scenario must be transfers, hot or events, not "${s}"`, 2);
  const transports: BenchTransport[] = values.transport === undefined || values.transport === 'both' ? ['tcp', 'ws'] : [values.transport as BenchTransport];
  if (!transports.every((t) => t === 'tcp' || t === 'ws')) throw new CliError('--transport must be tcp, ws or both', 2);
  const connections = intOption('--connections', values.connections ?? '64', 1, 10_000);
  const pipeline = intOption('--pipeline', values.pipeline ?? '8', 1, 1000);
  const accountCount = intOption('--accounts', values.accounts ?? '1000', 12, 10_000_000);
  const durationS = intOption('--duration', values.duration ?? '10', 1, 3600);
  const rate = intOption('--rate', values.rate ?? '1000', 1, 1_000_000);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bank-bench-'));
  const out: Record<string, unknown> = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, config: { connections, pipeline, accounts: accountCount, durationS } };
  try {
    process.stderr.write(`preparing ${accountCount} accounts in ${dataDir}…\n`);
    const accounts = await prepareBank(dataDir, accountCount, 1_000_000_000);
    const relay = await startRelayProcess(['--data', dataDir], { BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const target: Target = { host: '127.0.0.1', tcpPort: relay.tcpPort, wsPort: relay.wsPort };
    const admin = await openClient(target, 'tcp');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const commitStats = async () => ((await admin.request('admin.stats', {})) as { commits?: { batches: number; jobs: number } }).commits ?? { batches: 0, jobs: 0 };
    const rows: string[] = [];
    const results: Record<string, unknown>[] = [];
    try {
      for (const scenario of scenarios.filter((s) => s !== 'events')) {
        for (const transport of transports) {
          process.stderr.write(`${scenario} over ${transport}: ${connections} connections × ${pipeline} in flight for ${durationS} s…\n`);
          const before = await commitStats();
          const r = await runTransfers(target, { transport, connections, pipeline, accounts, hot: scenario === 'hot', durationS });
          const after = await commitStats();
          const batches = after.batches - before.batches;
          const fsyncsPerS = Math.round(batches / r.elapsedS);
          const meanBatch = batches > 0 ? Math.round(((after.jobs - before.jobs) / batches) * 10) / 10 : 0;
          const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
          results.push({ scenario, transport, ...r, fsyncsPerS, meanBatch });
          rows.push(
            `${scenario.padEnd(10)} ${transport.padEnd(4)} ${String(r.perSecond).padStart(12)} ${fmt(r.latency.p50)} ${fmt(r.latency.p95)} ${fmt(r.latency.p99)} ${fmt(r.latency.max)} ${String(errors).padStart(7)} ${String(fsyncsPerS).padStart(9)} ${String(meanBatch).padStart(6)}`,
          );
        }
      }
      if (scenarios.includes('events')) {
        process.stderr.write(`events: ${rate}/s for ${durationS} s, payee on WebSocket…\n`);
        const e = await runEvents(target, accounts, rate, durationS);
        results.push({ scenario: 'events', transport: 'ws', ...e });
        rows.push(`${'events'.padEnd(10)} ${'ws'.padEnd(4)} ${String(rate).padStart(12)} ${fmt(e.latency.p50)} ${fmt(e.latency.p95)} ${fmt(e.latency.p99)} ${fmt(e.latency.max)} ${String(e.sent - e.received).padStart(7)} ${'-'.padStart(9)} ${'-'.padStart(6)}`);
      }
    } finally {
      admin.close();
      await relay.stop();
    }
    out.results = results;
    process.stdout.write(
      `\n${connections} connections × ${pipeline} in flight, ${accountCount} accounts, ${durationS} s each; latencies in ms; machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n` +
        `scenario   via  transfers/s      p50      p95      p99      max  errors  fsyncs/s  batch\n${rows.join('\n')}\n` +
        `(events: transfers/s is the offered rate; latency is payer send → payee transfer.received; errors = events not received)\n`,
    );
    if (values.json) await writeFile(values.json, JSON.stringify(out, null, 2) + '\n');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  return n.toFixed(2).padStart(8);
}
