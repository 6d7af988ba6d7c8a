// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { CASH_ACCOUNT, makeAccountNumber } from '../../../../common/account-number.js';
import { App } from '../../../../extension/src/ui/options/App.js';
import { answerCalls, callsOf, setAppState } from './fake-bridge.js';
import { adminState } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

function open(hash: string): void {
  history.replaceState(null, '', hash);
  setAppState(adminState());
  render(h(App, {}));
}

const stats = (transfers: number) => ({
  connections: { tcp: 1, ws: 2 },
  sessions: 3,
  uptimeS: 3725,
  ops: { ping: 10 },
  ledger: { accounts: 4, transfers },
  commits: { batches: 5, jobs: 20 },
});

describe('the Relay screen', () => {
  it('shows the relay figures and verifies the ledger', async () => {
    answerCalls({
      'admin.stats': () => stats(42),
      'admin.ledger.verify': () => ({ ok: true, accounts: 4, transfers: 42, sum: 0 }),
    });
    open('#/relay');
    expect(await screen.findByText('1 h 2 min')).toBeTruthy();
    expect(screen.getByText('2 WebSocket · 1 TCP')).toBeTruthy();
    expect(screen.getByText('42 transfers in all')).toBeTruthy();
    expect(screen.getByText(/20 changes, 4 per commit/)).toBeTruthy();
    expect(screen.getByRole('img', { name: /Transfers per second/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Verify ledger' }));
    expect(await screen.findByText('Ledger balanced')).toBeTruthy();
  });

  it('says when the figures cannot be read', async () => {
    answerCalls({});
    open('#/relay');
    expect(await screen.findByText(/Could not read the relay's figures/)).toBeTruthy();
  });
});

describe('the Sessions screen', () => {
  it('lists sessions and revokes a user after confirming', async () => {
    answerCalls({
      'admin.session.list': () => ({
        sessions: [
          { username: 'jane', role: 'user', createdAt: '2024-05-01T10:00:00Z', lastSeenAt: '2024-05-01T10:05:00Z', expiresAt: '2024-05-01T22:00:00Z', connected: true, transport: 'ws' },
        ],
      }),
      'admin.session.revoke': () => ({ revoked: 1 }),
    });
    open('#/sessions');
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke jane' }));
    const dialog = within(await screen.findByRole('alertdialog'));
    expect(callsOf('admin.session.revoke')).toEqual([]);
    fireEvent.click(dialog.getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('Revoked 1 session of jane.')).toBeTruthy();
    expect(callsOf('admin.session.revoke')).toEqual([{ username: 'jane' }]);
  });
});

describe('the Transactions screen', () => {
  it('filters by account and days, and refuses a mistyped account number', async () => {
    const account = makeAccountNumber(7);
    answerCalls({
      'admin.transfer.list': () => ({
        transfers: [{ id: '11111111-2222-4333-8444-555555555555', from: CASH_ACCOUNT, to: account, amount: 1999, ts: '2024-05-03T10:00:00Z', status: 'posted' }],
      }),
    });
    open('#/transactions');
    expect(await screen.findByText('Bank cash')).toBeTruthy();
    expect(screen.getByText('$19.99')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Account'), { target: { value: 'DB00 0000 0000 07' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(await screen.findByText(/Not a valid account number/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Account'), { target: { value: account.toLowerCase().replace(/(.{4})/g, '$1 ') } });
    fireEvent.input(screen.getByLabelText('From'), { target: { value: '2024-05-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(callsOf('admin.transfer.list').at(-1)).toMatchObject({ account, limit: 50 }));
    expect((callsOf('admin.transfer.list').at(-1) as { since?: string }).since).toBe(new Date(2024, 4, 1).toISOString());
  });
});
