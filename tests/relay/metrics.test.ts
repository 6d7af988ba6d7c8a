import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Relay } from '../../relay/server.js';
import { silentLogger } from '../../relay/log.js';
import type { BankClient } from '../../common/client/bank-client.js';
import { ADMIN_PASSWORD, connect, levelDbOf, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';
import { healthz, promValue, scrape } from '../helpers/prom.js';
import { upgradeStatus, waitUntil } from '../helpers/raw.js';

const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

describe('GET /metrics', () => {
  let t: TestRelay;
  const clients: BankClient[] = [];
  let janeAcct = '';
  let johnAcct = '';

  beforeAll(async () => {
    t = await startTestRelay();
    const admin = await connect(t, 'ws');
    clients.push(admin);
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    const anon = await connect(t, 'tcp');
    clients.push(anon);
    for (const username of ['jane_smith', 'john_doe']) {
      await anon.request('auth.register', { username, password: `${username} password`, displayName: username });
      const { user } = await admin.request('admin.registration.decide', { username, approve: true });
      if (username === 'jane_smith') janeAcct = user.accounts[0]!.account;
      else johnAcct = user.accounts[0]!.account;
    }
    await admin.request('admin.account.deposit', { transferId: randomUUID(), account: janeAcct, amount: 50_000 });
    const jane = await connect(t, 'tcp');
    clients.push(jane);
    await jane.request('auth.login', { username: 'jane_smith', password: 'jane_smith password' });
    await jane.request('transfer.create', { transferId: randomUUID(), to: johnAcct, amount: 1_000 });
    await jane.request('transfer.create', { transferId: randomUUID(), to: johnAcct, amount: 2_000 });
    // Failures: counted under their error code.
    expect(await anon.call('account.balance', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await jane.call('transfer.create', { transferId: randomUUID(), to: johnAcct, amount: 100_000 })).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t.stop();
  });

  it('serves the Prometheus text format with the registry content type', async () => {
    const m = await scrape(t.wsPort);
    expect(m.status).toBe(200);
    expect(m.contentType).toBe(PROM_CONTENT_TYPE);
    expect(m.text).toContain('# TYPE bankrelay_requests_total counter');
    expect(m.text).toContain('# TYPE bankrelay_request_duration_seconds histogram');
    expect(m.text).toContain('# TYPE bankrelay_commit_batch_jobs histogram');
    expect(m.text).toContain('# TYPE bankrelay_commit_write_duration_seconds histogram');
    expect(m.text).toContain('# TYPE bankrelay_slow_consumer_drops_total counter');
    expect(m.text).toContain('# TYPE bankrelay_connections gauge');
    expect(m.text).toContain('# HELP bankrelay_audit_head_seq ');
    // prom-client's default process metrics.
    expect(promValue(m.samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(promValue(m.samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts requests by op and outcome, with a latency histogram per op', async () => {
    const { samples } = await scrape(t.wsPort);
    const req = (op: string, outcome: string) => promValue(samples, 'bankrelay_requests_total', { op, outcome });
    expect(req('auth.login', 'ok')).toBe(2);
    expect(req('auth.register', 'ok')).toBe(2);
    expect(req('admin.registration.decide', 'ok')).toBe(2);
    expect(req('admin.account.deposit', 'ok')).toBe(1);
    expect(req('transfer.create', 'ok')).toBe(2);
    expect(req('transfer.create', 'INSUFFICIENT_FUNDS')).toBe(1);
    expect(req('account.balance', 'UNAUTHENTICATED')).toBe(1);
    expect(promValue(samples, 'bankrelay_request_duration_seconds_count', { op: 'transfer.create' })).toBe(3);
    expect(promValue(samples, 'bankrelay_request_duration_seconds_bucket', { op: 'transfer.create', le: '+Inf' })).toBe(3);
    expect(promValue(samples, 'bankrelay_request_duration_seconds_sum', { op: 'transfer.create' })).toBeGreaterThan(0);
  });

  it('reports group-commit batches and their write time', async () => {
    const { samples } = await scrape(t.wsPort);
    const batches = promValue(samples, 'bankrelay_commit_batch_jobs_count')!;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBe(t.relay.context.commits.stats.batches);
    expect(promValue(samples, 'bankrelay_commit_batch_jobs_sum')).toBe(t.relay.context.commits.stats.jobs);
    expect(promValue(samples, 'bankrelay_commit_write_duration_seconds_count')).toBe(batches);
    expect(promValue(samples, 'bankrelay_commit_write_duration_seconds_sum')).toBeGreaterThan(0);
    expect(promValue(samples, 'bankrelay_commit_batch_failures_total')).toBe(0);
  });

  it('reads connections, sessions, audit head and ledger size at scrape time', async () => {
    const { samples } = await scrape(t.wsPort);
    expect(promValue(samples, 'bankrelay_connections', { transport: 'tcp' })).toBe(2);
    expect(promValue(samples, 'bankrelay_connections', { transport: 'ws' })).toBe(1);
    expect(promValue(samples, 'bankrelay_sessions')).toBe(2);
    expect(promValue(samples, 'bankrelay_audit_head_seq')).toBe(t.relay.context.commits.auditHead.seq);
    expect(promValue(samples, 'bankrelay_audit_head_seq')).toBeGreaterThan(5);
    expect(promValue(samples, 'bankrelay_ledger_accounts')).toBe(3); // cash + two customers
    expect(promValue(samples, 'bankrelay_ledger_transfers')).toBe(3); // a deposit and two transfers
    expect(promValue(samples, 'bankrelay_slow_consumer_drops_total', { transport: 'tcp' })).toBeUndefined();
    expect(promValue(samples, 'bankrelay_ready')).toBe(1);
    expect(promValue(samples, 'bankrelay_startup_check_ok')).toBe(1);

    const extra = await connect(t, 'ws');
    const after = (await scrape(t.wsPort)).samples;
    expect(promValue(after, 'bankrelay_connections', { transport: 'ws' })).toBe(2);
    extra.close();
    await waitUntil(() => t.relay.context.live.countByTransport().ws === 1, 'the extra client to be gone');
  });

  it('keeps each relay\'s figures apart (a registry per relay)', async () => {
    const other = await startTestRelay();
    try {
      const c = await connect(other, 'tcp');
      await c.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      c.close();
      const mine = (await scrape(other.wsPort)).samples;
      expect(promValue(mine, 'bankrelay_requests_total', { op: 'auth.login', outcome: 'ok' })).toBe(1);
      expect(promValue(mine, 'bankrelay_requests_total', { op: 'transfer.create', outcome: 'ok' })).toBeUndefined();
      const first = (await scrape(t.wsPort)).samples;
      expect(promValue(first, 'bankrelay_requests_total', { op: 'auth.login', outcome: 'ok' })).toBe(2);
    } finally {
      await other.stop();
    }
  });

  it('exposes no secrets: only op names, error codes and transports as labels', async () => {
    const { samples, text } = await scrape(t.wsPort);
    const labelNames = new Set(samples.flatMap((s) => (s.name.startsWith('bankrelay_') ? Object.keys(s.labels) : [])));
    expect([...labelNames].sort()).toEqual(['le', 'op', 'outcome', 'transport']);
    for (const secret of [ADMIN_PASSWORD, 'jane_smith', janeAcct, johnAcct]) expect(text).not.toContain(secret);
  });
});

describe('GET /healthz', () => {
  it('is 200 ok while serving, and 503 stopping while the relay drains and closes its database', async () => {
    const t = await startTestRelay();
    try {
      const ok = await healthz(t.wsPort);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: 'ok', startupCheck: 'ok', connections: { tcp: 0, ws: 0 } });

      // Hold database writes so a request stays in flight while the relay stops.
      // The LevelDB store commits each batch through a chained batch (LevelLedger): hold each one's write.
      type Chained = { write: (...args: unknown[]) => Promise<unknown> };
      const db = levelDbOf(t).db as unknown as { batch: (...args: unknown[]) => Chained };
      const batch = db.batch.bind(db);
      let releaseWrites!: () => void;
      const writesHeld = new Promise<void>((r) => (releaseWrites = r));
      db.batch = (...args: unknown[]) => {
        const chained = batch(...args);
        const write = chained.write.bind(chained);
        chained.write = async (...writeArgs: unknown[]) => {
          await writesHeld;
          return write(...writeArgs);
        };
        return chained;
      };
      const c = await connect(t, 'tcp');
      const register = c.call('auth.register', { username: 'someone_new', password: 'someone_new password', displayName: 'Someone' });
      await waitUntil(() => [...t.relay.context.live.all].some((conn) => conn.inFlight > 0), 'a request in flight');

      const closing = t.relay.close();
      const stopping = await healthz(t.wsPort);
      expect(stopping.status).toBe(503);
      expect(stopping.body.status).toBe('stopping');
      expect(promValue((await scrape(t.wsPort)).samples, 'bankrelay_ready')).toBe(0);
      expect(await upgradeStatus(t)).toBe(503);

      releaseWrites();
      expect(await register).toMatchObject({ ok: true });
      await closing;
      expect(t.relay.health()).toMatchObject({ status: 503, body: { status: 'stopped' } });
      await expect(fetch(`http://127.0.0.1:${t.wsPort}/healthz`)).rejects.toThrow();
      c.close();
    } finally {
      await t.stop();
    }
  });

  it('answers 503 starting while the relay starts, before the database is ready', async () => {
    const port = await freePort();
    const dataDir = await tempDir();
    // A costlier (still real) scrypt for the first admin keeps start-up busy long enough to probe.
    const starting = Relay.start({ dataDir, tcpPort: 0, wsPort: port, scryptLog2N: 16, logLevel: 'silent' }, { log: silentLogger, adminPassword: ADMIN_PASSWORD });
    let done = false;
    const started = starting.finally(() => (done = true));
    const seen: { status: number; body: { status: string } }[] = [];
    while (!done) {
      try {
        const h = await healthz(port);
        // A probe still in flight when start() returned may rightly be answered 200: only those
        // answered while the relay was still starting count.
        if (!done) seen.push(h);
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const relay = await started;
    try {
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]).toMatchObject({ status: 503, body: { status: 'starting' } });
      expect(seen.every((h) => h.status === 503 && h.body.status === 'starting')).toBe(true);
      expect((await healthz(port)).status).toBe(200);
    } finally {
      await relay.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
