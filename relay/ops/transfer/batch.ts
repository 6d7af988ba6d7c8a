import { BankError, isBankError } from '../../../common/errors.js';
import type { BatchItemResult } from '../../../common/schemas/ops.js';
import type { MoveRequest } from '../../ledger/engine.js';
import { toWireTransfer } from '../../ledger/ledger.js';
import { ownAccount } from '../../ledger/own-account.js';
import { batchExtraCost } from '../../session/token-bucket.js';
import { fastTransferBatchArgs } from '../../../common/schemas/transfer-args-fast.js';
import { defineOp } from '../registry.js';
import { refusalAsBulkLookup } from './refusals.js';

/**
 * Up to a thousand payments in one request (payroll, supplier runs): applied in order in one
 * durable write, each idempotent by its own transferId, all or none when `atomic`. Each item
 * answers in its place; the response comes once the batch is durable. Every item must pay from
 * the sender's own account: one that names another account refuses the whole request, as the
 * same `from` refuses a `transfer.create`, and nothing is applied. A batch naming a payment run
 * (`run.start`) is counted into it in the same write; one naming another person's run is refused.
 */
export default defineOp('transfer.batch', async ({ args, conn, relay }) => {
  const { username, role, session } = conn.auth!;
  const { perSecond, burst } = relay.config.requestRate;
  const extra = batchExtraCost(args.transfers.length);
  if (conn.requests && !conn.requests.take(extra)) {
    throw new BankError('RATE_LIMITED', `too many requests: a batch of ${args.transfers.length} transfers costs ${1 + extra} requests of this connection's allowance (${perSecond} a second, bursts of ${burst})`);
  }
  // Each distinct payer account once: usually every item pays from the sender's first account.
  const payers = new Map<string | undefined, string>();
  for (const [i, t] of args.transfers.entries()) {
    if (payers.has(t.from)) continue;
    try {
      payers.set(t.from, (await ownAccount(relay.ledger, username, t.from)).account);
    } catch (err) {
      if (isBankError(err)) throw new BankError(err.code, `transfers[${i}].from: ${err.message}`);
      throw err;
    }
  }
  const items = args.transfers.map(
    (t): MoveRequest => ({ kind: 'transfer', transferId: t.transferId, from: payers.get(t.from)!, to: t.to, amount: t.amount, ...(t.memo !== undefined && { memo: t.memo }), actor: username }),
  );
  const results = await relay.ledger.moveBatch(items, {
    atomic: args.atomic ?? false,
    ...(args.runId !== undefined && { runId: args.runId }),
    sender: session.key,
    audit: { actor: username, role, action: 'transfer.batch' },
  });
  return {
    results: results.map((r, i): BatchItemResult => {
      const transferId = args.transfers[i]!.transferId;
      if (r.ok) return { transferId, ok: true, transfer: toWireTransfer(r.transfer), balance: r.balance };
      const error = refusalAsBulkLookup(relay, username, args.transfers[i]!.to, r.error);
      return { transferId, ok: false, error: { code: error.code, message: error.message } };
    }),
  };
}, fastTransferBatchArgs);
