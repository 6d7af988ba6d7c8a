import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../../../common/schemas/models.js';
import type { AppState } from '../../../shared/api.js';
import { call } from '../../bridge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Modal.js';
import { Notice } from '../../components/Notice.js';
import { Badge, RoleBadge } from '../components/Badge.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { TableState } from '../components/TableState.js';
import { formatDateTime } from '../lib/format.js';
import { useAsync, usePolling } from '../lib/hooks.js';
import { plural } from '../lib/text.js';

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
    setMessage(`Revoked ${plural(revoked, 'session')} of ${username}.`);
    list.reload();
  }

  const count = (username: string) => sessions.filter((s) => s.username === username).length;
  return (
    <>
      <ScreenHeader
        title="Sessions"
        description="Who is signed in, from where, and until when. The list refreshes every 10 seconds."
        actions={<Button onClick={list.reload}>Refresh</Button>}
      />
      {message ? <Notice tone="success">{message}</Notice> : null}
      <TableState
        label="Sessions"
        loading={list.loading}
        error={list.error}
        count={sessions.length}
        onRetry={list.reload}
        loadingLabel="Loading sessions…"
        emptyTitle="No sessions"
        emptyText="Nobody is signed in right now."
      >
        <table class="o-table">
          <caption class="sr-only">Sessions</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Connected</th>
              <th scope="col">Transport</th>
              <th scope="col">Last seen</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
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
        title={`Revoke ${revoking ?? ''}'s sessions?`}
        confirmLabel="Revoke"
        onConfirm={() => (revoking ? revoke(revoking) : undefined)}
        onCancel={() => setRevoking(null)}
      >
        <p>
          All {plural(revoking ? count(revoking) : 0, 'session')} of {revoking} end now; they must sign in again.
          {revoking === me ? ' This includes you: this browser will be signed out.' : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}

function SessionRow({ session: s, isMe, onRevoke }: { session: SessionInfo; isMe: boolean; onRevoke: () => void }): JSX.Element {
  return (
    <tr>
      <td>
        <span class="o-cell-main">{s.username}</span>
        {isMe ? <span class="o-cell-sub">you</span> : null}
      </td>
      <td>
        <RoleBadge role={s.role} />
      </td>
      <td>{s.connected ? <Badge tone="ok">Connected</Badge> : <Badge>Idle</Badge>}</td>
      <td>
        {s.transport ? s.transport.toUpperCase() : <span class="o-muted">—</span>}
        {s.remote ? <span class="o-cell-sub o-mono">{s.remote}</span> : null}
      </td>
      <td class="o-nowrap">{formatDateTime(s.lastSeenAt)}</td>
      <td class="o-nowrap">{formatDateTime(s.expiresAt)}</td>
      <td>
        <Button size="sm" class="o-danger-quiet" onClick={onRevoke} aria-label={`Revoke ${s.username}`}>
          Revoke
        </Button>
      </td>
    </tr>
  );
}
