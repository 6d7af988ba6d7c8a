import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import type { BankStore } from '../../store/bank-store.js';
import { openPool } from '../../store/postgres/connect.js';
import { installedVersion } from '../../store/postgres/migrations.js';
import { PgBank } from '../../store/postgres/pg-bank.js';
import { isPostgresUrl, redactUrl } from '../../store/postgres/url.js';
import { runLegacyImport, type ImportReport, type ImportTarget } from '../../legacy/import/apply.js';
import { LEGACY_FILE_MAX_BYTES, LegacyFileError, parseLegacyFile, type ParsedLegacyFile } from '../../legacy/import/parse.js';
import { formatImportReport } from '../../legacy/import/report.js';
import { CliError } from '../errors.js';
import { namesDatabase, openBankToRead, openBankToWrite } from '../offline.js';
import { ProgressBar } from '../progress.js';

export const legacyImportUsage = 'bank-relay legacy import --file BankDatabase.json [--data DIR | --store postgres://…] [--dry-run] [--json] [--allow-partial]';

/**
 * Imports the old Qt bank's BankDatabase.json (LEGACY-PROTOCOL §3; docs/PROTOCOL.md, "Legacy
 * import"). First a read-only pass decides every record; `--dry-run` stops there, and so does an
 * import with rejected records unless `--allow-partial` (nothing written, exit 1). Then the bank
 * is opened to write and the import runs through its one writer. Idempotent: a second run finds
 * everything imported and writes nothing.
 */
export async function legacyImportCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      file: { type: 'string' },
      data: { type: 'string' },
      store: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      'allow-partial': { type: 'boolean' },
    },
  });
  if (values.file === undefined) throw new CliError(`--file is required; usage: ${legacyImportUsage}`, 2);
  if (values.data !== undefined && namesDatabase(values.store)) throw new CliError('give --data or --store postgres://…, not both', 2);
  if (namesDatabase(values.store) && !isPostgresUrl(values.store)) throw new CliError('--store takes "leveldb" or a postgres:// URL', 2);
  const { parsed, sha256 } = await readLegacyFile(values.file);
  const file = path.basename(values.file);
  const dryRun = values['dry-run'] === true;
  const allowPartial = values['allow-partial'] === true;
  const where = namesDatabase(values.store) ? redactUrl(values.store) : resolveConfig({ dataDir: values.data ?? './data' }).dataDir;
  const option = namesDatabase(values.store) ? '--store' : '--data';

  // The read-only pass: what the import would do, on the bank as it is.
  const reading = await openToRead(values);
  let report: ImportReport;
  try {
    report = await runLegacyImport({ bank: reading.bank }, parsed, { file, sha256, dryRun: true });
  } finally {
    await reading.close();
  }
  const stopped = !dryRun && report.rejected.length > 0 && !allowPartial;
  if (!dryRun && !stopped) {
    const bank = await openBankToWrite(values);
    const bar = values.json ? undefined : lazyBar();
    try {
      const target: ImportTarget = { bank: bank.bank, write: { users: bank.users, ledger: await bank.ledger(), commits: bank.commits } };
      report = await runLegacyImport(target, parsed, { file, sha256, dryRun: false, ...(bar && { progress: bar.update }) });
    } finally {
      bar?.finish();
      await bank.close();
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ ...report, where, stopped }, null, 2)}\n`);
  else process.stdout.write(formatImportReport(report, { where, option, stopped }));
  if (report.rejected.length > 0 && !allowPartial) process.exitCode = 1;
}

async function readLegacyFile(file: string): Promise<{ parsed: ParsedLegacyFile; sha256: string }> {
  let bytes: Buffer;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new CliError(`${file} is not a file`);
    if (s.size > LEGACY_FILE_MAX_BYTES) throw new CliError(`${file} is ${s.size} bytes: over the ${LEGACY_FILE_MAX_BYTES}-byte limit for an old bank's database`);
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file} is not UTF-8 text: nothing was imported`);
  }
  try {
    return { parsed: parseLegacyFile(text), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (err) {
    if (err instanceof LegacyFileError) throw new CliError(`${file}: ${err.message}; nothing was imported`);
    throw err;
  }
}

type ReadBank = Pick<BankStore, 'users' | 'getUsers' | 'kind'>;

/** A bank with nothing in it yet (a data directory or database an import will create). */
const EMPTY_BANK: ReadBank = {
  kind: 'leveldb',
  // eslint-disable-next-line require-yield
  async *users() {
    return;
  },
  getUsers: async (names) => names.map(() => undefined),
};

/** The bank to plan against, read-only: nothing is created, migrated or written. */
async function openToRead(values: { data?: string | undefined; store?: string | undefined }): Promise<{ bank: ReadBank; close(): Promise<void> }> {
  if (namesDatabase(values.store)) {
    const bank = new PgBank(openPool(values.store, 2));
    try {
      if ((await installedVersion(bank.pool)) === 0) throw Object.assign(new Error('no schema'), { code: '42P01' });
    } catch (err) {
      await bank.close().catch(() => undefined);
      // No bank there yet (42P01: no such table): the import migrates the database when it writes.
      if ((err as { code?: string }).code === '42P01') return { bank: { ...EMPTY_BANK, kind: 'postgres' }, close: async () => {} };
      throw new CliError(`cannot open the PostgreSQL store at ${redactUrl(values.store)}: ${(err as Error).message}`);
    }
    return { bank, close: () => bank.close() };
  }
  const config = resolveConfig({ dataDir: values.data ?? './data' });
  const exists = await stat(path.join(config.dataDir, 'db')).then((s) => s.isDirectory(), () => false);
  if (!exists) return { bank: EMPTY_BANK, close: async () => {} };
  const bank = await openBankToRead(config);
  return { bank, close: () => bank.close() };
}

/** A progress bar on a terminal, made once the total is known. */
function lazyBar(): { update: (done: number, total: number) => void; finish: () => void } {
  let bar: ProgressBar | undefined;
  return {
    update: (done, total) => {
      bar ??= new ProgressBar('importing', total);
      bar.update(done);
    },
    finish: () => bar?.finish(),
  };
}
