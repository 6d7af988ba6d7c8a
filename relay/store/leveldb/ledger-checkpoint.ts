import { createHash, createPublicKey, verify as verifySig, type Hash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { IdentitySigner } from '../../../common/protocol/crypto.js';
import type { AccountState } from '../../ledger/types.js';

/**
 * What a clean stop vouches for, signed with the relay's identity key: the bank as it was
 * written last (its audit head, how many transfers the journal holds, the next account serial)
 * and a digest of every account. A start that finds the database exactly there (the same head
 * and journal, accounts that hash to the same digest) needs no replay of the journal to trust
 * its balances; any other start (after a crash, or data edited since) replays it all.
 */
const FORMAT = 'bankrelay/ledger-checkpoint/1';

export const checkpointSchema = z.strictObject({
  format: z.literal(FORMAT),
  head: z.strictObject({ seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  transfers: z.number().int().min(0),
  nextSerial: z.number().int().min(1),
  accounts: z.number().int().min(0),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  sig: z.string().regex(/^[A-Za-z0-9_-]+$/),
});
export type LedgerCheckpoint = z.infer<typeof checkpointSchema>;
export type CheckpointBody = Omit<LedgerCheckpoint, 'format' | 'sig'>;

/** The checkpoint's place in a data directory (beside `db/` and `identity.pem`). */
export function ledgerCheckpointPath(dataDir: string): string {
  return path.join(dataDir, 'ledger.checkpoint');
}

/** The accounts' digest, fed every account in account-number order. */
export class AccountsDigest {
  private readonly hash: Hash = createHash('sha256').update('bankrelay/accounts/1');
  count = 0;

  add(a: AccountState): void {
    this.hash.update(line(a));
    this.count++;
  }

  /** The same as adding each, in one call to the hash (a start feeds it a million). */
  addAll(accounts: readonly AccountState[]): void {
    let text = '';
    for (const a of accounts) text += line(a);
    this.hash.update(text);
    this.count += accounts.length;
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

function line(a: AccountState): string {
  return `${a.account}|${a.owner ?? ''}|${a.status}|${a.balance}|${a.entrySeq}|${a.createdAt}\n`;
}

/** The digest of accounts held in memory (in any order): sorted as the database sorts them. */
export function digestOf(accounts: Iterable<AccountState>): { digest: string; count: number } {
  const d = new AccountsDigest();
  for (const a of [...accounts].sort((x, y) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0))) d.add(a);
  return { count: d.count, digest: d.hex() };
}

function message(body: CheckpointBody): Buffer {
  return Buffer.from(canonicalJson({ [FORMAT]: body }), 'utf8');
}

/** Writes the checkpoint aside and renames it, so a crash leaves the old one or none, never half of one. */
export async function saveLedgerCheckpoint(file: string, body: CheckpointBody, signer: IdentitySigner): Promise<void> {
  const sig = Buffer.from(await signer.sign(message(body))).toString('base64url');
  const text = `${JSON.stringify({ format: FORMAT, ...body, sig } satisfies LedgerCheckpoint)}\n`;
  const temp = `${file}.tmp`;
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
}

/** The checkpoint in `file` when it is there, well-formed and signed by `spki`; else undefined. */
export async function loadLedgerCheckpoint(file: string, spki: Uint8Array): Promise<LedgerCheckpoint | undefined> {
  let parsed: LedgerCheckpoint;
  try {
    parsed = checkpointSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
  const { format: _format, sig, ...body } = parsed;
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return verifySig('sha256', message(body), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
