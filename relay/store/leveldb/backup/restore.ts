import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { Level } from 'level';
import { IDENTITY_FILE, identityFromPem, spkiFingerprint } from '../../../identity.js';
import { CliError } from '../../../cli/errors.js';
import { BankDb } from '../bank-db.js';
import type { LedgerVerdict } from '../../../ledger/verdict.js';
import type { ChainVerdict } from '../../../audit/chain.js';
import { BackupFormatError, parseBackup, sublevelOf, type BackupHeader } from './format.js';
import { ProgressBar } from '../../../cli/progress.js';

export interface RestoreResult {
  header: BackupHeader;
  ledger: LedgerVerdict;
  audit: ChainVerdict;
}

const ALLOWED_FILES = new Set([IDENTITY_FILE]);

/**
 * Restores a backup into `dataDir`, which must not exist or be empty. Everything is written to
 * `dataDir.tmp` first; only once the whole file has been read, its checksum and counts match,
 * and ledger and audit verify on the result is it renamed into place. On any failure the
 * temporary directory is removed, so nothing is left behind.
 */
export async function restoreBackup(inFile: string, dataDir: string, opts: { progress?: boolean } = {}): Promise<RestoreResult> {
  const target = path.resolve(dataDir);
  const existing = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new CliError(`cannot use ${dataDir}: ${err.message}`);
  });
  if (existing && existing.length > 0) throw new CliError(`${dataDir} exists and is not empty: restore only into a new or empty directory`);
  const tmp = `${target}.tmp`;
  if (await stat(tmp).then(() => true, () => false)) {
    throw new CliError(`${tmp} exists (left by an interrupted restore?): remove it first`);
  }
  const inStat = await stat(inFile).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${inFile}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });

  await mkdir(tmp, { recursive: false, mode: 0o700 });
  let db: Level<Buffer, Buffer> | undefined;
  try {
    const gz = await isGzip(inFile);
    const raw = createReadStream(inFile, { highWaterMark: 1 << 20 });
    const source: AsyncIterable<Buffer> = gz ? raw.pipe(createGunzip()) : raw;
    db = new Level<Buffer, Buffer>(path.join(tmp, 'db'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();

    let header: BackupHeader | undefined;
    const counts: Record<string, number> = {};
    const files = new Map<string, Buffer>();
    let ops: { type: 'put'; key: Buffer; value: Buffer }[] = [];
    let n = 0;
    let bar: ProgressBar | undefined;
    const show = opts.progress ?? true;
    try {
      for await (const item of parseBackup(source)) {
        if (item.kind === 'header') {
          header = item.header;
          bar = new ProgressBar('restore', header.records);
        } else if (item.kind === 'kv') {
          const s = sublevelOf(item.key);
          counts[s] = (counts[s] ?? 0) + 1;
          ops.push({ type: 'put', key: item.key, value: item.value });
          n++;
          if (ops.length >= 2000) {
            await db.batch(ops);
            ops = [];
            if (show) bar?.update(n);
          }
        } else if (item.kind === 'file') {
          if (!ALLOWED_FILES.has(item.name)) throw new BackupFormatError(`unexpected file "${item.name}" in the backup`);
          files.set(item.name, item.content);
        }
      }
    } catch (err) {
      if (err instanceof BackupFormatError) throw new CliError(`refusing ${inFile}: ${err.message}; nothing was restored`);
      if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || (err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') {
        throw new CliError(`refusing ${inFile}: the compressed data is truncated or corrupted; nothing was restored`);
      }
      throw err;
    }
    if (ops.length) await db.batch(ops);
    if (show) bar?.finish();
    await db.close();
    db = undefined;
    if (!header) throw new CliError(`refusing ${inFile}: no header; nothing was restored`);
    for (const [s, c] of Object.entries({ ...header.counts, ...counts })) {
      if ((header.counts[s] ?? 0) !== (counts[s] ?? 0)) throw new CliError(`refusing ${inFile}: the header counts ${header.counts[s] ?? 0} "${s}" records, the file holds ${counts[s] ?? 0}`);
    }

    const pem = files.get(IDENTITY_FILE);
    if (!pem) throw new CliError(`refusing ${inFile}: it holds no identity key`);
    const idPath = path.join(tmp, IDENTITY_FILE);
    const fp = spkiFingerprint(identityFromPem(pem.toString('utf8'), idPath).spki);
    if (fp !== header.fingerprint) throw new CliError(`refusing ${inFile}: its identity key does not match the fingerprint in its header`);
    await writeFile(idPath, pem, { mode: 0o600, flag: 'wx' });
    await chmod(idPath, 0o600);

    const bank = await BankDb.open(tmp);
    let ledger: LedgerVerdict;
    let audit: ChainVerdict;
    try {
      ledger = await bank.verifyLedger();
      audit = await bank.verifyAudit();
    } finally {
      await bank.close();
    }
    if (!ledger.ok) throw new CliError(`the restored ledger does not verify (${ledger.problem}); nothing was restored`);
    if (!audit.ok) throw new CliError(`the restored audit chain does not verify (seq ${audit.badSeq}: ${audit.reason}); nothing was restored`);
    if (audit.head.seq !== header.audit.seq || audit.head.hash !== header.audit.hash) {
      throw new CliError(`the restored audit head (seq ${audit.head.seq}) differs from the backup's (seq ${header.audit.seq}); nothing was restored`);
    }

    if (existing) await rmdir(target);
    await rename(tmp, target);
    void inStat;
    return { header, ledger, audit };
  } catch (err) {
    await db?.close().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function isGzip(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
