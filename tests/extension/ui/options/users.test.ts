// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { h } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../../extension/src/ui/options/App.js';
import { USERS_PAGE } from '../../../../extension/src/ui/options/screens/UsersScreen.js';
import { validateCreateUser } from '../../../../extension/src/ui/options/screens/users/CreateUserDialog.js';
import { validateEditUser } from '../../../../extension/src/ui/options/screens/users/EditUserDialog.js';
import { UiCallError, answerCalls, callsOf, setAppState } from './fake-bridge.js';
import { adminState, user } from './fixtures.js';
import './setup.js';

vi.mock('../../../../extension/src/ui/bridge.js', () => import('./fake-bridge.js'));

const alice = user('alice');
const bob = user('bob', { status: 'frozen' });
const carl = user('carl');

function openUsers(): void {
  history.replaceState(null, '', '#/users');
  setAppState(adminState());
  render(h(App, {}));
}

describe('the Users screen', () => {
  it('pages through users with the relay cursor, forwards and back', async () => {
    answerCalls({
      'admin.user.list': (args: { cursor?: string }) => (args.cursor === 'bob' ? { users: [carl] } : { users: [alice, bob], next: 'bob' }),
    });
    openUsers();
    await screen.findByText('alice');
    expect(callsOf('admin.user.list')[0]).toEqual({ limit: USERS_PAGE });
    fireEvent.click(screen.getByRole('button', { name: 'Next →' }));
    await screen.findByText('carl');
    expect(screen.queryByText('alice')).toBeNull();
    expect(callsOf('admin.user.list').at(-1)).toEqual({ limit: USERS_PAGE, cursor: 'bob' });
    expect((screen.getByRole('button', { name: 'Next →' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: '← Previous' }));
    await screen.findByText('alice');
    expect(callsOf('admin.user.list').at(-1)).toEqual({ limit: USERS_PAGE });
  });

  it('searches by name and filters by status, starting again at the first page', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [] }) });
    openUsers();
    await screen.findByText('No users yet');
    fireEvent.input(screen.getByLabelText('Name or username'), { target: { value: ' jan ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(callsOf('admin.user.list').at(-1)).toEqual({ limit: USERS_PAGE, query: 'jan' }));
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'frozen' } });
    await waitFor(() => expect(callsOf('admin.user.list').at(-1)).toEqual({ limit: USERS_PAGE, query: 'jan', status: 'frozen' }));
    expect(await screen.findByText('No users match')).toBeTruthy();
  });

  it('creates a user with admin.user.create and the right arguments', async () => {
    const created = user('carol', { displayName: 'Carol Jones' });
    answerCalls({
      'admin.user.list': () => ({ users: [alice] }),
      'admin.user.create': () => ({ user: created, accounts: created.accounts }),
    });
    openUsers();
    await screen.findByText('alice');
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create user' });
    const d = within(dialog);
    fireEvent.input(d.getByLabelText('Username'), { target: { value: 'Carol' } });
    fireEvent.input(d.getByLabelText('Display name'), { target: { value: ' Carol Jones ' } });
    fireEvent.input(d.getByLabelText('First password'), { target: { value: 'opening-pass-1' } });
    fireEvent.input(d.getByLabelText('Opening deposit (optional)'), { target: { value: '1,234.50' } });
    fireEvent.click(d.getByRole('button', { name: 'Create user' }));
    await screen.findByText(/Created carol with account/);
    expect(callsOf('admin.user.create')).toEqual([
      { username: 'Carol', displayName: 'Carol Jones', password: 'opening-pass-1', role: 'user', openingDeposit: 123_450 },
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows create errors next to their fields, from the form and from the relay', async () => {
    answerCalls({
      'admin.user.list': () => ({ users: [] }),
      'admin.user.create': () => {
        throw new UiCallError('CONFLICT', 'the username "alice" is taken');
      },
    });
    openUsers();
    await screen.findByText('No users yet');
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    const d = within(await screen.findByRole('dialog'));
    fireEvent.input(d.getByLabelText('Username'), { target: { value: 'al' } });
    fireEvent.click(d.getByRole('button', { name: 'Create user' }));
    expect(await d.findByText('Must be at least 3 characters')).toBeTruthy();
    expect(d.getByText('Enter a first password')).toBeTruthy();
    expect(callsOf('admin.user.create')).toEqual([]);
    fireEvent.input(d.getByLabelText('Username'), { target: { value: 'alice' } });
    fireEvent.input(d.getByLabelText('Display name'), { target: { value: 'Alice' } });
    fireEvent.input(d.getByLabelText('First password'), { target: { value: 'long-enough-1' } });
    fireEvent.click(d.getByRole('button', { name: 'Create user' }));
    expect(await d.findByText('The username "alice" is taken')).toBeTruthy();
    expect(d.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true');
  });

  it('asks before freezing, Escape cancels, and confirming calls admin.user.setStatus', async () => {
    answerCalls({
      'admin.user.list': () => ({ users: [alice] }),
      'admin.user.setStatus': (args: { username: string }) => ({ user: { ...alice, status: 'frozen' }, ...args }),
    });
    openUsers();
    const more = await screen.findByRole('button', { name: 'More actions for alice' });
    fireEvent.click(more);
    expect(more.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Freeze alice' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Freeze alice?' });
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(callsOf('admin.user.setStatus')).toEqual([]);
    expect(document.activeElement).toBe(more);

    fireEvent.click(more);
    fireEvent.click(screen.getByRole('button', { name: 'Freeze alice' }));
    const again = within(await screen.findByRole('alertdialog'));
    fireEvent.click(again.getByRole('button', { name: 'Freeze' }));
    await screen.findByText('alice is now frozen.');
    expect(callsOf('admin.user.setStatus')).toEqual([{ username: 'alice', status: 'frozen' }]);
  });

  it('explains that closing needs a zero balance', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [alice] }) });
    openUsers();
    fireEvent.click(await screen.findByRole('button', { name: 'More actions for alice' }));
    fireEvent.click(screen.getByRole('button', { name: 'Close alice' }));
    const dialog = within(await screen.findByRole('alertdialog', { name: 'Close alice?' }));
    expect(dialog.getByText(/needs a zero balance/)).toBeTruthy();
    expect(dialog.getByText(/The balance is \$25\.00: withdraw it first/)).toBeTruthy();
  });

  it('deposits with one transfer id per dialog, so a retry after a lost answer reuses it', async () => {
    let attempts = 0;
    answerCalls({
      'admin.user.list': () => ({ users: [alice] }),
      'admin.account.deposit': (args: { amount: number }) => {
        attempts++;
        if (attempts === 1) throw new UiCallError('IN_DOUBT', 'the connection to the relay dropped before it answered; it may or may not have been done');
        return { transfer: { id: 'x', amount: args.amount }, balance: 2_500 + args.amount };
      },
    });
    openUsers();
    fireEvent.click(await screen.findByRole('button', { name: 'Deposit to alice' }));
    const d = within(await screen.findByRole('dialog', { name: 'Deposit to alice' }));
    fireEvent.input(d.getByLabelText('Amount'), { target: { value: '10' } });
    fireEvent.click(d.getByRole('button', { name: 'Deposit' }));
    expect(await d.findByText(/may have gone through/)).toBeTruthy();
    expect((d.getByLabelText('Amount') as HTMLInputElement).readOnly).toBe(true);
    fireEvent.click(d.getByRole('button', { name: 'Try again' }));
    expect(await d.findByText(/New balance: \$35\.00/)).toBeTruthy();
    const [first, second] = callsOf('admin.account.deposit') as { transferId: string; account: string; amount: number }[];
    expect(first!.transferId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toEqual(first);
    expect(first).toEqual({ transferId: first!.transferId, account: alice.accounts[0]!.account, amount: 1000 });
  });

  it('edits limits as money and sends only what changed', async () => {
    answerCalls({
      'admin.user.list': () => ({ users: [alice] }),
      'admin.user.update': () => ({ user: alice }),
    });
    openUsers();
    fireEvent.click(await screen.findByRole('button', { name: 'More actions for alice' }));
    fireEvent.click(screen.getByRole('button', { name: 'Edit alice' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit alice' }));
    expect((d.getByLabelText('Per transfer') as HTMLInputElement).value).toBe('50000.00');
    fireEvent.input(d.getByLabelText('Per day'), { target: { value: '150.5' } });
    fireEvent.click(d.getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved the changes to alice.');
    expect(callsOf('admin.user.update')).toEqual([{ username: 'alice', limits: { perDay: 15_050 } }]);
  });

  it('closes the row menu with Escape and returns focus to it', async () => {
    answerCalls({ 'admin.user.list': () => ({ users: [alice] }) });
    openUsers();
    const more = await screen.findByRole('button', { name: 'More actions for alice' });
    fireEvent.click(more);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Edit…'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('Freeze…');
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Freeze alice' })).toBeNull());
    expect(document.activeElement).toBe(more);
    expect(more.getAttribute('aria-expanded')).toBe('false');
  });
});

describe('user forms (pure)', () => {
  it('builds admin.user.create args without an opening deposit for administrators', () => {
    expect(validateCreateUser({ username: 'boss', displayName: 'The Boss', password: 'password-1', role: 'admin', openingDeposit: '50' }).args).toEqual({
      username: 'boss',
      displayName: 'The Boss',
      password: 'password-1',
      role: 'admin',
    });
    expect(validateCreateUser({ username: 'cust', displayName: 'C', password: 'password-1', role: 'user', openingDeposit: '-5' }).errors.openingDeposit).toMatch(
      /negative/,
    );
  });

  it('sends only what changed in an edit, limits in minor units', () => {
    const form = { displayName: alice.displayName, perTransfer: '50000.00', perDay: '1,000', password: '' };
    expect(validateEditUser(alice, form, 'USD').args).toEqual({ username: 'alice', limits: { perDay: 100_000 } });
    expect(validateEditUser(alice, { ...form, perDay: '200000.00' }, 'USD').formError).toBe('Nothing has changed.');
    expect(validateEditUser(alice, { ...form, perDay: '200000.00', perTransfer: '0' }, 'USD').args).toEqual({ username: 'alice', limits: { perTransfer: 0 } });
    expect(validateEditUser(alice, { ...form, password: 'short' }, 'USD').errors.password).toMatch(/at least 8/);
  });
});
