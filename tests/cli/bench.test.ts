import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startRelayProcess, tempRoot, EPHEMERAL, type CliResult } from '../helpers/cli.js';
import { BENCH_RELAY_LIMITS } from '../../relay/bench/relay-process.js';
import { startPostgres } from '../helpers/postgres.js';

// The bench is a measuring tool: these runs are tiny and check what it reports and that the
// load really went through (counts, zero errors, every client connected), never how fast.
let tmp: Awaited<ReturnType<typeof tempRoot>>;
beforeAll(async () => {
  tmp = await tempRoot('bank-bench-test-');
});
afterAll(async () => {
  await tmp.remove();
});

interface Figures {
  results: Record<string, unknown>[];
}

async function bench(args: string[], env: Record<string, string | undefined> = {}): Promise<{ run: CliResult; figures: Figures }> {
  const json = tmp.path(`figures-${Math.random().toString(36).slice(2)}.json`);
  const run = await runCli(['bench', ...args, '--json', json], { timeoutMs: 240_000, env });
  expect(run.code, run.stderr + run.stdout).toBe(0);
  return { run, figures: JSON.parse(await readFile(json, 'utf8')) as Figures };
}

describe('bank-relay bench', () => {
  it('runs every live scenario over both transports against its own relay and reports each', async () => {
    const { run, figures } = await bench(['--duration', '1', '--warmup', '0', '--accounts', '40', '--connections', '4', '--pipeline', '2', '--rate', '200', '--event-rate', '100', '--clients', '30', '--idle', '1', '--batch-size', '50', '--batch-connections', '2']);
    const byScenario = (s: string) => figures.results.filter((r) => r.scenario === s);
    for (const s of ['transfers', 'hot', 'hot-both']) {
      const rows = byScenario(s);
      expect(rows.map((r) => r.transport)).toEqual(['tcp', 'ws']);
      for (const r of rows) {
        expect(r.ok as number).toBeGreaterThan(0);
        expect(r.errors).toBe(0);
        expect((r.latency as { count: number }).count).toBeGreaterThanOrEqual(r.ok as number);
        expect(r.fsyncsPerS as number).toBeGreaterThan(0);
        // The relay's own CPU per transfer, read from its process.
        expect(r.relayCpuUsPerTransfer as number).toBeGreaterThan(0);
      }
    }
    const batches = byScenario('batch');
    expect(batches.map((r) => r.transport)).toEqual(['tcp', 'ws']);
    for (const r of batches) {
      expect(r).toMatchObject({ batchSize: 50, errors: 0 });
      // Transfers are counted item by item: whole batches of 50.
      expect(r.ok as number).toBeGreaterThan(0);
      expect((r.ok as number) % 50).toBe(0);
      expect(r.relayCpuUsPerTransfer as number).toBeGreaterThan(0);
    }
    const paced = byScenario('paced');
    expect(paced.map((r) => r.transport)).toEqual(['tcp', 'ws']);
    for (const r of paced) {
      expect(r.offered).toBe(200);
      expect(r.ok).toBe(200);
    }
    const [events] = byScenario('events');
    expect(events).toMatchObject({ sent: 100, received: 100 });
    const [connections] = byScenario('connections');
    expect(connections).toMatchObject({ clients: 30, connected: 30, failed: {}, openAfterIdle: 30 });
    expect((connections as { pingAnswered: number }).pingAnswered).toBe((connections as { pingSample: number }).pingSample);
    expect((connections as { rssAtNMiB: number }).rssAtNMiB).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/transfers\s+tcp\s+\d+/);
    expect(run.stdout).toMatch(/connections: 30 of 30 WebSocket clients handshook and resumed/);
  });

  it('measures a running relay named by --url, creating its customers through the admin', async () => {
    const dataDir = tmp.path('remote');
    // An operator measuring their relay raises its flood limits for the bench's one address (docs/PERFORMANCE.md).
    const config = tmp.path('remote.json');
    await writeFile(config, JSON.stringify(BENCH_RELAY_LIMITS));
    const relay = await startRelayProcess(['--config', config, '--data', dataDir, ...EPHEMERAL, '--request-log', 'off'], { BANK_RELAY_ADMIN_PASSWORD: 'remote-admin-password' });
    try {
      const urls = ['--url', `tcp://127.0.0.1:${relay.tcpPort}`, '--url', `ws://127.0.0.1:${relay.wsPort}/`];
      const args = [...urls, '--scenario', 'transfers', '--transport', 'tcp', '--duration', '1', '--warmup', '0', '--accounts', '12', '--connections', '2', '--pipeline', '2'];
      const first = await bench(args, { BANK_RELAY_PASSWORD: 'remote-admin-password' });
      expect(first.figures.results[0]).toMatchObject({ scenario: 'transfers', transport: 'tcp', errors: 0 });
      // A second run finds the customers the first one made.
      const second = await bench(args, { BANK_RELAY_PASSWORD: 'remote-admin-password' });
      expect(second.figures.results[0]!.ok as number).toBeGreaterThan(0);
    } finally {
      await relay.stop();
    }
  });

  it('measures the PostgreSQL store on its own (--scenario store), and refuses a database that holds data', { timeout: 120_000 }, async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase('bench_store');
      const args = ['--scenario', 'store', '--store', url, '--duration', '1', '--accounts', '12', '--connections', '2', '--pipeline', '4'];
      const { run, figures } = await bench(args);
      const [store] = figures.results as { scenario: string; rows: { mix: string; writers: number; perSecond: number; errors: Record<string, number> }[] }[];
      expect(store!.scenario).toBe('store');
      expect(store!.rows.map((r) => [r.mix, r.writers])).toEqual([['uniform', 1], ['uniform', 2], ['hot', 1], ['hot', 2]]);
      for (const r of store!.rows) {
        expect(r.perSecond).toBeGreaterThan(0);
        expect(r.errors).toEqual({});
      }
      expect(run.stdout).toMatch(/PostgreSQL store, its money path alone/);
      const again = await runCli(['bench', ...args]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already holds data; the store bench needs an empty scratch database/);
    } finally {
      await server.stop();
    }
  });

  it('drives two relays on one PostgreSQL store over sockets (--store … --relays 2), the payee of the events on the other relay', { timeout: 180_000 }, async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase('bench_relays');
      const args = ['--store', url, '--relays', '2', '--scenario', 'transfers', '--scenario', 'hot', '--scenario', 'events', '--transport', 'both', '--duration', '1', '--warmup', '0', '--accounts', '24', '--connections', '4', '--pipeline', '4', '--event-rate', '50'];
      const { run, figures } = await bench(args);
      const rows = figures.results as { scenario: string; transport: string; ok?: number; errors?: number; sent?: number; received?: number }[];
      expect(rows.map((r) => [r.scenario, r.transport])).toEqual([['transfers', 'tcp'], ['transfers', 'ws'], ['hot', 'tcp'], ['hot', 'ws'], ['events', 'ws']]);
      for (const r of rows.filter((x) => x.scenario !== 'events')) {
        expect(r.ok).toBeGreaterThan(0);
        expect(r.errors).toBe(0);
      }
      const events = rows.find((r) => r.scenario === 'events')!;
      expect(events.received).toBe(events.sent);
      expect(run.stdout).toMatch(/2 relays on PostgreSQL/);
    } finally {
      await server.stop();
    }
  });

  it('refuses bad options in one line', async () => {
    const bad = await runCli(['bench', '--scenario', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scenario must be one of transfers, hot, hot-both, batch, paced, events, connections, scale, store/);
    const storeAlone = await runCli(['bench', '--scenario', 'store']);
    expect(storeAlone.code).toBe(2);
    expect(storeAlone.stderr).toMatch(/--scenario store needs --store postgres:\/\/USER@HOST:PORT\/DB/);
    const relaysAlone = await runCli(['bench', '--relays', '2']);
    expect(relaysAlone.code).toBe(2);
    expect(relaysAlone.stderr).toMatch(/--relays N needs --store postgres:\/\/…/);
    const noPassword = await runCli(['bench', '--url', 'tcp://127.0.0.1:1'], { env: { BANK_RELAY_PASSWORD: undefined } });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/admin password/);
    const missingWs = await runCli(['bench', '--url', 'tcp://127.0.0.1:1', '--transport', 'ws'], { env: { BANK_RELAY_PASSWORD: 'x' } });
    expect(missingWs.code).toBe(2);
    expect(missingWs.stderr).toMatch(/--transport ws needs a --url ws:/);
  });
});
