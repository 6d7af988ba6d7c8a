import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { IDENTITY_FILE, identityFromPem, spkiFingerprint } from '../../../identity.js';
import { CliError } from '../../../cli/errors.js';
import { openConsistentView } from './consistent-view.js';
import { BACKUP_FORMAT, TAG_FILE, TAG_KV, encodeRecord, encodeTrailer, sublevelOf, type BackupHeader } from './format.js';
import { ProgressBar } from '../../../cli/progress.js';

export interface BackupResult {
  header: BackupHeader;
  bytes: number;
  /** True when the relay was running and the backup came from a verified copy. */
  live: boolean;
  attempts: number;
}

/**
 * Writes a backup of `dataDir` to `outFile` (via `outFile.partial`, renamed when complete, so
 * a crash never leaves something that looks like a backup). Works while the relay runs: see
 * openConsistentView. The source is verified (ledger and audit) before anything is written.
 */
export async function createBackup(dataDir: string, outFile: string, opts: { gzip?: boolean; progress?: boolean } = {}): Promise<BackupResult> {
  const identityPath = path.join(dataDir, IDENTITY_FILE);
  let pem: Buffer;
  try {
    pem = await readFile(identityPath);
  } catch (err) {
    throw new CliError(`cannot read the identity key ${identityPath}: ${(err as Error).message}`);
  }
  const fingerprint = spkiFingerprint(identityFromPem(pem.toString('utf8'), identityPath).spki);

  const view = await openConsistentView(dataDir);
  const partial = `${outFile}.partial`;
  try {
    if (!view.ledger.ok) throw new CliError(`refusing to back up a broken ledger: ${view.ledger.problem}`);
    if (!view.audit.ok) throw new CliError(`refusing to back up a broken audit chain (seq ${view.audit.badSeq}: ${view.audit.reason})`);
    const root = view.bank.db;
    const snapshot = root.snapshot();
    try {
      const iterOpts = { snapshot, keyEncoding: 'buffer', valueEncoding: 'buffer' } as const;
      // First pass: counts for the header (and the progress bar's total).
      const counts: Record<string, number> = {};
      let records = 0;
      for await (const key of root.keys(iterOpts) as AsyncIterable<Buffer>) {
        const s = sublevelOf(key);
        counts[s] = (counts[s] ?? 0) + 1;
        records++;
      }
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        created: new Date().toISOString(),
        fingerprint,
        counts,
        records,
        files: [IDENTITY_FILE],
        audit: { seq: view.audit.head.seq, hash: view.audit.head.hash },
        ledger: { accounts: view.ledger.accounts, transfers: view.ledger.transfers },
      };

      const file = createWriteStream(partial, { mode: 0o600 });
      const gzip = opts.gzip ? createGzip() : undefined;
      if (gzip) gzip.pipe(file);
      const sink: Writable = gzip ?? file;
      const fileClosed = once(file, 'close');
      let failed: Error | undefined;
      const onError = (e: Error) => (failed ??= e);
      file.on('error', onError);
      gzip?.on('error', onError);
      const hash = createHash('sha256');
      let bytes = 0;
      const write = async (b: Buffer) => {
        if (failed) throw failed;
        hash.update(b);
        bytes += b.length;
        if (sink.write(b)) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            sink.off('drain', done);
            file.off('error', done);
            gzip?.off('error', done);
            resolve();
          };
          sink.on('drain', done);
          file.on('error', done);
          gzip?.on('error', done);
        });
      };
      const bar = new ProgressBar('backup', records + 1);
      const show = opts.progress ?? true;

      await write(Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'));
      await write(encodeRecord(TAG_FILE, Buffer.from(IDENTITY_FILE, 'utf8'), pem));
      let n = 0;
      // Second pass: the same snapshot, so the records are exactly those counted.
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for await (const [key, value] of root.iterator(iterOpts) as AsyncIterable<[Buffer, Buffer]>) {
        const rec = encodeRecord(TAG_KV, key, value);
        batch.push(rec);
        batchBytes += rec.length;
        n++;
        if (batchBytes >= 256 * 1024) {
          await write(Buffer.concat(batch));
          batch = [];
          batchBytes = 0;
          if (show) bar.update(n);
        }
      }
      if (batch.length) await write(Buffer.concat(batch));
      if (n !== records) throw new Error(`the snapshot yielded ${n} records, counted ${records}`);
      const trailer = encodeTrailer(records + 1, hash);
      bytes += trailer.length;
      sink.end(trailer);
      await fileClosed;
      if (failed) throw failed;
      if (show) bar.finish();
      await rename(partial, outFile);
      return { header, bytes, live: view.copied, attempts: view.attempts };
    } finally {
      await snapshot.close();
    }
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  } finally {
    await view.close();
  }
}
