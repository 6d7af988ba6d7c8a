import { formatMinorPlain, fractionDigitsOf } from '../../common/money.js';
import type { EventBus } from '../session/events.js';
import type { BatchEffects } from './commands.js';
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
 * Tells the people a committed batch concerns (PROTOCOL §6), in the ledger's order. A movement
 * of its own: each owner's sessions get the new balance, then the payer `transfer.posted` and
 * the payee `transfer.received`. The items of a `transfer.batch`: each payee `transfer.received`
 * per item, the payer's other sessions `transfer.posted` per item (the sending connection has
 * the answers), and every owner one `balance.updated` per account at the end, at its balance
 * after the batch. Admins hear of large ones either way.
 */
export function notifyCommitted(events: EventBus, effects: { posted: readonly PostedView[]; batches: BatchEffects['batches'] }, currency: string): void {
  let next = 0;
  for (const b of effects.batches) {
    for (; next < b.first; next++) notifyPosted(events, effects.posted[next]!, currency);
    notifyBatch(events, effects.posted.slice(b.first, b.first + b.count), currency, b.sender);
    next = b.first + b.count;
  }
  for (; next < effects.posted.length; next++) notifyPosted(events, effects.posted[next]!, currency);
}

/** One movement's events. */
function notifyPosted(events: EventBus, effect: PostedView, currency: string): void {
  const t = effect.transfer;
  const { from, to } = effect;
  if (from.owner !== null && events.reaches(from.owner)) {
    events.toUser(from.owner, 'balance.updated', { account: from.account, balance: t.fromBalanceAfter, transferId: t.id });
    events.toUser(from.owner, 'transfer.posted', { transfer: toWireTransfer(t) });
  }
  if (to.owner !== null && events.reaches(to.owner)) {
    events.toUser(to.owner, 'balance.updated', { account: to.account, balance: t.toBalanceAfter, transferId: t.id });
    events.toUser(to.owner, 'transfer.received', { transfer: toWireTransfer(t) });
  }
  if (effect.large) largeAlert(events, effect, currency);
}

/** A batch's events: per item for the payees, one balance per account at the end. */
function notifyBatch(events: EventBus, items: readonly PostedView[], currency: string, sender: string | undefined): void {
  // Each account's last leg in the batch, as 2 × item (+1 for the payee's side): its balance after the batch.
  const last = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const effect = items[i]!;
    const t = effect.transfer;
    const { from, to } = effect;
    // Most payees of a large batch are not connected here, nor has the payer other sessions: nothing is made for them.
    if (from.owner !== null) {
      if (events.reachesOtherThan(from.owner, sender)) events.toUserExcept(from.owner, sender, 'transfer.posted', { transfer: toWireTransfer(t) });
      last.set(from.account, 2 * i);
    }
    if (to.owner !== null) {
      if (events.reaches(to.owner)) events.toUser(to.owner, 'transfer.received', { transfer: toWireTransfer(t) });
      last.set(to.account, 2 * i + 1);
    }
    if (effect.large) largeAlert(events, effect, currency);
  }
  for (const [account, at] of last) {
    const { transfer: t, from, to } = items[at >> 1]!;
    const payee = (at & 1) === 1;
    const owner = (payee ? to.owner : from.owner)!;
    if (events.reaches(owner)) events.toUser(owner, 'balance.updated', { account, balance: payee ? t.toBalanceAfter : t.fromBalanceAfter, transferId: t.id });
  }
}

function largeAlert(events: EventBus, effect: PostedView, currency: string): void {
  const transfer = toWireTransfer(effect.transfer);
  const what = effect.transfer.kind === 'transfer' ? 'transfer' : effect.transfer.kind;
  events.toAdmins('admin.alert', {
    kind: 'large_transfer',
    message: `large ${what} of ${formatMinorPlain(transfer.amount, fractionDigitsOf(currency))} ${currency} from ${transfer.from} to ${transfer.to}`,
    data: { transfer, actor: effect.transfer.actor },
  });
}
