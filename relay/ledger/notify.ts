import { formatMinorPlain } from '../../common/money.js';
import type { EventBus } from '../session/events.js';
import type { MoveEffect } from './engine.js';
import { toWireTransfer } from './ledger.js';
import type { AccountState } from './types.js';

/** What telling people about a posted transfer needs: an applied movement, or one read back from the store. */
export interface PostedView {
  transfer: MoveEffect['transfer'];
  from: Pick<AccountState, 'account' | 'owner'>;
  to: Pick<AccountState, 'account' | 'owner'>;
  large: boolean;
}

/**
 * Tells the people a posted transfer concerns (PROTOCOL §6): each owner's sessions get the new
 * balance, the payer `transfer.posted`, the payee `transfer.received`; admins hear of large ones.
 */
export function notifyPosted(events: EventBus, effect: PostedView, currency: string): void {
  const transfer = toWireTransfer(effect.transfer);
  const { from, to } = effect;
  if (from.owner !== null) {
    events.toUser(from.owner, 'balance.updated', { account: from.account, balance: effect.transfer.fromBalanceAfter, transferId: transfer.id });
    events.toUser(from.owner, 'transfer.posted', { transfer });
  }
  if (to.owner !== null) {
    events.toUser(to.owner, 'balance.updated', { account: to.account, balance: effect.transfer.toBalanceAfter, transferId: transfer.id });
    events.toUser(to.owner, 'transfer.received', { transfer });
  }
  if (effect.large) {
    const what = effect.transfer.kind === 'transfer' ? 'transfer' : effect.transfer.kind;
    events.toAdmins('admin.alert', {
      kind: 'large_transfer',
      message: `large ${what} of ${formatMinorPlain(transfer.amount)} ${currency} from ${transfer.from} to ${transfer.to}`,
      data: { transfer, actor: effect.transfer.actor },
    });
  }
}
