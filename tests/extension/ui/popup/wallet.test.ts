// @vitest-environment happy-dom
import { h } from 'preact';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CASH_ACCOUNT } from '../../../../common/account-number.js';
import { PopupApp } from '../../../../extension/src/ui/popup/App.js';
import { call, resetBridge, send, setState } from './fake-bridge.js';
import { CAROL, NOW, OWN, entry, hoursAgo, walletState } from './fixtures.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));
vi.mock('../../../../extension/src/ui/popup/platform.js', () => ({
  openOptionsPage: vi.fn(),
  sessionGet: vi.fn(async () => undefined),
  sessionSet: vi.fn(async () => undefined),
}));

const writeText = vi.fn(async (_text: string) => undefined);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  resetBridge();
  writeText.mockClear();
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

// Newest first, as the relay pages them: two today, two yesterday.
const recent = [
  entry({ ts: hoursAgo(1), amount: 2_500, balanceAfter: 10_000, counterparty: CAROL, memo: 'Lunch' }),
  entry({ ts: hoursAgo(3), amount: -1_234, balanceAfter: 7_500 }),
  entry({ ts: hoursAgo(20), amount: 5_000, balanceAfter: 8_734, counterparty: CASH_ACCOUNT }),
  entry({ ts: hoursAgo(30), amount: -266, balanceAfter: 3_734 }),
];

describe('wallet', () => {
  it('shows the balance, the account number with Copy, a sparkline and the grouped activity', async () => {
    setState(walletState({ recent }));
    render(h(PopupApp, null));
    expect(screen.getByText('$100.00')).toBeTruthy();
    expect(screen.getByText(`${OWN.slice(0, 4)} 0000 0000 01`)).toBeTruthy();
    expect(screen.getByRole('img', { name: /Balance over your last 4 transactions: from \$37\.34 to \$100\.00/ })).toBeTruthy();

    const days = Array.from(document.querySelectorAll('.day'));
    expect(days.map((d) => d.querySelector('.day__label')!.textContent)).toEqual(['Today', 'Yesterday']);
    const today = within(days[0] as HTMLElement);
    expect(today.getByText('+$25.00').className).toContain('money--in');
    expect(today.getByText('\u2212$12.34').className).toContain('money--out');
    expect(today.getByText('Lunch')).toBeTruthy();
    expect(within(days[1] as HTMLElement).getByText('Deposit')).toBeTruthy();
    // Balance after, on hover.
    expect(today.getByText('+$25.00').closest('li')!.getAttribute('title')).toBe('Balance after: $100.00');

    fireEvent.click(screen.getByRole('button', { name: 'Copy account number' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(OWN));
    expect(await screen.findByText('Copied')).toBeTruthy();
  });

  it('shows incoming money live, newest first', () => {
    setState(walletState({ recent }));
    render(h(PopupApp, null));
    const arrived = entry({ ts: new Date(NOW.getTime() - 60_000).toISOString(), amount: 700, balanceAfter: 10_700, memo: 'Refund' });
    act(() => setState(walletState({ recent: [arrived, ...recent], accounts: [{ account: OWN, balance: 10_700, currency: 'USD', status: 'active' }] })));
    expect(screen.getByText('$107.00')).toBeTruthy();
    const first = document.querySelector('.rows .row')!;
    expect(first.textContent).toContain('Refund');
    expect(first.className).toContain('row--new');
  });

  it('says politely, once, what arrives while it is open: the money and the new balance', async () => {
    setState(walletState({ recent }));
    render(h(PopupApp, null));
    const region = screen.getByRole('status', { name: 'Balance updates' });
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
    // The balance and the notice come in separate pushes; the region says them together.
    const accounts = [{ account: OWN, balance: 10_700, currency: 'USD', status: 'active' as const }];
    const notice = { id: 'received:t7', ts: NOW.toISOString(), kind: 'received' as const, title: 'Money received', body: 'Received $7.00 from DB… — “Refund”', read: false };
    act(() => setState(walletState({ recent, accounts })));
    act(() => setState(walletState({ recent, accounts, notifications: [notice], unread: 1 })));
    await waitFor(() => expect(region.textContent).toBe('Received $7.00 from DB… — “Refund”. Your balance is now $107.00.'), { timeout: 5_000 });
  });

  it('has an empty state', () => {
    setState(walletState({ recent: [] }));
    render(h(PopupApp, null));
    expect(screen.getByText('No activity yet')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('loads older pages with the cursor and keeps going until there are no more', async () => {
    const older = [entry({ ts: hoursAgo(60), amount: -100, balanceAfter: 4_000, memo: 'Older one' })];
    call.mockResolvedValueOnce({ entries: older, next: 'cursor-2' }).mockResolvedValueOnce({ entries: [], next: undefined });
    setState(walletState({ recent, recentNext: 'cursor-1' }));
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('Older one');
    expect(call).toHaveBeenLastCalledWith('account.history', { limit: 20, before: 'cursor-1' });
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText("That's everything.");
    expect(call).toHaveBeenLastCalledWith('account.history', { limit: 20, before: 'cursor-2' });
  });

  it('shows a failed page load with a way to try again', async () => {
    const { UiCallError } = await import('./fake-bridge.js');
    call.mockRejectedValueOnce(new UiCallError('OFFLINE', 'not connected to the relay'));
    setState(walletState({ recent, recentNext: 'cursor-1' }));
    render(h(PopupApp, null));
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText("Couldn't load older activity")).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('shows the unread count, lists notifications and marks them read', async () => {
    const notifications = [
      { id: 'n1', ts: hoursAgo(2), kind: 'received' as const, title: 'You received $25.00', body: 'From DB…03: Lunch', read: false },
      { id: 'n2', ts: hoursAgo(30), kind: 'alert' as const, title: 'Old alert', body: 'Something earlier', read: true },
    ];
    setState(walletState({ recent, notifications, unread: 1 }));
    render(h(PopupApp, null));
    const bell = screen.getByRole('button', { name: 'Notifications, 1 new' });
    fireEvent.click(bell);
    expect(screen.getByRole('heading', { name: 'Notifications' })).toBeTruthy();
    const items = Array.from(document.querySelectorAll('.note'));
    expect(items.map((n) => n.querySelector('.note__title')!.textContent)).toEqual(['New You received $25.00', 'Old alert']);
    expect(items[0]!.className).toContain('note--unread');
    expect(items[0]!.textContent).toContain('2 h ago');
    await waitFor(() => expect(send).toHaveBeenCalledWith({ type: 'notifications.read' }));
    // Escape goes back to the wallet.
    fireEvent.keyDown(screen.getByRole('heading', { name: 'Notifications' }), { key: 'Escape' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('warns about a frozen account and disables Send', () => {
    setState(walletState({ accounts: [{ account: OWN, balance: 500, currency: 'USD', status: 'frozen' }] }));
    render(h(PopupApp, null));
    expect(screen.getByText('This account is frozen')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
