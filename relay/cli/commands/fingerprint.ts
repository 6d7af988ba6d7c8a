import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IDENTITY_FILE, formatFingerprint, identityFromPem, spkiFingerprint } from '../../identity.js';
import { CliError } from '../errors.js';

/** Reads the key file only, so it works while a relay runs on the directory. */
export async function fingerprintCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { data: { type: 'string' } } });
  const dataDir = values.data ?? './data';
  const file = path.join(dataDir, IDENTITY_FILE);
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError(`no identity key at ${file}: start the relay once with --data ${dataDir} to create it`);
    }
    throw new CliError(`cannot read the identity key ${file}: ${(err as Error).message}`);
  }
  // A damaged key is a StartupError: one line, exit 1.
  const hex = spkiFingerprint(identityFromPem(pem, file).spki);
  process.stdout.write(`${hex}\n${formatFingerprint(hex)}\n`);
}
