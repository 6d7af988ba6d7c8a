import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClient } from '../../relay/store/postgres/connect.js';
import { prepareBank, prepareSessions, prepareTransfers } from '../../relay/bench/prepare.js';
import { BankDb } from '../../relay/store/leveldb/bank-db.js';
import { verifyPgAudit, verifyPgLedger } from '../../relay/store/postgres/verify.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../relay/store/postgres/migrations.js';
import { runCli, tempRoot } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * `bank-relay migrate --from-leveldb DIR --to postgres://…` round trip, from a LevelDB
 * data directory with the demo customers, bench customers, sessions and a few thousand
 * transfers, into a real PostgreSQL; then verified there, and refused a second time.
 */
describe('bank-relay migrate', () => {
  let server: TestPostgres;
  let tmp: Awaited<ReturnType<typeof tempRoot>>;
  let dataDir: string;
  beforeAll(async () => {
    [server, tmp] = await Promise.all([startPostgres(), tempRoot('bank-migrate-')]);
    dataDir = tmp.path('data');
    const demo = await runCli(['demo', '--data', dataDir]);
    expect(demo.code, demo.stderr).toBe(0);
    const accounts = await prepareBank(dataDir, 40, 1_000_000);
    await prepareSessions(dataDir, 10, 25);
    await prepareTransfers(dataDir, accounts, 3000);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await tmp?.remove();
  });

  it('copies the whole bank, verifies ledger and audit on the target, and refuses a target that already holds a bank', { timeout: 120_000 }, async () => {
    const url = await server.createDatabase('bank_migrated');
    const res = await runCli(['migrate', '--from-leveldb', dataDir, '--to', url]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`schema: version ${SCHEMA_VERSION} (applied ${MIGRATIONS.map((m) => m.version).join(', ')})\n`);
    expect(res.stdout).toMatch(/^copied .* to postgres:\/\/postgres@127\.0\.0\.1:\d+\/bank_migrated: \d+ users, 25 sessions, 46 accounts, \d+ transfers, \d+ payment runs, \d+ audit entries$/m);
    expect(res.stdout).toMatch(/^ledger OK on the target: 46 accounts, \d+ transfers, balances sum to 0$/m);
    expect(res.stdout).toMatch(/^audit chain OK on the target: \d+ entries, head seq \d+ [0-9a-f]{64}, the same as the source$/m);

    // What PostgreSQL holds is what LevelDB held: balances account by account, counts, the head.
    const bank = await BankDb.open(dataDir);
    const source = await bank.verifyLedger();
    const balances = new Map<string, number>();
    for await (const a of bank.accounts.values()) balances.set(a.account, a.balance);
    const head = await bank.auditHead();
    await bank.close();
    const c = newClient(url);
    await c.connect();
    try {
      expect(await verifyPgLedger(c)).toEqual(source);
      expect(source.transfers).toBeGreaterThan(3000);
      expect(await verifyPgAudit(c)).toMatchObject({ ok: true, head });
      const rows = (await c.query<{ account: string; balance: string }>('SELECT account, balance FROM accounts')).rows;
      expect(new Map(rows.map((r) => [r.account, Number(r.balance)]))).toEqual(balances);
      expect((await c.query('SELECT count(*)::int AS n FROM users WHERE username = $1', ['jane_smith'])).rows[0].n).toBe(1);
      // Not a vacuous OK on the target either: one balance changed behind the ledger's back is caught.
      const victim = rows.find((r) => Number(r.balance) > 0)!.account;
      await c.query(`UPDATE accounts SET balance = balance + 1, record = jsonb_set(record, '{balance}', to_jsonb((record->>'balance')::bigint + 1)) WHERE account = $1`, [victim]);
      const broken = await verifyPgLedger(c);
      expect(broken.ok).toBe(false);
      expect(broken.problem).toMatch(new RegExp(`^account ${victim}: balance \\d+ but its entries sum to \\d+$`));
      await c.query(`UPDATE accounts SET balance = balance - 1, record = jsonb_set(record, '{balance}', to_jsonb((record->>'balance')::bigint - 1)) WHERE account = $1`, [victim]);
    } finally {
      await c.end();
    }

    // A second run finds a bank there and changes nothing.
    const again = await runCli(['migrate', '--from-leveldb', dataDir, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a bank .*migrate into an empty database/);
  });

  it('explains its usage, a URL that is not postgres://, and an unreachable server in one line each, without printing a password', async () => {
    const none = await runCli(['migrate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/usage: bank-relay migrate --from-leveldb DIR --to postgres:\/\//);
    const wrong = await runCli(['migrate', '--from-leveldb', dataDir, '--to', 'mysql://u:secret@h/db']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).not.toContain('secret');
    const unreachable = await runCli(['migrate', '--from-leveldb', dataDir, '--to', 'postgres://bank:hunter2@127.0.0.1:1/bank']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^bank-relay: cannot connect to postgres:\/\/bank@127\.0\.0\.1:1\/bank: /);
    expect(unreachable.stderr).not.toContain('hunter2');
  });
});
