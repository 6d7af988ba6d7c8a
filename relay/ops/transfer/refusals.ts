import { BankError } from '../../../common/errors.js';
import type { RelayContext } from '../../context.js';

/**
 * The refusals that can be about the payee (unknown or closed, frozen, the cash account, a
 * balance that would overflow). The payer's own rules (limits, funds) are checked before the
 * payee (LedgerEngine.move), so their refusals say nothing of it; nor do a replayed id's
 * CONFLICT or the relay's own trouble.
 */
const TELLING = new Set<string>(['NOT_FOUND', 'ACCOUNT_FROZEN', 'BAD_REQUEST']);

/**
 * A payment refused because of its payee says as much about it as an account lookup, so it
 * spends one of the user's lookups (per user, over all their sessions); past that allowance the refusal itself is
 * answered RATE_LIMITED, whatever the payee, so payments cannot harvest what lookups may not.
 * A payment that goes through costs no lookup: it costs money.
 */
export function refusalAsLookup(relay: RelayContext, username: string, error: BankError): BankError {
  if (!TELLING.has(error.code) || relay.lookupLimit.take(username)) return error;
  return new BankError('RATE_LIMITED', `too many refused payments and account lookups: at most ${relay.config.lookupsPerMinute} a minute; nothing was sent`);
}

/**
 * The same for an item of a payment run (`transfer.batch`): it spends the payee from the daily
 * bulk-lookup budget instead (account.lookupMany's), where a payee previewed today costs
 * nothing again, so a file's refused rows are answered with their reasons.
 */
export function refusalAsBulkLookup(relay: RelayContext, username: string, payee: string, error: BankError): BankError {
  if (!TELLING.has(error.code) || relay.bulkLookups.take(username, [payee])) return error;
  return new BankError('RATE_LIMITED', `too many payees looked up today: at most ${relay.config.bulkLookupsPerDay} a day; this payment was not sent`);
}
