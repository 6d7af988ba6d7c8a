import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { AUDIT_GENESIS, auditHash } from '../audit/chain.js';
import type { Logger } from '../log.js';
import { StartupError } from './startup-error.js';

/**
 * The start-up check's verdict, on either store: cheap enough to run on every start (no full
 * replay); the full checks are `bank-relay audit verify` and `ledger verify`.
 */
export interface QuickCheckResult {
  ok: boolean;
  /** One plain sentence per problem found, prefixed with "audit:" or "ledger:". */
  problems: string[];
}

/**
 * The audit half of the start-up check on the last two stored entries, whichever store holds
 * them: the head names the last entry, whose hash matches its content, and whose prev is the
 * hash of the entry before it (or genesis).
 */
export function auditTailProblem(head: AuditHead, last: AuditEntry, before: AuditEntry | undefined): string | undefined {
  if (last.seq !== head.seq) return `the head says seq ${head.seq} but the last stored entry is seq ${last.seq}`;
  const { hash, ...body } = last;
  if (auditHash(body) !== hash) return `seq ${last.seq}: hash does not match its content`;
  if (hash !== head.hash) return `seq ${last.seq}: its hash is not the hash recorded in the head`;
  if (last.seq === 1) {
    return last.prev === AUDIT_GENESIS ? undefined : 'seq 1: prev is not the genesis hash';
  }
  if (!before || before.seq !== last.seq - 1) return `seq ${last.seq - 1}, the entry before the head, is missing or unreadable`;
  const { hash: beforeHash, ...beforeBody } = before;
  if (auditHash(beforeBody) !== beforeHash) return `seq ${before.seq}: hash does not match its content`;
  if (last.prev !== beforeHash) return `seq ${last.seq}: prev does not match the hash of seq ${before.seq}`;
  return undefined;
}

/**
 * What a relay does with its start-up check, on either store: on a mismatch it refuses to serve
 * (a StartupError saying `refusal`), unless forceStart, when it serves and says so loudly.
 */
export function enforceStartupCheck(check: QuickCheckResult, forceStart: boolean, log: Logger, refusal: () => string): void {
  if (check.ok) return;
  if (!forceStart) throw new StartupError(refusal());
  log.error('START-UP CHECK FAILED: serving anyway because of --force (forceStart); the audit log or ledger may be damaged', { problems: check.problems });
}
