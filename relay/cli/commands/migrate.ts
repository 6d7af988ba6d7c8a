import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import { ProgressBar } from '../progress.js';
import { newClient } from '../../store/postgres/connect.js';
import { migrate } from '../../store/postgres/migrations.js';
import { importBank, TargetNotEmptyError } from '../../store/postgres/import-bank.js';
import { verifyPgAudit, verifyPgLedger } from '../../store/postgres/verify.js';
import { isPostgresUrl, redactUrl } from '../../store/postgres/url.js';
import { CliError } from '../errors.js';
import { openBankToRead } from '../offline.js';

export const migrateUsage = 'bank-relay migrate --from-leveldb DIR --to postgres://USER@HOST:PORT/DB';

/**
 * Moves a LevelDB bank into an empty PostgreSQL database: applies the schema,
 * copies everything in one transaction with a progress bar, then verifies the ledger and the
 * audit chain on the target and checks they match the source's.
 */
export async function migrateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { 'from-leveldb': { type: 'string' }, to: { type: 'string' } } });
  const from = values['from-leveldb'];
  const to = values.to;
  if (from === undefined || to === undefined) throw new CliError(`usage: ${migrateUsage}`, 2);
  if (!isPostgresUrl(to)) throw new CliError(`--to must be a postgres:// URL, e.g. postgres://bank@db.example:5432/bank (got ${redactUrl(to)})`, 2);
  const target = redactUrl(to);

  const source = await openBankToRead(resolveConfig({ dataDir: from }));
  const client = newClient(to);
  try {
    // The source is checked first: a broken bank is not copied anywhere.
    const [sourceLedger, sourceAudit] = await Promise.all([source.verifyLedger(), source.verifyAudit()]);
    if (!sourceLedger.ok) throw new CliError(`the source ledger in ${from} does not verify (${sourceLedger.problem}); nothing was copied`);
    if (!sourceAudit.ok) throw new CliError(`the source audit chain in ${from} is broken at seq ${sourceAudit.badSeq} (${sourceAudit.reason}); nothing was copied`);

    try {
      await client.connect();
    } catch (err) {
      throw new CliError(`cannot connect to ${target}: ${(err as Error).message}`);
    }
    const schema = await migrate(client);
    process.stdout.write(`schema: version ${schema.to}${schema.applied.length > 0 ? ` (applied ${schema.applied.join(', ')})` : ' (already there)'}\n`);

    const transfers = sourceLedger.transfers;
    // Roughly every record: accounts, transfers, audit entries (about one per transfer).
    const bar = new ProgressBar('migrating', sourceLedger.accounts + transfers + sourceAudit.entries);
    let counts;
    try {
      counts = await importBank(source, client, (n) => bar.update(n));
    } catch (err) {
      if (err instanceof TargetNotEmptyError) throw new CliError(`${target}: ${err.message}`);
      throw new CliError(`the copy into ${target} failed and was rolled back (the target is as it was): ${(err as Error).message}`);
    } finally {
      bar.finish();
    }
    process.stdout.write(
      `copied ${from} to ${target}: ${counts.users} users, ${counts.sessions} sessions, ${counts.accounts} accounts, ${counts.transfers} transfers, ${counts.runs} payment runs, ${counts.audit} audit entries\n`,
    );

    const [ledger, audit] = [await verifyPgLedger(client), await verifyPgAudit(client)];
    const ledgerSame = ledger.ok && ledger.accounts === sourceLedger.accounts && ledger.transfers === sourceLedger.transfers;
    const auditSame = audit.ok && audit.head.seq === sourceAudit.head.seq && audit.head.hash === sourceAudit.head.hash;
    process.stdout.write(ledgerSame ? `ledger OK on the target: ${ledger.accounts} accounts, ${ledger.transfers} transfers, balances sum to ${ledger.sum}\n` : `ledger on the target does NOT match: ${ledger.problem ?? `${ledger.accounts} accounts and ${ledger.transfers} transfers, the source had ${sourceLedger.accounts} and ${sourceLedger.transfers}`}\n`);
    process.stdout.write(auditSame ? `audit chain OK on the target: ${audit.entries} entries, head seq ${audit.head.seq} ${audit.head.hash}, the same as the source\n` : `audit chain on the target does NOT match: ${audit.ok ? `head seq ${audit.head.seq}, the source's is ${sourceAudit.head.seq}` : `broken at seq ${audit.badSeq}: ${audit.reason}`}\n`);
    if (!ledgerSame || !auditSame) process.exitCode = 1;
  } finally {
    await client.end().catch(() => undefined);
    await source.close();
  }
}
