import { ownAccount } from '../../ledger/own-account.js';
import { toWireTransfer } from '../../ledger/ledger.js';
import { fastTransferArgs } from '../../../common/schemas/transfer-args-fast.js';
import { defineOp } from '../registry.js';
import { isBankError } from '../../../common/errors.js';
import { refusalAsLookup } from './refusals.js';

/** A customer pays another account; idempotent by transferId, acknowledged once durable. */
export default defineOp('transfer.create', async ({ args, conn, relay }) => {
  const { username, role } = conn.auth!;
  const from = await ownAccount(relay.ledger, username, args.from);
  const moved = relay.ledger.move(
    {
      kind: 'transfer',
      transferId: args.transferId,
      from: from.account,
      to: args.to,
      amount: args.amount,
      ...(args.memo !== undefined && { memo: args.memo }),
      actor: username,
    },
    { actor: username, role, action: 'transfer.create' },
  );
  const { transfer, balance } = await moved.catch((err: unknown) => {
    throw isBankError(err) ? refusalAsLookup(relay, username, err) : err;
  });
  return { transfer: toWireTransfer(transfer), balance };
}, fastTransferArgs);
