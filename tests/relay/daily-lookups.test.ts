import { describe, expect, it } from 'vitest';
import { DailyLookupBudget } from '../../relay/session/daily-lookups.js';

describe('the daily bulk-lookup budget', () => {
  it('counts distinct accounts per user, all or none, and starts again each UTC day', () => {
    let now = Date.parse('2026-12-05T23:59:00Z');
    const budget = new DailyLookupBudget(3, () => now);
    expect(budget.take('ann', ['a', 'b', 'a'])).toBe(true);
    expect(budget.remaining('ann')).toBe(1);
    // Already counted today: free.
    expect(budget.take('ann', ['b', 'a'])).toBe(true);
    // Two new ones do not fit in one: refused, and nothing of them is counted.
    expect(budget.take('ann', ['c', 'd'])).toBe(false);
    expect(budget.remaining('ann')).toBe(1);
    expect(budget.take('ann', ['c'])).toBe(true);
    expect(budget.remaining('ann')).toBe(0);
    // Each user has a budget of their own.
    expect(budget.take('bo', ['a', 'b', 'c'])).toBe(true);
    now = Date.parse('2026-12-06T00:00:01Z');
    expect(budget.remaining('ann')).toBe(3);
    expect(budget.take('ann', ['x', 'y', 'z'])).toBe(true);
  });
});
