import { BankError } from '../../../common/errors.js';
import { toWireRun } from '../../ledger/runs.js';
import { defineOp } from '../registry.js';

/** Most earlier runs of the same file answered with a new one. */
const SAME_FILE_MAX = 20;

/**
 * Records a payment run before its first batch: what it moves, its rows, their total, and the
 * digest of its rows. Customers run payments; deposits and withdrawals are administrators'.
 * Answers the person's other runs of the same digest, so the same file is not paid twice unasked.
 */
export default defineOp('run.start', async ({ args, conn, relay }) => {
  const { username, role } = conn.auth!;
  if (args.kind !== 'payments' && role !== 'admin') throw new BankError('FORBIDDEN', `a run of ${args.kind} is for administrators only`);
  const { run } = await relay.ledger.startRun(
    { runId: args.runId, owner: username, kind: args.kind, digest: args.digest, rows: args.rows, total: args.total, atomic: args.atomic ?? false },
    { actor: username, role, action: 'run.start' },
  );
  const sameFile = [];
  for await (const r of relay.bank.runsNewestFirst({ owner: username, digest: args.digest })) {
    if (r.runId === run.runId) continue;
    sameFile.push(toWireRun(r));
    if (sameFile.length === SAME_FILE_MAX) break;
  }
  return { run: toWireRun(run), sameFile };
});
