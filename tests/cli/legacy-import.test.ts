import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL, connectTcp, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * `bank-relay legacy import` as an operator runs it (the built CLI), on the fixture built from
 * LEGACY-PROTOCOL §3.2–3.3 and on a file of every quirk: the reconciliation, --dry-run, --json,
 * rejected records (exit 1, nothing written) and --allow-partial, idempotency, and `ledger
 * verify` / `audit verify` afterwards, on LevelDB and on PostgreSQL (with a relay serving it).
 */
const SLOW = { timeout: 120_000 };
const FIXTURE = fileURLToPath(new URL('../fixtures/legacy/BankDatabase.json', import.meta.url));
const QUIRKS = fileURLToPath(new URL('../fixtures/legacy/BankDatabase-quirks.json', import.meta.url));

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let n = 0;
const freshDir = () => tmp.path(`data-${++n}`);

beforeAll(async () => {
  tmp = await tempRoot('bank-legacy-cli-');
});
afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

const legacyImport = (args: string[]) => runCli(['legacy', 'import', ...args]);

interface JsonReport {
  dryRun: boolean;
  stopped: boolean;
  wrote: boolean;
  inFile: { users: number; admins: number; history: number };
  imported: { users: number; admins: number; history: number; balances: number };
  alreadyImported: { users: number; admins: number };
  mappings: { legacyUsername: string; legacyAccount?: string; username: string; account?: string; status: string }[];
  rejected: { place: string; reason: string }[];
}

