import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../../../../../common/schemas/models.js';
import type { UserStatus } from '../../../../../common/schemas/primitives.js';
import type { AppState } from '../../../shared/api.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Modal.js';
import { Money } from '../../components/Money.js';
import { Notice } from '../../components/Notice.js';
import { TextField } from '../../components/TextField.js';
import { RoleBadge, StatusBadge } from '../components/Badge.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { SelectField } from '../components/SelectField.js';
import { RowMenu, type RowMenuItem } from '../components/RowMenu.js';
import { Pager, TableState } from '../components/TableState.js';
import { formatAccount, formatDate, formatMoney } from '../lib/format.js';
import { useCursorPages } from '../lib/hooks.js';
import { hrefOf } from '../routes.js';
import { CashDialog, type CashDirection } from './users/CashDialog.js';
import { CreateUserDialog } from './users/CreateUserDialog.js';
import { EditUserDialog } from './users/EditUserDialog.js';
import { PasswordResetConfirm } from './users/PasswordResetConfirm.js';

export const USERS_PAGE = 25;

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'pending', label: 'Pending' },
  { value: 'frozen', label: 'Frozen' },
  { value: 'closed', label: 'Closed' },
];

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'cash'; user: User; account: string; currency: string; direction: CashDirection }
  | { kind: 'status'; user: User; status: 'active' | 'frozen' | 'closed' }
  | { kind: 'reset'; user: User; approve: boolean };

export function UsersScreen({ state }: { state: AppState }): JSX.Element {
  const [queryText, setQueryText] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [flash, setFlash] = useState<string>();
  const me = state.user?.username;

  const pages = useCursorPages(
    (cursor) =>
      call('admin.user.list', {
        limit: USERS_PAGE,
        ...(query && { query }),
        ...(status && { status: status as UserStatus }),
        ...(cursor !== undefined && { cursor }),
      }),
    [query, status],
  );
  const users = pages.data?.users ?? [];

  function done(message: string): void {
    setDialog(null);
    setFlash(message);
    pages.reload();
  }

  async function decideReset(user: User, approve: boolean): Promise<void> {
    await call('admin.user.approvePasswordReset', { username: user.username, approve });
    done(approve ? `${user.username} has the new password and was signed out everywhere.` : `The password reset of ${user.username} was rejected.`);
  }

  async function setUserStatus(user: User, next: 'active' | 'frozen' | 'closed'): Promise<void> {
    await call('admin.user.setStatus', { username: user.username, status: next });
    done(`${user.username} is now ${next === 'active' ? 'active again' : next}.`);
  }

  return (
    <>
      <ScreenHeader
        title="Users"
        description="Customers and administrators: find, create, edit, freeze or close them, and move cash in and out."
        actions={
          <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
            Create user
          </Button>
        }
      />
      <form
        class="o-filters"
        role="search"
        aria-label="Find users"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(queryText.trim());
        }}
      >
        <TextField label="Name or username" type="search" value={queryText} onValue={setQueryText} maxLength={64} placeholder="e.g. jane" />
        <SelectField label="Status" value={status} options={STATUS_OPTIONS} onValue={setStatus} />
        <div class="o-filters__actions">
          <Button type="submit">Search</Button>
          {query || status ? (
            <Button
              variant="ghost"
              onClick={() => {
                setQueryText('');
                setQuery('');
                setStatus('');
              }}
            >
              Clear
            </Button>
          ) : null}
        </div>
      </form>
      {flash ? <Notice tone="success">{flash}</Notice> : null}
      <TableState
        label="Users"
        loading={pages.loading}
        error={pages.error}
        count={users.length}
        onRetry={pages.reload}
        loadingLabel="Loading users…"
        emptyTitle={query || status ? 'No users match' : 'No users yet'}
        emptyText={query || status ? 'Try another name or status.' : 'Create the first one with "Create user".'}
      >
        <table class="o-table">
          <caption class="sr-only">Users, page {pages.page}</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Status</th>
              <th scope="col">Account</th>
              <th scope="col" class="o-num">
                Balance
              </th>
              <th scope="col">Limits</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.username} user={u} me={me} onDialog={setDialog} />
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={pages.hasNext}
        onPrevious={pages.previous}
        onNext={pages.next}
        noun="users"
        shown={users.length}
      />

      {dialog?.kind === 'create' ? (
        <CreateUserDialog
          onClose={() => setDialog(null)}
          onCreated={(user) =>
            done(`Created ${user.username}${user.accounts[0] ? ` with account ${formatAccount(user.accounts[0].account)}` : ''}.`)
          }
        />
      ) : null}
      {dialog?.kind === 'edit' ? (
        <EditUserDialog
          user={dialog.user}
          me={me}
          onClose={() => setDialog(null)}
          onSaved={(user, awaitingApproval) =>
            done(
              awaitingApproval
                ? `Saved. The new password of ${user.username} takes effect once another administrator (or ${user.username}) approves it.`
                : `Saved the changes to ${user.username}.`,
            )
          }
        />
      ) : null}
      {dialog?.kind === 'cash' ? (
        <CashDialog
          user={dialog.user}
          account={dialog.account}
          currency={dialog.currency}
          direction={dialog.direction}
          onClose={(changed) => {
            setDialog(null);
            if (changed) pages.reload();
          }}
        />
      ) : null}
      {dialog?.kind === 'reset' ? <PasswordResetConfirm user={dialog.user} approve={dialog.approve} onConfirm={decideReset} onCancel={() => setDialog(null)} /> : null}
      {dialog?.kind === 'status' ? <StatusConfirm user={dialog.user} status={dialog.status} onConfirm={setUserStatus} onCancel={() => setDialog(null)} /> : null}
    </>
  );
}

