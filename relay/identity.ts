import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { IdentitySigner } from '../common/protocol/crypto.js';
import { generateIdentityKeyPem, nodeIdentityFromPem } from '../common/protocol/crypto-node.js';
import { StartupError } from './startup/startup-error.js';
import { secretFileProblem } from './config/secret-file.js';

export const IDENTITY_FILE = 'identity.pem';

export interface RelayIdentity {
  signer: IdentitySigner;
  /** Lowercase hex SHA-256 of the SPKI DER (PROTOCOL §2). */
  fingerprint: string;
  created: boolean;
}

/** Loads the relay's long-term ECDSA key, creating it (mode 0600) on first start. */
export async function loadOrCreateIdentity(dataDir: string): Promise<RelayIdentity> {
  const file = path.join(dataDir, IDENTITY_FILE);
  let pem: string;
  let created = false;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    pem = generateIdentityKeyPem();
    // 'wx' never overwrites a key that appeared meanwhile.
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  const exposed = await secretFileProblem(file, 'the identity key', 0o077);
  if (exposed) throw new StartupError(exposed);
  const signer = identityFromPem(pem, file);
  return { signer, fingerprint: spkiFingerprint(signer.spki), created };
}

/** Parses the key file's PEM; a damaged or foreign key is an operator's problem, said in words. */
export function identityFromPem(pem: string, file: string): IdentitySigner {
  try {
    return nodeIdentityFromPem(pem);
  } catch (err) {
    throw new StartupError(`the identity key ${file} is not a usable ECDSA P-256 private key (${(err as Error).message}); restore it from a backup`);
  }
}

export function spkiFingerprint(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/** `33:15:2a:…` groups for people comparing fingerprints by eye. */
export function formatFingerprint(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}
