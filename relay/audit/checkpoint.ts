import { createPublicKey, verify as verifySig } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../common/canonical-json.js';
import type { IdentitySigner } from '../../common/protocol/crypto.js';
import { spkiFingerprint } from '../identity.js';
import type { AuditHead } from '../../common/schemas/models.js';
import type { BankStore } from '../store/bank-store.js';

/** Where a checkpoint's entry is read from: the bank's audit log, on either store. */
type AuditReader = Pick<BankStore, 'auditEntry'>;

/** Domain separation: this signature can never be mistaken for a handshake or any other signed message. */
export const CHECKPOINT_LABEL = 'bankrelay/audit-checkpoint/1';

export interface CheckpointBody {
  seq: number;
  hash: string;
  /** The timestamp of the head entry itself (so the checkpoint is fully determined by the log). */
  ts: string;
}

export const signedCheckpointSchema = z.object({
  checkpoint: z.strictObject({
    seq: z.number().int().positive(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    ts: z.string(),
  }),
  key: z.string().regex(/^[A-Za-z0-9_-]+$/),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  sig: z.string().regex(/^[A-Za-z0-9_-]+$/),
});
export type SignedCheckpoint = z.infer<typeof signedCheckpointSchema>;

/** The exact bytes signed: canonical JSON of {"bankrelay/audit-checkpoint/1": {seq, hash, ts}}. */
export function checkpointMessage(body: CheckpointBody): Uint8Array {
  return Buffer.from(canonicalJson({ [CHECKPOINT_LABEL]: { seq: body.seq, hash: body.hash, ts: body.ts } }), 'utf8');
}

export async function signCheckpoint(body: CheckpointBody, signer: IdentitySigner): Promise<SignedCheckpoint> {
  const sig = await signer.sign(checkpointMessage(body));
  return {
    checkpoint: { seq: body.seq, hash: body.hash, ts: body.ts },
    key: Buffer.from(signer.spki).toString('base64url'),
    fingerprint: spkiFingerprint(signer.spki),
    sig: Buffer.from(sig).toString('base64url'),
  };
}

/** A verified head as a checkpoint body (on either store); undefined when the log is empty. */
export async function headCheckpoint(audit: AuditReader, head: AuditHead): Promise<CheckpointBody | undefined> {
  if (head.seq === 0) return undefined;
  const entry = await audit.auditEntry(head.seq);
  if (!entry) return undefined;
  return { seq: head.seq, hash: head.hash, ts: entry.ts };
}

export type CheckpointVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks a kept checkpoint against a bank's audit log (LevelDB or PostgreSQL): its key is the
 * data directory's identity key, its signature is valid under that key, and the log still holds
 * an entry at its seq with its hash and ts. (The chain itself is verified separately, from
 * genesis.)
 */
export async function verifyCheckpoint(cp: SignedCheckpoint, dataDirSpki: Uint8Array, audit: AuditReader): Promise<CheckpointVerdict> {
  const dirFp = spkiFingerprint(dataDirSpki);
  const cpKey = Buffer.from(cp.key, 'base64url');
  if (spkiFingerprint(cpKey) !== cp.fingerprint) return { ok: false, reason: 'the checkpoint\'s key does not match its own fingerprint' };
  if (cp.fingerprint !== dirFp) {
    return { ok: false, reason: `the checkpoint was signed by key ${cp.fingerprint.slice(0, 16)}…, but this data directory's key is ${dirFp.slice(0, 16)}…` };
  }
  let good = false;
  try {
    const pub = createPublicKey({ key: Buffer.from(dataDirSpki), format: 'der', type: 'spki' });
    good = verifySig('sha256', checkpointMessage(cp.checkpoint), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(cp.sig, 'base64url'));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'the checkpoint\'s signature is not valid' };
  let entry: { hash?: unknown; ts?: unknown } | undefined;
  try {
    entry = await audit.auditEntry(cp.checkpoint.seq);
  } catch {
    // A stored value that is no longer JSON fails to decode.
    return { ok: false, reason: `the entry at seq ${cp.checkpoint.seq} is unreadable` };
  }
  if (entry === undefined) return { ok: false, reason: `the log has no entry at the checkpoint's seq ${cp.checkpoint.seq}` };
  if (entry.hash !== cp.checkpoint.hash) {
    return { ok: false, reason: `the entry at seq ${cp.checkpoint.seq} has hash ${String(entry.hash).slice(0, 16)}…, the checkpoint says ${cp.checkpoint.hash.slice(0, 16)}…: the log was rewritten` };
  }
  if (entry.ts !== cp.checkpoint.ts) return { ok: false, reason: `the entry at seq ${cp.checkpoint.seq} has another timestamp than the checkpoint` };
  return { ok: true };
}
