import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signedCheckpointSchema, verifyCheckpoint, type SignedCheckpoint } from '../../audit/checkpoint.js';
import { IDENTITY_FILE, identityFromPem } from '../../identity.js';
import { CliError } from '../errors.js';
import { openBankToVerify } from '../offline.js';
import type { ChainVerdict } from '../../audit/chain.js';

/**
 * Recomputes the audit chain from genesis; exit 1 with the first bad seq. With --checkpoint
 * FILE (from `audit checkpoint`), also proves the log still holds that signed head, so a
 * rewritten chain with recomputed hashes is caught.
 */
export async function auditVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' }, store: { type: 'string' }, checkpoint: { type: 'string' }, key: { type: 'string' } } });
  if (values.key !== undefined && values.checkpoint === undefined) throw new CliError('--key names the identity key a --checkpoint was signed with; give --checkpoint FILE too', 2);
  const dataDir = values.data ?? './data';
  const checkpoint = values.checkpoint !== undefined ? await readCheckpoint(values.checkpoint) : undefined;
  // The bank is the PostgreSQL store named by --store, else the LevelDB bank in --data; the
  // identity key a checkpoint is checked with is --key, else the one in --data (on the
  // PostgreSQL store every relay's data directory holds the same key).
  const opened = await openBankToVerify(values);
  try {
    report(await opened.bank.verifyAudit());
    if (checkpoint) {
      // A checkpoint signed before the identity key was replaced is checked with the old key (--key).
      const keyFile = values.key ?? path.join(dataDir, IDENTITY_FILE);
      const pem = await readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read the identity key ${keyFile}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      const spki = identityFromPem(pem, keyFile).spki;
      const cv = await verifyCheckpoint(checkpoint, spki, opened.bank);
      if (cv.ok) {
        process.stdout.write(`checkpoint OK: seq ${checkpoint.checkpoint.seq} ${checkpoint.checkpoint.hash} is in the log, signed by ${checkpoint.fingerprint}\n`);
      } else {
        process.stdout.write(`checkpoint FAILED: ${cv.reason}\n`);
        process.exitCode = 1;
      }
    }
  } finally {
    await opened.close();
  }
}

function report(verdict: ChainVerdict): void {
  if (verdict.ok) {
    process.stdout.write(`audit chain OK: ${verdict.entries} entries, head seq ${verdict.head.seq} ${verdict.head.hash}\n`);
  } else {
    process.stdout.write(`audit chain BROKEN at seq ${verdict.badSeq}: ${verdict.reason}\n`);
    process.exitCode = 1;
  }
}

async function readCheckpoint(file: string): Promise<SignedCheckpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the checkpoint ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not a checkpoint (not JSON)`);
  }
  const parsed = signedCheckpointSchema.safeParse(json);
  if (!parsed.success) throw new CliError(`${file} is not a checkpoint from "bank-relay audit checkpoint" (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}
