import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { headCheckpoint, signCheckpoint } from '../../audit/checkpoint.js';
import { openConsistentView } from '../../backup/consistent-view.js';
import { IDENTITY_FILE, identityFromPem } from '../../identity.js';
import { CliError } from '../errors.js';

/**
 * Prints the audit head `{seq, hash, ts}` signed with the relay's identity key, as one JSON
 * document for the operator to keep elsewhere. Works while the relay runs (reads a verified
 * copy of the database, see openConsistentView); refuses to sign a chain that does not verify.
 */
export async function auditCheckpointCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' } } });
  const dataDir = values.data ?? './data';
  const keyFile = path.join(dataDir, IDENTITY_FILE);
  const pem = await readFile(keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(err.code === 'ENOENT' ? `no identity key at ${keyFile}: check --data` : `cannot read ${keyFile}: ${err.message}`);
  });
  const signer = identityFromPem(pem, keyFile);
  const view = await openConsistentView(dataDir);
  try {
    if (!view.audit.ok) throw new CliError(`refusing to sign a broken audit chain: BROKEN at seq ${view.audit.badSeq}: ${view.audit.reason}`);
    const body = await headCheckpoint(view.bank);
    if (!body) throw new CliError('the audit log is empty: nothing to checkpoint');
    const signed = await signCheckpoint(body, signer);
    process.stdout.write(`${JSON.stringify(signed, null, 2)}\n`);
  } finally {
    await view.close();
  }
}
