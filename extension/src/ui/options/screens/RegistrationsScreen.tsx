import type { JSX } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import type { User } from '../../../../../common/schemas/models.js';
import { ltr, t } from '../../../shared/i18n.js';
import { call, useRelayEvents } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Modal.js';
import { Notice } from '../../components/Notice.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { Pager, TableState } from '../components/TableState.js';
import { errorMessage } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { useCursorPages } from '../lib/hooks.js';

export const REGISTRATIONS_PAGE = 25;

/** People who registered from the popup and wait for a decision; new ones appear live. */
export function RegistrationsScreen(): JSX.Element {
  const pages = useCursorPages(
    (cursor) => call('admin.user.list', { status: 'pending', limit: REGISTRATIONS_PAGE, ...(cursor !== undefined && { cursor }) }),
    ['pending'],
  );
  const [rejecting, setRejecting] = useState<User | null>(null);
  const [approving, setApproving] = useState<string>();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string }>();
  const reload = pages.reload;

  const onEvent = useCallback(
    (event: string, data: unknown) => {
      if (event === 'admin.alert' && (data as { kind?: unknown } | null)?.kind === 'registration') reload();
    },
    [reload],
  );
  useRelayEvents(onEvent);

  async function approve(user: User): Promise<void> {
    setApproving(user.username);
    setMessage(undefined);
    try {
      await call('admin.registration.decide', { username: user.username, approve: true });
      setMessage({ tone: 'success', text: t('registrations_approved', ltr(user.username)) });
      reload();
    } catch (err) {
      setMessage({ tone: 'error', text: t('registrations_approve_failed', ltr(user.username), errorMessage(err)) });
    } finally {
      setApproving(undefined);
    }
  }

  async function reject(user: User): Promise<void> {
    await call('admin.registration.decide', { username: user.username, approve: false });
    setRejecting(null);
    setMessage({ tone: 'success', text: t('registrations_rejected', ltr(user.username)) });
    reload();
  }

  const users = pages.data?.users ?? [];
  return (
    <>
      <ScreenHeader
        title={t('route_registrations')}
        description={t('registrations_description')}
        actions={<Button onClick={reload}>{t('common_refresh')}</Button>}
      />
      {message ? <Notice tone={message.tone}>{message.text}</Notice> : null}
      <TableState
        label={t('registrations_table_label')}
        loading={pages.loading}
        error={pages.error}
        count={users.length}
        onRetry={reload}
        loadingLabel={t('registrations_loading')}
        emptyTitle={t('registrations_empty_title')}
        emptyText={t('registrations_empty_text')}
      >
        <table class="o-table">
          <caption class="sr-only">{t('registrations_table_label')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('registrations_col_name')}</th>
              <th scope="col">{t('common_username')}</th>
              <th scope="col">{t('registrations_col_registered')}</th>
              <th scope="col">
                <span class="sr-only">{t('registrations_col_decision')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username}>
                <td class="o-cell-main">{u.displayName}</td>
                <td>
                  <bdi>{u.username}</bdi>
                </td>
                <td class="o-nowrap">{formatDateTime(u.createdAt)}</td>
                <td>
                  <div class="o-row-actions">
                    <Button
                      size="sm"
                      variant="primary"
                      loading={approving === u.username}
                      disabled={approving !== undefined}
                      onClick={() => void approve(u)}
                      aria-label={t('registrations_approve_name', u.username)}
                    >
                      {t('registrations_approve')}
                    </Button>
                    <Button
                      size="sm"
                      class="o-danger-quiet"
                      disabled={approving !== undefined}
                      onClick={() => setRejecting(u)}
                      aria-label={t('registrations_reject_name', u.username)}
                    >
                      {t('registrations_reject')}
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager
        pages={pages}
        label={t('registrations_pager_label')}
      />
      <ConfirmDialog
        open={rejecting !== null}
        title={t('registrations_reject_title', ltr(rejecting?.username ?? ''))}
        confirmLabel={t('registrations_reject')}
        onConfirm={() => (rejecting ? reject(rejecting) : undefined)}
        onCancel={() => setRejecting(null)}
      >
        <p>{rejecting ? t('registrations_reject_text', rejecting.displayName, ltr(rejecting.username)) : null}</p>
      </ConfirmDialog>
    </>
  );
}
