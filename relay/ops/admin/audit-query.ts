import type { AuditEntry } from '../../../common/schemas/models.js';
import { defineOp } from '../registry.js';

/** Audit entries after a seq, oldest first (a tail follows with the last seq it saw). */
export default defineOp('admin.audit.query', async ({ args, relay }) => {
  const entries: AuditEntry[] = [];
  const head = await relay.bank.auditHead();
  for await (const e of relay.bank.auditEntries(args.afterSeq ?? 0, head.seq)) {
    if (args.actor !== undefined && e.actor !== args.actor) continue;
    if (args.action !== undefined && e.action !== args.action) continue;
    entries.push(e);
    if (entries.length === args.limit) break;
  }
  return { entries, head };
});