describe.concurrent('bank-relay legacy import on LevelDB', SLOW, () => {
  it('--dry-run prints the reconciliation and writes nothing; then the import, the verifiers, and a second import that changes nothing', async ({ expect }) => {
    const dir = freshDir();
    const dry = await legacyImport(['--file', FIXTURE, '--data', dir, '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/DRY RUN, nothing written/);
    expect(dry.stdout).toMatch(/in the file: +8 users, 3 admins, 30 history entries/);
    expect(dry.stdout).toMatch(/would import: +8 users \(balances 633186\.00\), 3 admins, 30 history entries/);
    expect(dry.stdout).toMatch(/"adham hossam" ACC10038 → adham_hossam \(new account\), balance 12000\.00, 4 history: would import; signs in as "adham_hossam", or with the old name "adham hossam" \(an alias\)/);
    expect(dry.stdout).toMatch(/dry run: nothing was written\.\n$/);
    expect(existsSync(dir)).toBe(false);

    const res = await legacyImport(['--file', FIXTURE, '--data', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/imported now: +8 users \(balances 633186\.00\), 3 admins, 30 history entries/);
    expect(res.stdout).toMatch(/"David_hector" ACC1003 → david_hector DB\d\d \d{4} \d{4} \d\d, balance 3796\.00, 3 history: imported; /);
    expect(res.stdout).toMatch(/"omar\.k" ACC1005 → .*: imported; must choose a new password;/);
    expect(res.stdout).not.toMatch(/pa55word|superAdmin|johnny-2024/);
    expect(res.stdout).toMatch(/imported 8 users and 3 admins; check it with: bank-relay ledger verify --data /);

    const ledger = await runCli(['ledger', 'verify', '--data', dir]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toMatch(/ledger OK: 9 accounts, 8 transfers, balances sum to 0/);
    const audit = await runCli(['audit', 'verify', '--data', dir]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);

    const again = await legacyImport(['--file', FIXTURE, '--data', dir, '--json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as JsonReport;
    expect(report).toMatchObject({ dryRun: false, stopped: false, wrote: false, imported: { users: 0, admins: 0 }, alreadyImported: { users: 8, admins: 3 } });
    expect(report.mappings.find((m) => m.legacyAccount === 'Acc1001773')).toMatchObject({ username: 'youssef', status: 'already imported', account: expect.stringMatching(/^DB\d{12}$/) });
    expect((await legacyImport(['--file', FIXTURE, '--data', dir])).stdout).toMatch(/nothing to import: every record of this file is already in the bank \(8 users, 3 admins\); nothing was changed\.\n$/);
    const auditAfter = await runCli(['audit', 'verify', '--data', dir]);
    expect(auditAfter.stdout.match(/(\d+) entries/)?.[1]).toBe(audit.stdout.match(/(\d+) entries/)?.[1]);

    // The imported people sign in on a relay started on that directory, with their old names.
    const relay = await startRelayProcess(['--data', dir, ...EPHEMERAL]);
    const c = await connectTcp(relay);
    try {
      const login = await c.request('auth.login', { username: 'adham hossam', password: 'adham-pass-88' });
      expect(login).toMatchObject({ user: { username: 'adham_hossam', displayName: 'adham hossam', legacy: { username: 'adham hossam', account: 'ACC10038' } }, accounts: [{ balance: 1_200_000 }] });
      const history = await c.request('account.history', { legacy: true });
      expect(history.entries).toHaveLength(1);
      expect(history.legacyEntries?.map((e) => e.amount)).toEqual([250_000, -250_000, 400_000, 600_000]);
    } finally {
      c.close();
      expect(await relay.stop()).toBe(0);
    }
  });

  it('a file with rejected records: exit 1 and nothing written, each reason printed; --allow-partial imports the rest', async ({ expect }) => {
    const dir = freshDir();
    const res = await legacyImport(['--file', QUIRKS, '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/rejected \(12\):/);
    expect(res.stdout).toMatch(/users\[3\] +"null_balance": balance is null, not a number/);
    expect(res.stdout).toMatch(/users\[7\] +"copycat": duplicate account number "ACC1001" \(first at users\[0\]\)/);
    expect(res.stdout).toMatch(/nothing was written: 12 records were rejected\. Fix the file and import again, or pass --allow-partial to import the rest\.\n$/);
    expect(existsSync(dir)).toBe(false);

    const partial = await legacyImport(['--file', QUIRKS, '--data', dir, '--allow-partial', '--json']);
    expect(partial.stderr).toBe('');
    expect(partial.code).toBe(0);
    const report = JSON.parse(partial.stdout) as JsonReport;
    expect(report.imported).toEqual({ users: 9, admins: 2, history: 3, balances: 490_00 + 15500_00 + 490_50 + 12000_00 + 1_00 + 7_00 + 3_00 + 4_00 + 0 });
    expect(report.rejected).toHaveLength(12);
    expect(report.mappings.find((m) => m.legacyUsername === 'x')).toMatchObject({ username: 'x_user', status: 'imported' });
    const ledger = await runCli(['ledger', 'verify', '--data', dir]);
    expect(ledger.code, ledger.stdout).toBe(0);
    // "zero" has nothing to deposit: 8 opening deposits for 9 customers.
    expect(ledger.stdout).toMatch(/ledger OK: 10 accounts, 8 transfers, balances sum to 0/);
    expect((await runCli(['audit', 'verify', '--data', dir])).code).toBe(0);
  });

  it('refuses what is not a bank file in one line, and bad options with a usage error', async ({ expect }) => {
    const notJson = tmp.path('not.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(notJson, '{"users": ['));
    const res = await legacyImport(['--file', notJson, '--data', freshDir()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: .*not\.json: not a JSON document: .*; nothing was imported\n$/);
    expect((await legacyImport(['--data', freshDir()])).code).toBe(2);
    expect((await legacyImport(['--file', tmp.path('missing.json')])).stderr).toMatch(/^bank-relay: cannot read .*missing\.json/);
  });
});

describe('bank-relay legacy import --store postgres://… while a relay serves the bank', SLOW, () => {
  let server: TestPostgres;
  let url: string;

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('bank_legacy');
  }, SLOW.timeout);

  afterAll(async () => {
    await server?.stop();
  });

  it('imports into PostgreSQL, idempotently; the serving relay signs the old names in; both verifiers pass', async () => {
    const dry = await legacyImport(['--file', FIXTURE, '--store', url, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, wrote: false, imported: { users: 8, admins: 3, history: 30, balances: 633186_00 } });

    const relay = await startRelayProcess(['--store', url, '--data', tmp.path('pg-relay'), ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: 'pg-admin-password' });
    try {
      const res = await legacyImport(['--file', FIXTURE, '--store', url]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/imported now: +8 users \(balances 633186\.00\), 3 admins, 30 history entries/);
      const again = await legacyImport(['--file', FIXTURE, '--store', url]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing to import: every record of this file is already in the bank \(8 users, 3 admins\); nothing was changed/);

      // The relay was serving before the import: it reads the aliases from the store when first needed.
      const c = await connectTcp(relay);
      try {
        const login = await c.request('auth.login', { username: 'adham hossam', password: 'adham-pass-88' });
        expect(login).toMatchObject({ user: { username: 'adham_hossam', legacy: { account: 'ACC10038' } } });
        const history = await c.request('account.history', { legacy: true, limit: 3 });
        expect(history.entries.map((e) => e.amount)).toEqual([1_200_000]);
        expect(history.legacyEntries?.map((e) => e.legacyId)).toEqual(['3030303030', '3131313131']);
      } finally {
        c.close();
      }
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const ledger = await runCli(['ledger', 'verify', '--store', url]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toMatch(/8 transfers, balances sum to 0/);
    const audit = await runCli(['audit', 'verify', '--store', url]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });
});
