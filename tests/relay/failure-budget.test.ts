import { describe, expect, it } from 'vitest';
import { BankError } from '../../common/errors.js';
import { FailureBudget } from '../../relay/auth/failure-budget.js';
import { WindowRateLimit } from '../../relay/session/rate-limit.js';

/* An address's budget of failed password checks, with checks the test resolves by hand. */

function budget(max: number) {
  return new FailureBudget(new WindowRateLimit(max, 60_000, () => 0));
}

/** A check that resolves (right password) or fails (wrong one) when told; counts how many run at once. */
function checks() {
  let running = 0;
  let most = 0;
  const pending: { ok: boolean; done: () => void }[] = [];
  const check = (ok: boolean) => () =>
    new Promise<string>((resolve, reject) => {
      running++;
      most = Math.max(most, running);
      pending.push({
        ok,
        done: () => {
          running--;
          if (ok) resolve('signed in');
          else reject(new BankError('UNAUTHENTICATED', 'invalid username or password'));
        },
      });
    });
  const finishAll = async () => {
    for (let i = 0; i < 10_000; i++) {
      await new Promise((r) => setImmediate(r));
      const next = pending.shift();
      if (!next && running === 0) return;
      next?.done();
    }
  };
  return { check, finishAll, most: () => most };
}

describe('the failure budget of an address', () => {
  it('lets more right passwords than the budget through together: the ones beyond it wait, none is refused', async () => {
    const b = budget(3);
    const c = checks();
    const all = Promise.all(Array.from({ length: 10 }, () => b.run('10.0.0.1', 'failed sign-ins', c.check(true))));
    await c.finishAll();
    expect(await all).toEqual(Array(10).fill('signed in'));
    expect(c.most()).toBeLessThanOrEqual(3);
  });

  it('never has more guesses unresolved than the budget, and refuses every waiting one once it is spent', async () => {
    const b = budget(3);
    const c = checks();
    const outcomes = Promise.all(
      Array.from({ length: 40 }, () =>
        b.run('10.0.0.1', 'failed sign-ins', c.check(false)).then(
          () => 'ok',
          (e: BankError) => e.code,
        ),
      ),
    );
    await c.finishAll();
    const codes = await outcomes;
    expect(codes.filter((x) => x === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(codes.filter((x) => x === 'RATE_LIMITED')).toHaveLength(37);
    expect(c.most()).toBeLessThanOrEqual(3);
    // Another address has its own budget.
    const other = checks();
    const right = b.run('10.0.0.2', 'failed sign-ins', other.check(true));
    await other.finishAll();
    expect(await right).toBe('signed in');
  });
});
