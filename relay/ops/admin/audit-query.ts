import type { AuditEntry } from '../../../common/schemas/models.js';
import { auditKey } from '../../store/db.js';
import { defineOp } from '../registry.js';

/** Audit entries after a seq, oldest first (a tail follows with the last seq it saw). */
export default defineOp('admin.audit.query', async ({ args, relay }) => {
  const entries: AuditEntry[] = [];
  const head = await relay.bank.auditHead();
  for await (const raw of relay.bank.audit.values({ gt: auditKey(args.afterSeq ?? 0), lte: auditKey(head.seq) })) {
    const e = raw as AuditEntry;
    if (args.actor !== undefined && e.actor !== args.actor) continue;
    if (args.action !== undefined && e.action !== args.action) continue;
    entries.push(e);
    if (entries.length === args.limit) break;
  }
  return { entries, head };
});
