import { BankError, isBankError } from '../../common/errors.js';
import { inMinutes, type WindowRateLimit } from '../session/rate-limit.js';

/** Checks one address may have waiting for its budget to come back; more are refused at once. */
const MAX_WAITING_PER_ADDRESS = 64;

/**
 * The failed password checks one address may make in a window (`loginThrottle`). A check holds
 * one failure of the budget while it runs, so pipelined guesses cannot all start before the
 * first failure is counted: at most the budget's worth of checks are ever unresolved. It keeps
 * that failure when the password was wrong (or the user locked) and gives it back otherwise.
 * Checks beyond what is left wait for those under way to settle (an office's customers signing
 * in together still all get in); once the failures recorded fill the budget, checks are refused
 * before any password work.
 */
export class FailureBudget {
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly window: WindowRateLimit) {}

  async run<T>(address: string, what: string, check: () => Promise<T>): Promise<T> {
    const held = await this.hold(address, what);
    try {
      const result = await check();
      this.settle(address, () => held.release());
      return result;
    } catch (err) {
      const failed = isBankError(err) && (err.code === 'UNAUTHENTICATED' || err.code === 'LOCKED_OUT');
      this.settle(address, () => (failed ? held.spend() : held.release()));
      throw err;
    }
  }

  private async hold(address: string, what: string): Promise<{ spend(): void; release(): void }> {
    for (;;) {
      if (this.window.isSpent(address)) {
        throw new BankError('RATE_LIMITED', `too many ${what} from this network address; try again in ${inMinutes(this.window.retryAfterMs(address))}`);
      }
      const held = this.window.reserve(address);
      if (held) return held;
      let queue = this.waiting.get(address);
      if (!queue) this.waiting.set(address, (queue = []));
      if (queue.length >= MAX_WAITING_PER_ADDRESS) {
        throw new BankError('RATE_LIMITED', 'too many sign-ins under way from this network address; try again in a moment');
      }
      await new Promise<void>((wake) => queue.push(wake));
    }
  }

  /**
   * Settles a held failure, then lets the next waiting check of the address look again, or all
   * of them once the budget is spent (each is refused: none is left waiting for nothing).
   */
  private settle(address: string, how: () => void): void {
    how();
    const queue = this.waiting.get(address);
    if (!queue) return;
    const woken = this.window.isSpent(address) ? queue.splice(0) : queue.splice(0, 1);
    if (queue.length === 0) this.waiting.delete(address);
    for (const wake of woken) wake();
  }
}

/** Runs a password check against the address's failure budget, or as is when there is none. */
export function withFailureBudget<T>(budget: FailureBudget | null, address: string, what: string, check: () => Promise<T>): Promise<T> {
  return budget ? budget.run(address, what, check) : check();
}
