import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChainVerdict } from '../../../audit/chain.js';
import type { LedgerVerdict } from '../../../ledger/verdict.js';
import { BankDb } from '../bank-db.js';
import { CliError } from '../../../cli/errors.js';

/**
 * A consistent, read-only view of a bank's database, whether or not a relay is running on it.
 *
 * LevelDB takes an exclusive lock (db/LOCK), so while a relay runs no other process can open
 * the database, and an in-process snapshot would need a protocol/admin operation (not wanted).
 * So:
 *
 * - Not locked (relay stopped): the database is opened directly; nothing else writes to it.
 * - Locked (relay running): a private copy is made in a temp directory and opened there.
 *   Every file is COPIED, table files included. (They were hard-linked once, being immutable,
 *   but opening the copy lets LevelDB write new table files numbered after the copied
 *   MANIFEST; a file the live relay created meanwhile can have that very number, and writing
 *   through a shared link truncated the live database's file. Found with 440k transfers.) A
 *   copy never shares an inode with the live database. A torn record at the
 *   end of a copied log is dropped by LevelDB's recovery, exactly as after a crash, so what is
 *   recovered is a prefix of the committed batches; each relay batch (ledger rows + audit entry
 *   + audit head) is one LevelDB batch, so a prefix is a consistent bank state.
 *   What a plain copy cannot guarantee is that CURRENT/MANIFEST/table/log files belong to the
 *   same moment (a compaction or memtable flush can run while we copy). We therefore
 *   (1) compare the directory's non-table files (names, and the MANIFEST's size) before and
 *   after the copy and retry if they changed, and (2) open the copy and run the full ledger and
 *   audit verification on it; any failure (missing table file, chain gap, unbalanced ledger)
 *   means the copy is retried, up to `attempts` times.
 */
export interface ConsistentView {
  bank: BankDb;
  /** True when the relay was running and the view is a verified copy. */
  copied: boolean;
  /** How many copies were made (0 when opened directly). */
  attempts: number;
  ledger: LedgerVerdict;
  audit: ChainVerdict;
  close(): Promise<void>;
}

export async function openConsistentView(dataDir: string, opts: { attempts?: number } = {}): Promise<ConsistentView> {
  const dbDir = path.join(dataDir, 'db');
  const isDir = await stat(dbDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new CliError(`no bank database in ${dataDir}: check --data (the relay creates it on first start)`);

  let direct: BankDb | undefined;
  try {
    direct = await BankDb.open(dataDir);
  } catch (err) {
    if (!isLocked(err)) throw err;
  }
  if (direct) {
    const bank = direct;
    try {
      const [ledger, audit] = [await bank.verifyLedger(), await bank.verifyAudit()];
      return { bank, copied: false, attempts: 0, ledger, audit, close: () => bank.close() };
    } catch (err) {
      await bank.close();
      throw err;
    }
  }

  const max = opts.attempts ?? 5;
  let lastProblem = '';
  for (let attempt = 1; attempt <= max; attempt++) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'bank-relay-view-'));
    const cleanup = () => rm(tmp, { recursive: true, force: true });
    let bank: BankDb | undefined;
    try {
      await copyDbDir(dbDir, path.join(tmp, 'db'));
      bank = await BankDb.open(tmp);
      const ledger = await bank.verifyLedger();
      const audit = await bank.verifyAudit();
      if (ledger.ok && audit.ok) {
        const b = bank;
        return {
          bank: b,
          copied: true,
          attempts: attempt,
          ledger,
          audit,
          close: async () => {
            await b.close();
            await cleanup();
          },
        };
      }
      lastProblem = !ledger.ok ? `ledger: ${ledger.problem}` : `audit: ${(audit as { reason?: string }).reason}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await bank?.close().catch(() => undefined);
    await cleanup();
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
  throw new CliError(`could not take a consistent copy of the running relay's database in ${max} attempts (last problem: ${lastProblem})`);
}

function isLocked(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; message?: string } };
  return e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(e.cause?.message ?? '');
}

const isTable = (name: string) => name.endsWith('.ldb') || name.endsWith('.sst');

/** Names and sizes of the mutable files, except the logs (which only grow). */
async function mutableState(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => !isTable(n) && n !== 'LOCK' && !n.startsWith('LOG')).sort();
  const parts: string[] = [];
  for (const n of names) {
    if (n.startsWith('MANIFEST-')) parts.push(`${n}:${(await stat(path.join(dir, n)).catch(() => ({ size: -1 }))).size}`);
    else if (n === 'CURRENT') parts.push(`CURRENT:${(await readFile(path.join(dir, n), 'utf8').catch(() => '?')).trim()}`);
    else parts.push(n);
  }
  return parts.join(',');
}

/** Copies a live LevelDB directory as described above; throws when it changed meanwhile. */
async function copyDbDir(from: string, to: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(to, { recursive: true, mode: 0o700 });
  const before = await mutableState(from);
  const names = await readdir(from);
  // Manifest and CURRENT first, then tables, then logs: anything the manifest names was written
  // before it, and logs written after the manifest only add newer batches.
  const order = (n: string) => (n === 'CURRENT' || n.startsWith('MANIFEST-') ? 0 : isTable(n) ? 1 : 2);
  for (const n of [...names].sort((a, b) => order(a) - order(b))) {
    if (n === 'LOCK' || n.startsWith('LOG')) continue; // the lock and the info log are not data
    const src = path.join(from, n);
    const dst = path.join(to, n);
    if (isTable(n)) {
      try {
        await copyFile(src, dst);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // compacted away meanwhile: the manifest check below decides
        throw err;
      }
    } else {
      try {
        await copyFile(src, dst);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${n} disappeared during the copy`);
        throw err;
      }
    }
  }
  const after = await mutableState(from);
  if (before !== after) throw new Error('the database changed its files during the copy (compaction or flush)');
}
