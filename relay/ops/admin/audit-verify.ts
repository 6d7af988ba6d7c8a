import { defineOp } from '../registry.js';

export default defineOp('admin.audit.verify', async ({ relay }) => {
  const v = await relay.bank.verifyAudit();
  return v.ok ? { ok: true, entries: v.entries, head: v.head } : { ok: false, entries: v.entries, head: v.head, problem: `seq ${v.badSeq}: ${v.reason}` };
});
