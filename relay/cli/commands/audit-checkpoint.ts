import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { headCheckpoint, signCheckpoint } from '../../audit/checkpoint.js';
import type { ChainVerdict } from '../../audit/chain.js';
import { openConsistentView } from '../../store/leveldb/backup/consistent-view.js';
import { IDENTITY_FILE, identityFromPem } from '../../identity.js';
import type { BankStore } from '../../store/bank-store.js';
import { CliError } from '../errors.js';
import { namesDatabase, openBankToVerify } from '../offline.js';

/**
 * Prints the audit head `{seq, hash, ts}` signed with the relay's identity key (in --data), as
 * one JSON document for the operator to keep elsewhere. Works while relays run: on LevelDB it
 * reads a verified copy of the database (see openConsistentView); on the PostgreSQL store
 * (--store) it verifies the chain in one snapshot and signs the head it verified. Refuses to
 * sign a chain that does not verify.
 */
export async function auditCheckpointCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' }, store: { type: 'string' } } });
  const dataDir = values.data ?? './data';
  const keyFile = path.join(dataDir, IDENTITY_FILE);
  const pem = await readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(err.code === 'ENOENT' ? `no identity key at ${keyFile}: check --data` : `cannot read ${keyFile}: ${err.message}`);
  });
  const signer = identityFromPem(pem, keyFile);
  const opened = namesDatabase(values.store) ? await verifiedStore(values.store) : await verifiedView(dataDir);
  try {
    const { verdict, audit } = opened;
    if (!verdict.ok) throw new CliError(`refusing to sign a broken audit chain: BROKEN at seq ${verdict.badSeq}: ${verdict.reason}`);
    const body = await headCheckpoint(audit, verdict.head);
    if (!body) throw new CliError('the audit log is empty: nothing to checkpoint');
    const signed = await signCheckpoint(body, signer);
    process.stdout.write(`${JSON.stringify(signed, null, 2)}\n`);
  } finally {
    await opened.close();
  }
}

interface Verified {
  verdict: ChainVerdict;
  audit: Pick<BankStore, 'auditEntry'>;
  close(): Promise<void>;
}

async function verifiedView(dataDir: string): Promise<Verified> {
  const view = await openConsistentView(dataDir);
  return { verdict: view.audit, audit: view.bank, close: () => view.close() };
}

async function verifiedStore(store: string): Promise<Verified> {
  const opened = await openBankToVerify({ store });
  try {
    return { verdict: await opened.bank.verifyAudit(), audit: opened.bank, close: () => opened.close() };
  } catch (err) {
    await opened.close();
    throw err;
  }
}
