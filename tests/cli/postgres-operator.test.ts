import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL, connectTcp, killStrays, runCli, startRelayProcess, tempRoot, type RelayProcess } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * The operator's writing commands on the PostgreSQL store: `demo --store URL` and
 * `user add --store URL` write through the store's own ledger and commit sink, with a relay
 * serving the bank at the same time (the database orders every write), and what they wrote
 * signs in on that relay at once.
 */
const SLOW = { timeout: 120_000 };

let server: TestPostgres;
let tmp: Awaited<ReturnType<typeof tempRoot>>;
let url: string;
let relay: RelayProcess;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('bank_operator');
  tmp = await tempRoot('bank-pg-operator-');
  relay = await startRelayProcess(['--store', url, '--data', tmp.path('data'), ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: 'operator-admin-password' });
}, SLOW.timeout);

afterAll(async () => {
  await relay?.stop();
  killStrays();
  await server?.stop();
  await tmp?.remove();
});

async function login(username: string, password: string) {
  const c = await connectTcp(relay);
  try {
    return await c.call('auth.login', { username, password });
  } finally {
    c.close();
  }
}

describe('bank-relay demo / user add --store postgres://… while a relay serves the bank', SLOW, () => {
  it('demo adds the five customers with their history, prints their passwords, and refuses a second run', async () => {
    const res = await runCli(['demo', '--store', url]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^demo customers created in postgres:\/\/postgres@127\.0\.0\.1:\d+\/bank_operator:/);
    expect(res.stdout).toMatch(/jane_smith\s+jane-demo-pass\s+\S+/);
    expect(res.stdout).toMatch(/Start the relay with the same --store/);
    const jane = await login('jane_smith', 'jane-demo-pass');
    expect(jane).toMatchObject({ ok: true });
    // Opening 4,800.00; sent 45.00 (lunch) and 600.00 (birthday present), received 32.50 (coffee beans).
    const accounts = (jane as { result?: { accounts?: { balance: number }[] } }).result?.accounts;
    expect(accounts?.map((a) => a.balance)).toEqual([480_000 - 4_500 - 60_000 + 3_250]);
    const again = await runCli(['demo', '--store', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/john_doe already exists in postgres:\/\/.*: the demo data is there already/);
    const verify = await runCli(['ledger', 'verify', '--store', url]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('user add creates an active user who signs in on the running relay; a duplicate and a bad URL are refused in one line', async () => {
    const res = await runCli(['user', 'add', '--store', url, '--username', 'ops_clerk', '--role', 'admin', '--display-name', 'Ops Clerk'], { input: 'clerk secret password\n' });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('added admin ops_clerk (Ops Clerk)\n');
    expect(await login('ops_clerk', 'clerk secret password')).toMatchObject({ ok: true, result: { user: { username: 'ops_clerk', role: 'admin', displayName: 'Ops Clerk' } } });
    const dup = await runCli(['user', 'add', '--store', url, '--username', 'ops_clerk', '--role', 'user'], { input: 'another secret password\n' });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^bank-relay: .*ops_clerk.*\n$/);
    const bad = await runCli(['user', 'add', '--store', 'mysql://x', '--username', 'someone', '--role', 'user'], { input: 'some secret password\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--store takes "leveldb" or a postgres:\/\/ URL/);
    const audit = await runCli(['audit', 'verify', '--store', url]);
    expect(audit.code, audit.stdout).toBe(0);
  });
});
