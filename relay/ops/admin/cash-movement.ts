import { BankError } from '../../../common/errors.js';
import { CASH_ACCOUNT } from '../../../common/account-number.js';
import type { OpResult } from '../../../common/schemas/ops.js';
import { toWireTransfer } from '../../ledger/ledger.js';
import type { OpContext } from '../registry.js';

/** Deposits and withdrawals move money between a customer account and the bank's cash account. */
export async function cashMovement(
  { args, conn, relay }: OpContext<'admin.account.deposit'> | OpContext<'admin.account.withdraw'>,
  kind: 'deposit' | 'withdraw',
): Promise<OpResult<'admin.account.deposit'>> {
  const { username, role } = conn.auth!;
  if (args.account === CASH_ACCOUNT) throw new BankError('BAD_REQUEST', 'account: the cash account is the other side of every deposit and withdrawal');
  const { transfer, balance } = await relay.ledger.move(
    {
      kind,
      transferId: args.transferId,
      from: kind === 'deposit' ? CASH_ACCOUNT : args.account,
      to: kind === 'deposit' ? args.account : CASH_ACCOUNT,
      amount: args.amount,
      ...(args.memo !== undefined && { memo: args.memo }),
      actor: username,
    },
    { actor: username, role, action: `admin.account.${kind}` },
  );
  return { transfer: toWireTransfer(transfer), balance };
}
