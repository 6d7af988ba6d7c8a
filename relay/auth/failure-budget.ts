import { BankError, isBankError } from '../../common/errors.js';
import type { WindowRateLimit } from '../session/rate-limit.js';
import { inMinutes } from '../session/rate-limit.js';

/**
 * Runs a password check against the address's failure budget: the check holds one failure of
 * the budget while it runs (so pipelined guesses cannot all start before the first failure is
 * counted), keeps it when the password was wrong or the user locked, and gives it back
 * otherwise. With no budget left the check is refused before any password work.
 */
export async function withFailureBudget<T>(budget: WindowRateLimit | null, address: string, what: string, check: () => Promise<T>): Promise<T> {
  if (!budget) return check();
  const held = budget.reserve(address);
  if (!held) throw new BankError('RATE_LIMITED', `too many ${what} from this network address; try again in ${inMinutes(budget.retryAfterMs(address))}`);
  try {
    const result = await check();
    held.release();
    return result;
  } catch (err) {
    if (isBankError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'LOCKED_OUT')) held.spend();
    else held.release();
    throw err;
  }
}
