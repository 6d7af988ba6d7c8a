import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../../../../../common/schemas/models.js';
import type { UserStatus } from '../../../../../common/schemas/primitives.js';
import type { AppState } from '../../../shared/api.js';
import { ltr, t, tPlural, type MessageKey } from '../../../shared/i18n.js';
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
import { formatAccount, formatCount, formatDate, formatMoney } from '../lib/format.js';
import { useCursorPages } from '../lib/hooks.js';
import { hrefOf } from '../routes.js';
import { statusWord } from '../../status-words.js';
import { CashDialog, type CashDirection } from './users/CashDialog.js';
import { CreateUserDialog } from './users/CreateUserDialog.js';
import { EditUserDialog } from './users/EditUserDialog.js';
import { PasswordResetConfirm } from './users/PasswordResetConfirm.js';

export const USERS_PAGE = 25;

const STATUSES = ['active', 'pending', 'frozen', 'closed'] as const;

/** What a user is now, after an administrator changed it. */
const STATUS_CHANGED: Record<'active' | 'frozen' | 'closed', MessageKey> = {
  active: 'users_now_active',
  frozen: 'users_now_frozen',
  closed: 'users_now_closed',
};

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
    done(approve ? t('users_reset_approved', ltr(user.username)) : t('users_reset_rejected', ltr(user.username)));
  }

  async function setUserStatus(user: User, next: 'active' | 'frozen' | 'closed'): Promise<void> {
    await call('admin.user.setStatus', { username: user.username, status: next });
    done(t(STATUS_CHANGED[next], ltr(user.username)));
  }

  return (
    <>
      <ScreenHeader
        title={t('route_users')}
        description={t('users_description')}
        actions={
          <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
            {t('users_create')}
          </Button>
        }
      />
      <form
        class="o-filters"
        role="search"
        aria-label={t('users_find_label')}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(queryText.trim());
        }}
      >
        <TextField label={t('users_query_label')} type="search" value={queryText} onValue={setQueryText} maxLength={64} placeholder={t('users_query_placeholder')} />
        <SelectField
          label={t('users_col_status')}
          value={status}
          options={[{ value: '', label: t('users_any_status') }, ...STATUSES.map((s) => ({ value: s, label: statusWord(s) }))]}
          onValue={setStatus}
        />
        <div class="o-filters__actions">
          <Button type="submit">{t('users_search')}</Button>
          {query || status ? (
            <Button
              variant="ghost"
              onClick={() => {
                setQueryText('');
                setQuery('');
                setStatus('');
              }}
            >
              {t('common_clear')}
            </Button>
          ) : null}
        </div>
      </form>
      {flash ? <Notice tone="success">{flash}</Notice> : null}
      <TableState
        label={t('route_users')}
        loading={pages.loading}
        error={pages.error}
        count={users.length}
        onRetry={pages.reload}
        loadingLabel={t('users_loading')}
        emptyTitle={query || status ? t('users_empty_filtered_title') : t('users_empty_title')}
        emptyText={query || status ? t('users_empty_filtered_text') : t('users_empty_text')}
      >
        <table class="o-table">
          <caption class="sr-only">{t('users_caption', formatCount(pages.page))}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions_col_user')}</th>
              <th scope="col">{t('users_col_status')}</th>
              <th scope="col">{t('transactions_account')}</th>
              <th scope="col" class="o-num">
                {t('balance_title')}
              </th>
              <th scope="col">{t('users_col_limits')}</th>
              <th scope="col">
                <span class="sr-only">{t('table_col_actions')}</span>
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
        pages={pages}
        label={t('users_pager_label')}
        shown={tPlural('users_count', users.length)}
      />

      {dialog?.kind === 'create' ? (
        <CreateUserDialog
          onClose={() => setDialog(null)}
          onCreated={(user) =>
            done(
              user.accounts[0]
                ? t('users_created_with_account', ltr(user.username), ltr(formatAccount(user.accounts[0].account)))
                : t('users_created', ltr(user.username)),
            )
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
              awaitingApproval ? t('users_saved_awaiting_approval', ltr(user.username)) : t('users_saved', ltr(user.username)),
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
          <bdi>{name}</bdi>
          {isMe ? ` ${t('users_you')}` : ''}
        </span>
      </td>
      <td>
        <StatusBadge status={user.status} />
        <span class="o-cell-sub o-nowrap">{t('users_since', formatDate(user.createdAt))}</span>
        {user.passwordReset ? <span class="o-cell-sub">{t('users_reset_pending', ltr(user.passwordReset.requestedBy))}</span> : null}
      </td>
      <td class="o-mono o-nowrap">
        {account ? <span dir="ltr">{formatAccount(account.account)}</span> : <span class="o-muted">{t('users_no_account')}</span>}
        {user.legacy?.account ? <span class="o-cell-sub">{t('users_old_account', ltr(user.legacy.account), ltr(user.legacy.username))}</span> : null}
      </td>
      <td class="o-num">{account ? <Money minor={account.balance} currency={currency} /> : <span class="o-muted">{t('common_none_dash')}</span>}</td>
      <td class="o-nowrap o-small">
        {user.role === 'user' ? (
          <>
            <span class="o-cell-line">{t('users_limit_per_transfer', formatMoney(user.limits.perTransfer, currency))}</span>
            <span class="o-cell-line">{t('users_limit_per_day', formatMoney(user.limits.perDay, currency))}</span>
          </>
        ) : (
          <span class="o-muted">{t('common_none_dash')}</span>
        )}
      </td>
      <td>
        <div class="o-row-actions">
          {user.status === 'pending' ? (
            <a href={hrefOf('registrations')} class="o-link-sm">
              {t('users_decide_in_registrations')}
            </a>
          ) : null}
          {account && user.status === 'active' ? (
            <>
              <Button
                size="sm"
                onClick={() => onDialog({ kind: 'cash', user, account: account.account, currency, direction: 'deposit' })}
                aria-label={t('users_deposit_name', name)}
              >
                {t('users_deposit')}
              </Button>
              <Button
                size="sm"
                onClick={() => onDialog({ kind: 'cash', user, account: account.account, currency, direction: 'withdraw' })}
                aria-label={t('users_withdraw_name', name)}
              >
                {t('users_withdraw')}
              </Button>
            </>
          ) : null}
          {user.status !== 'pending' && user.status !== 'closed' ? <RowMenu label={t('users_more_actions_name', name)} items={menuItems(user, me, onDialog)} /> : null}
        </div>
      </td>
    </tr>
  );
}

function menuItems(user: User, me: string | undefined, onDialog: (d: Dialog) => void): RowMenuItem[] {
  const name = user.username;
  const items: RowMenuItem[] = [{ label: t('users_menu_edit'), ariaLabel: t('users_menu_edit_name', name), onSelect: () => onDialog({ kind: 'edit', user }) }];
  // A reset another administrator asked for; the one who asked cannot decide it.
  if (user.passwordReset && user.passwordReset.requestedBy !== me) {
    items.push(
      { label: t('users_menu_approve_reset'), ariaLabel: t('users_menu_approve_reset_name', name), onSelect: () => onDialog({ kind: 'reset', user, approve: true }) },
      { label: t('users_menu_reject_reset'), ariaLabel: t('users_menu_reject_reset_name', name), onSelect: () => onDialog({ kind: 'reset', user, approve: false }) },
    );
  }
  if (user.username === me) return items;
  if (user.status === 'active') {
    items.push({ label: t('users_menu_freeze'), ariaLabel: t('users_menu_freeze_name', name), danger: true, onSelect: () => onDialog({ kind: 'status', user, status: 'frozen' }) });
  }
  if (user.status === 'frozen') {
    items.push({ label: t('users_menu_unfreeze'), ariaLabel: t('users_menu_unfreeze_name', name), onSelect: () => onDialog({ kind: 'status', user, status: 'active' }) });
  }
  items.push({ label: t('users_menu_close'), ariaLabel: t('users_menu_close_name', name), danger: true, onSelect: () => onDialog({ kind: 'status', user, status: 'closed' }) });
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
  const who = t('users_who', user.displayName, ltr(user.username));
  const username = ltr(user.username);
  const copy = {
    frozen: {
      title: t('users_freeze_title', username),
      label: t('users_freeze'),
      body: <p>{t('users_freeze_text', who)}</p>,
    },
    active: {
      title: t('users_unfreeze_title', username),
      label: t('users_unfreeze'),
      body: <p>{t('users_unfreeze_text', who)}</p>,
    },
    closed: {
      title: t('users_close_title', username),
      label: t('users_close'),
      body: (
        <>
          <p>{t('users_close_text', who)}</p>
          {balance !== 0 ? <Notice tone="warning">{t('users_close_balance', formatMoney(balance, currency))}</Notice> : null}
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
