import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json.js';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';

/** The `prev` of the first audit entry, and the hash of an empty log's head. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** The head of an empty log. */
export const EMPTY_HEAD: AuditHead = { seq: 0, hash: AUDIT_GENESIS };

/** Domain separation for the audit chain: a hash here can never be confused with one elsewhere. */
const AUDIT_LABEL = Buffer.from('bankrelay/audit/1', 'utf8');

/** What a change asks to have recorded; seq, ts, prev and hash are filled in by sealAuditEntry when the writer executes its batch (ledger/execute.ts). */
export interface AuditDraft {
  actor: string;
  role: 'user' | 'admin' | 'system' | 'anonymous';
  action: string;
  target?: string;
  outcome: string;
  details?: Record<string, unknown>;
}

/** hash = SHA-256("bankrelay/audit/1" ‖ prev ‖ canonical JSON of the entry without `hash`), hex. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return hashOf(entry.prev, canonicalJson(entry));
}

/** The hash of an entry whose canonical JSON is `json` (one native call: the chain seals one entry per change). */
function hashOf(prev: string, json: string): string {
  const need = AUDIT_LABEL.length + 32 + Buffer.byteLength(json);
  if (need > hashScratch.length) hashScratch = Buffer.allocUnsafe(Math.max(need, hashScratch.length * 2));
  AUDIT_LABEL.copy(hashScratch, 0);
  hashScratch.write(prev, AUDIT_LABEL.length, 32, 'hex');
  const n = hashScratch.write(json, AUDIT_LABEL.length + 32, 'utf8');
  return oneShotHash('sha256', hashScratch.subarray(0, AUDIT_LABEL.length + 32 + n), 'hex');
}

let hashScratch = Buffer.allocUnsafe(4096);

export function sealAuditEntry(draft: AuditDraft, head: AuditHead, ts: string): AuditEntry {
  const seq = head.seq + 1;
  const prev = head.hash;
  // The canonical JSON of the body, keys in their sorted order (action, actor, details, outcome,
  // prev, role, seq, target, ts), written directly: what canonicalJson(body) writes (tested).
  const q = JSON.stringify;
  const json =
    `{"action":${q(draft.action)},"actor":${q(draft.actor)}` +
    (draft.details !== undefined ? `,"details":${canonicalJson(draft.details)}` : '') +
    `,"outcome":${q(draft.outcome)},"prev":${q(prev)},"role":${q(draft.role)},"seq":${seq}` +
    (draft.target !== undefined ? `,"target":${q(draft.target)}` : '') +
    `,"ts":${q(ts)}}`;
  const entry = { seq, ts, actor: draft.actor, role: draft.role, action: draft.action, outcome: draft.outcome, prev } as AuditEntry;
  if (draft.target !== undefined) entry.target = draft.target;
  if (draft.details !== undefined) entry.details = draft.details;
  entry.hash = hashOf(prev, json);
  return entry;
}

export type ChainVerdict =
  | { ok: true; entries: number; head: AuditHead }
  | { ok: false; entries: number; badSeq: number; reason: string; head: AuditHead };

/**
 * Recomputes the chain from genesis. Any edited, deleted, inserted or reordered entry breaks
 * either the seq run, a `prev` link or a hash; a dropped tail is caught by the stored head.
 */
export async function verifyChain(entries: AsyncIterable<unknown>, storedHead: AuditHead): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let prev = AUDIT_GENESIS;
  let count = 0;
  for await (const raw of entries) {
    const fail = (reason: string): ChainVerdict => ({ ok: false, entries: count, badSeq: expectedSeq, reason, head: storedHead });
    // A stored value that is not even an entry (edited into invalid JSON, say) is a break here, not a crash.
    if (!isEntryShaped(raw)) return fail(`the value where seq ${expectedSeq} belongs is not a readable audit entry`);
    const entry = raw;
    if (entry.seq !== expectedSeq) return fail(`expected seq ${expectedSeq}, found ${entry.seq}`);
    if (entry.prev !== prev) return fail(`seq ${entry.seq}: prev does not match the hash of seq ${expectedSeq - 1}`);
    const { hash, ...body } = entry;
    if (auditHash(body) !== hash) return fail(`seq ${entry.seq}: hash does not match its content`);
    prev = hash;
    expectedSeq++;
    count++;
  }
  if (storedHead.seq !== count || storedHead.hash !== prev) {
    return {
      ok: false,
      entries: count,
      badSeq: Math.min(storedHead.seq, count + 1),
      reason: `head says seq ${storedHead.seq} but the log ends at seq ${count}`,
      head: storedHead,
    };
  }
  return { ok: true, entries: count, head: storedHead };
}

/** Whether a stored value has an audit entry's chain fields (seq, prev, hash), so it can be checked at all. */
export function isEntryShaped(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.seq === 'number' && typeof v.prev === 'string' && typeof v.hash === 'string';
}
