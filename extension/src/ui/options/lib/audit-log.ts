import type { AuditEntry, AuditHead } from '../../../../../common/schemas/models.js';

/*
 * admin.audit.query only reads forwards (seq > afterSeq, oldest first), while people read a log
 * newest first. So the page reads windows of seq backwards from the head: a window
 * (lo, hi] holds at most hi − lo entries, and the relay returns a window's matches before any
 * later entry, so `limit: hi − lo` gets every match in it.
 */

export interface AuditFilters {
  actor?: string | undefined;
  action?: string | undefined;
}

export interface AuditQueryArgs extends AuditFilters {
  afterSeq?: number;
  limit: number;
}

export type AuditQuery = (args: AuditQueryArgs) => Promise<{ entries: AuditEntry[]; head: AuditHead }>;

export const AUDIT_WINDOW = 500;

function withFilters(args: { afterSeq?: number; limit: number }, filters: AuditFilters): AuditQueryArgs {
  return {
    ...args,
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
  };
}

/** The head of the log (cheap: one unfiltered entry). */
export async function auditHead(query: AuditQuery): Promise<AuditHead> {
  return (await query({ limit: 1 })).head;
}

/**
 * Entries with seq ≤ hi, newest first: at least `want` of them when the log has that many
 * matches, reading at most `maxWindows` windows. `nextHi` is where to continue (0: the start
 * of the log was reached).
 */
export async function readOlder(
  query: AuditQuery,
  hi: number,
  filters: AuditFilters,
  want = 50,
  maxWindows = 8,
): Promise<{ entries: AuditEntry[]; nextHi: number }> {
  const entries: AuditEntry[] = [];
  let top = hi;
  for (let i = 0; i < maxWindows && top > 0 && entries.length < want; i++) {
    const lo = Math.max(0, top - AUDIT_WINDOW);
    const res = await query(withFilters({ afterSeq: lo, limit: top - lo }, filters));
    const inWindow = res.entries.filter((e) => e.seq > lo && e.seq <= top);
    entries.push(...inWindow.reverse());
    top = lo;
  }
  return { entries, nextHi: top };
}

/**
 * New entries since `lastSeq` for the live tail, newest first, and the seq to ask after next
 * time (the head, unless a full page came back and more are waiting).
 */
export async function readNewer(
  query: AuditQuery,
  lastSeq: number,
  filters: AuditFilters,
): Promise<{ entries: AuditEntry[]; lastSeq: number }> {
  const res = await query(withFilters({ afterSeq: lastSeq, limit: AUDIT_WINDOW }, filters));
  const fresh = res.entries.filter((e) => e.seq > lastSeq);
  const last = fresh[fresh.length - 1];
  const next = res.entries.length >= AUDIT_WINDOW && last ? last.seq : Math.max(lastSeq, res.head.seq);
  return { entries: fresh.reverse(), lastSeq: next };
}
