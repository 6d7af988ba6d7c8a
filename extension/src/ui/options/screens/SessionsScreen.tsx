import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../../../common/schemas/models.js';
import type { AppState } from '../../../shared/api.js';
import { ltr, t, tPlural } from '../../../shared/i18n.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Modal.js';
import { Notice } from '../../components/Notice.js';
import { Badge, RoleBadge } from '../components/Badge.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { TableState } from '../components/TableState.js';
import { formatDateTime } from '../lib/format.js';
import { useAsync, usePolling } from '../lib/hooks.js';

const REFRESH_MS = 10_000;

/** Unexpired sessions and where they are connected; revoking signs a user out everywhere. */
export function SessionsScreen({ state }: { state: AppState }): JSX.Element {
  const list = useAsync(() => call('admin.session.list', {}), []);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [message, setMessage] = useState<string>();
  usePolling(async () => list.reload(), REFRESH_MS, !list.loading);

  const sessions = [...(list.data?.sessions ?? [])].sort(
    (a, b) => Number(b.connected) - Number(a.connected) || a.username.localeCompare(b.username) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  );
  const me = state.user?.username;

  async function revoke(username: string): Promise<void> {
    const { revoked } = await call('admin.session.revoke', { username });
    setRevoking(null);
    setMessage(tPlural('sessions_revoked', revoked, ltr(username)));
    list.reload();
  }

  const count = (username: string) => sessions.filter((s) => s.username === username).length;
  return (
    <>
      <ScreenHeader
        title={t('route_sessions')}
        description={t('sessions_description')}
        actions={<Button onClick={list.reload}>{t('common_refresh')}</Button>}
      />
      {message ? <Notice tone="success">{message}</Notice> : null}
      <TableState
        label={t('route_sessions')}
        loading={list.loading}
        error={list.error}
        count={sessions.length}
        onRetry={list.reload}
        loadingLabel={t('sessions_loading')}
        emptyTitle={t('sessions_empty_title')}
        emptyText={t('sessions_empty_text')}
      >
        <table class="o-table">
          <caption class="sr-only">{t('route_sessions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions_col_user')}</th>
              <th scope="col">{t('sessions_col_role')}</th>
              <th scope="col">{t('sessions_col_connected')}</th>
              <th scope="col">{t('sessions_col_transport')}</th>
              <th scope="col">{t('sessions_col_last_seen')}</th>
              <th scope="col">{t('sessions_col_expires')}</th>
              <th scope="col">
                <span class="sr-only">{t('table_col_actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s, i) => (
              <SessionRow key={`${s.username}-${s.createdAt}-${i}`} session={s} isMe={s.username === me} onRevoke={() => setRevoking(s.username)} />
            ))}
          </tbody>
        </table>
      </TableState>
      <ConfirmDialog
        open={revoking !== null}
        title={t('sessions_revoke_title', ltr(revoking ?? ''))}
        confirmLabel={t('sessions_revoke')}
        onConfirm={() => (revoking ? revoke(revoking) : undefined)}
        onCancel={() => setRevoking(null)}
      >
        <p>
          {tPlural('sessions_revoke_text', revoking ? count(revoking) : 0, ltr(revoking ?? ''))}
          {revoking === me ? ` ${t('sessions_revoke_includes_you')}` : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}

function SessionRow({ session: s, isMe, onRevoke }: { session: SessionInfo; isMe: boolean; onRevoke: () => void }): JSX.Element {
  return (
    <tr>
      <td>
        <bdi class="o-cell-main">{s.username}</bdi>
        {isMe ? <span class="o-cell-sub">{t('sessions_you')}</span> : null}
      </td>
      <td>
        <RoleBadge role={s.role} />
      </td>
      <td>{s.connected ? <Badge tone="ok">{t('sessions_connected')}</Badge> : <Badge>{t('sessions_idle')}</Badge>}</td>
      <td>
        {s.transport ? s.transport.toUpperCase() : <span class="o-muted">{t('common_none_dash')}</span>}
        {s.remote ? (
          <span class="o-cell-sub o-mono" dir="ltr">
            {s.remote}
          </span>
        ) : null}
      </td>
      <td class="o-nowrap">{formatDateTime(s.lastSeenAt)}</td>
      <td class="o-nowrap">{formatDateTime(s.expiresAt)}</td>
      <td>
        <Button size="sm" class="o-danger-quiet" onClick={onRevoke} aria-label={t('sessions_revoke_name', s.username)}>
          {t('sessions_revoke')}
        </Button>
      </td>
    </tr>
  );
}
