import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../../config.js';
import { verifyStoredChain } from '../../audit/verify.js';
import { signedCheckpointSchema, verifyCheckpoint, type SignedCheckpoint } from '../../audit/checkpoint.js';
import { IDENTITY_FILE, identityFromPem } from '../../identity.js';
import { CliError } from '../errors.js';
import { openBankOffline, openBankToVerify } from '../offline.js';
import type { ChainVerdict } from '../../audit/chain.js';

/**
 * Recomputes the audit chain from genesis; exit 1 with the first bad seq. With --checkpoint
 * FILE (from `audit checkpoint`), also proves the log still holds that signed head, so a
 * rewritten chain with recomputed hashes is caught.
 */
export async function auditVerifyCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' }, store: { type: 'string' }, checkpoint: { type: 'string' }, key: { type: 'string' } } });
  if (values.key !== undefined && values.checkpoint === undefined) throw new CliError('--key names the identity key a --checkpoint was signed with; give --checkpoint FILE too', 2);
  if (values.store !== undefined && values.store !== 'leveldb') {
    if (values.checkpoint !== undefined) throw new CliError('--checkpoint is checked against a LevelDB bank (--data); on the PostgreSQL store, verify the chain alone', 2);
    const opened = await openBankToVerify(values);
    try {
      report(await opened.bank.verifyAudit());
    } finally {
      await opened.close();
    }
    return;
  }
  const dataDir = values.data ?? './data';
  const checkpoint = values.checkpoint !== undefined ? await readCheckpoint(values.checkpoint) : undefined;
  const offline = await openBankOffline(resolveConfig({ dataDir }), { existing: true });
  try {
    report(await verifyStoredChain(offline.bank));
    if (checkpoint) {
      // A checkpoint signed before the identity key was replaced is checked with the old key (--key).
      const keyFile = values.key ?? path.join(dataDir, IDENTITY_FILE);
      const pem = await readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read the identity key ${keyFile}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      const spki = identityFromPem(pem, keyFile).spki;
      const cv = await verifyCheckpoint(checkpoint, spki, offline.bank);
      if (cv.ok) {
        process.stdout.write(`checkpoint OK: seq ${checkpoint.checkpoint.seq} ${checkpoint.checkpoint.hash} is in the log, signed by ${checkpoint.fingerprint}\n`);
      } else {
        process.stdout.write(`checkpoint FAILED: ${cv.reason}\n`);
        process.exitCode = 1;
      }
    }
  } finally {
    await offline.close();
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
