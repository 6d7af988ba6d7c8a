// @vitest-environment happy-dom
import { h } from 'preact';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LegacyEntry } from '../../../../common/schemas/models.js';
import { PopupApp } from '../../../../extension/src/ui/popup/App.js';
import { statementCsv } from '../../../../extension/src/ui/options/lib/csv.js';
import { call, resetBridge, setState } from './fake-bridge.js';
import { NOW, entry, hoursAgo, walletState } from './fixtures.js';

/*
 * A person imported from the old Qt bank (bank-relay legacy import): the popup shows the old
 * account number beside the new one, and the imported history after every own entry, marked as
 * imported; the CSV statement includes it.
 */
vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
vi.mock('../../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  resetBridge();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const imported: LegacyEntry[] = [
  { kind: 'legacy', legacyId: '1288266476', date: '2024-12-27', ts: '2024-12-27T00:00:00.000Z', amount: 300_000, legacyAccount: 'ACC1003' },
  { kind: 'legacy', legacyId: '7001234568', date: '2024-12-06', ts: '2024-12-06T00:00:00.000Z', amount: -200_000, legacyAccount: 'ACC1003' },
];
const legacyUser = { username: 'david_hector', displayName: 'David_hector', role: 'user' as const, status: 'active' as const, legacy: { username: 'David_hector', account: 'ACC1003' } };

describe('an imported customer\'s wallet', () => {
  it('shows the old account number, and the imported history once the own entries end', async () => {
    call.mockResolvedValueOnce({ entries: [], legacyEntries: imported });
    setState(walletState({ user: legacyUser, recent: [entry({ ts: hoursAgo(2), amount: 379_600, balanceAfter: 379_600, memo: 'Opening balance imported from the old bank (ACC1003)' })] }));
    render(h(PopupApp, null));
    expect(screen.getByText('Old account ACC1003')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Imported from the old bank')).toBeTruthy();
    expect(call).toHaveBeenLastCalledWith('account.history', { limit: 20, before: 'legacy:0', legacy: true });
    expect(screen.getByText('Imported entry 1288266476')).toBeTruthy();
    expect(screen.getAllByText('Imported')).toHaveLength(2);
    expect(await screen.findByText("That's everything.")).toBeTruthy();
  });

  it('a customer who was not imported sees no old number and no imported history', () => {
    setState(walletState({ recent: [entry({ ts: hoursAgo(2), amount: 100, balanceAfter: 100 })] }));
    render(h(PopupApp, null));
    expect(screen.queryByText(/Old account/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('the CSV statement lists the imported entries first (they are older), oldest first', () => {
    const own = [entry({ ts: '2025-06-01T10:00:00.000Z', amount: 379_600, balanceAfter: 379_600, memo: 'Opening balance imported from the old bank (ACC1003)' })];
    const csv = statementCsv(own, 'USD', [...imported].reverse());
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('date,transferId,amount,counterparty,memo,balanceAfter');
    expect(lines[1]).toBe('2024-12-06,,-2000.00,,Imported from the old bank: ACC1003 transaction 7001234568,');
    expect(lines[2]).toBe('2024-12-27,,3000.00,,Imported from the old bank: ACC1003 transaction 1288266476,');
    expect(lines[3]).toMatch(/^2025-06-01T10:00:00\.000Z,[0-9a-f-]{36},3796\.00,/);
  });
});
