import { BankError } from '../../../common/errors.js';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import type { BatchItemResult } from '../../../common/schemas/ops.js';
import type { MoveRequest } from '../../ledger/engine.js';
import { toWireTransfer } from '../../ledger/ledger.js';
import { batchExtraCost } from '../../session/token-bucket.js';
import { defineOp } from '../registry.js';

/**
 * Deposits into or withdrawals from customer accounts, up to a thousand in one durable write (a
 * correction or migration run from a file): each item idempotent by its transferId, all or none
 * when `atomic`, counted into its payment run when it names one, on record under the
 * administrator's name.
 */
export default defineOp('admin.account.batch', async ({ args, conn, relay }) => {
  const { username, role } = conn.auth!;
  const { perSecond, burst } = relay.config.requestRate;
  const extra = batchExtraCost(args.items.length);
  if (conn.requests && !conn.requests.take(extra)) {
    throw new BankError('RATE_LIMITED', `too many requests: a batch of ${args.items.length} items costs ${1 + extra} requests of this connection's allowance (${perSecond} a second, bursts of ${burst})`);
  }
  const cashAt = args.items.findIndex((item) => item.account === CASH_ACCOUNT);
  if (cashAt >= 0) throw new BankError('BAD_REQUEST', `items[${cashAt}].account: the cash account is the other side of every deposit and withdrawal`);
  const kind = args.kind;
  const items = args.items.map(
    (item): MoveRequest => ({
      kind,
      transferId: item.transferId,
      from: kind === 'deposit' ? CASH_ACCOUNT : item.account,
      to: kind === 'deposit' ? item.account : CASH_ACCOUNT,
      amount: item.amount,
      ...(item.memo !== undefined && { memo: item.memo }),
      actor: username,
    }),
  );
  const results = await relay.ledger.moveBatch(items, {
    atomic: args.atomic ?? false,
    ...(args.runId !== undefined && { runId: args.runId }),
    audit: { actor: username, role, action: 'admin.account.batch' },
  });
  return {
    results: results.map((r, i): BatchItemResult => {
      const transferId = args.items[i]!.transferId;
      if (r.ok) return { transferId, ok: true, transfer: toWireTransfer(r.transfer), balance: r.balance };
      return { transferId, ok: false, error: { code: r.error.code, message: r.error.message } };
    }),
  };
});