function UserRow({ user, me, onDialog }: { user: User; me: string | undefined; onDialog: (d: Dialog) => void }): JSX.Element {
  const isMe = user.username === me;
  const account = user.accounts[0];
  const currency = account?.currency ?? 'USD';
  const name = user.username;
  return (
    <tr>
      <td>
        <span class="o-cell-main">
          {user.displayName} {user.role === 'admin' ? <RoleBadge role="admin" /> : null}
        </span>
        <span class="o-cell-sub">
          {name}
          {isMe ? ' (you)' : ''}
        </span>
      </td>
      <td>
        <StatusBadge status={user.status} />
        <span class="o-cell-sub o-nowrap">since {formatDate(user.createdAt)}</span>
        {user.passwordReset ? <span class="o-cell-sub">Password reset by {user.passwordReset.requestedBy} awaits approval</span> : null}
      </td>
      <td class="o-mono o-nowrap">{account ? formatAccount(account.account) : <span class="o-muted">no account</span>}</td>
      <td class="o-num">{account ? <Money minor={account.balance} currency={currency} /> : <span class="o-muted">—</span>}</td>
      <td class="o-nowrap o-small">
        {user.role === 'user' ? (
          <>
            <span class="o-cell-line">{formatMoney(user.limits.perTransfer, currency)} / transfer</span>
            <span class="o-cell-line">{formatMoney(user.limits.perDay, currency)} / day</span>
          </>
        ) : (
          <span class="o-muted">—</span>
        )}
      </td>
      <td>
        <div class="o-row-actions">
          {user.status === 'pending' ? (
            <a href={hrefOf('registrations')} class="o-link-sm">
              Decide in Registrations
            </a>
          ) : null}
          {account && user.status === 'active' ? (
            <>
              <Button
                size="sm"
                onClick={() => onDialog({ kind: 'cash', user, account: account.account, currency, direction: 'deposit' })}
                aria-label={`Deposit to ${name}`}
              >
                Deposit
              </Button>
              <Button
                size="sm"
                onClick={() => onDialog({ kind: 'cash', user, account: account.account, currency, direction: 'withdraw' })}
                aria-label={`Withdraw from ${name}`}
              >
                Withdraw
              </Button>
            </>
          ) : null}
          {user.status !== 'pending' && user.status !== 'closed' ? <RowMenu label={`More actions for ${name}`} items={menuItems(user, me, onDialog)} /> : null}
        </div>
      </td>
    </tr>
  );
}

function menuItems(user: User, me: string | undefined, onDialog: (d: Dialog) => void): RowMenuItem[] {
  const name = user.username;
  const items: RowMenuItem[] = [{ label: 'Edit…', ariaLabel: `Edit ${name}`, onSelect: () => onDialog({ kind: 'edit', user }) }];
  // A reset another administrator asked for; the one who asked cannot decide it.
  if (user.passwordReset && user.passwordReset.requestedBy !== me) {
    items.push(
      { label: 'Approve password reset…', ariaLabel: `Approve the password reset of ${name}`, onSelect: () => onDialog({ kind: 'reset', user, approve: true }) },
      { label: 'Reject password reset…', ariaLabel: `Reject the password reset of ${name}`, onSelect: () => onDialog({ kind: 'reset', user, approve: false }) },
    );
  }
  if (user.username === me) return items;
  if (user.status === 'active') {
    items.push({ label: 'Freeze…', ariaLabel: `Freeze ${name}`, danger: true, onSelect: () => onDialog({ kind: 'status', user, status: 'frozen' }) });
  }
  if (user.status === 'frozen') {
    items.push({ label: 'Unfreeze…', ariaLabel: `Unfreeze ${name}`, onSelect: () => onDialog({ kind: 'status', user, status: 'active' }) });
  }
  items.push({ label: 'Close…', ariaLabel: `Close ${name}`, danger: true, onSelect: () => onDialog({ kind: 'status', user, status: 'closed' }) });
  return items;
}

function StatusConfirm({
  user,
  status,
  onConfirm,
  onCancel,
}: {
  user: User;
  status: 'active' | 'frozen' | 'closed';
  onConfirm: (user: User, status: 'active' | 'frozen' | 'closed') => Promise<void>;
  onCancel: () => void;
}): JSX.Element {
  const balance = user.accounts.reduce((sum, a) => sum + a.balance, 0);
  const currency = user.accounts[0]?.currency ?? 'USD';
  const who = `${user.displayName} (${user.username})`;
  const copy = {
    frozen: {
      title: `Freeze ${user.username}?`,
      label: 'Freeze',
      body: (
        <p>
          {who} is signed out at once and cannot sign in, send or receive money until unfrozen. Other administrators are alerted.
        </p>
      ),
    },
    active: {
      title: `Unfreeze ${user.username}?`,
      label: 'Unfreeze',
      body: <p>{who} can sign in and use their account again.</p>,
    },
    closed: {
      title: `Close ${user.username}?`,
      label: 'Close user',
      body: (
        <>
          <p>
            Closing is final: {who} is signed out and can never sign in again. It needs a zero balance on every account.
          </p>
          {balance !== 0 ? (
            <Notice tone="warning">
              The balance is {formatMoney(balance, currency)}: withdraw it first, or the relay will refuse to close the user.
            </Notice>
          ) : null}
        </>
      ),
    },
  }[status];
  return (
    <ConfirmDialog
      open
      title={copy.title}
      confirmLabel={copy.label}
      tone={status === 'active' ? 'primary' : 'danger'}
      onConfirm={() => onConfirm(user, status)}
      onCancel={onCancel}
    >
      {copy.body}
    </ConfirmDialog>
  );
}
