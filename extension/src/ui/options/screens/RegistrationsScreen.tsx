import type { JSX } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import type { User } from '../../../../../common/schemas/models.js';
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
      setMessage({ tone: 'success', text: `Approved ${user.username}: their account is open and they can sign in.` });
      reload();
    } catch (err) {
      setMessage({ tone: 'error', text: `Could not approve ${user.username}: ${errorMessage(err)}` });
    } finally {
      setApproving(undefined);
    }
  }

  async function reject(user: User): Promise<void> {
    await call('admin.registration.decide', { username: user.username, approve: false });
    setRejecting(null);
    setMessage({ tone: 'success', text: `Rejected ${user.username}.` });
    reload();
  }

  const users = pages.data?.users ?? [];
  return (
    <>
      <ScreenHeader
        title="Registrations"
        description="New customers waiting for approval. Approving opens their account."
        actions={<Button onClick={reload}>Refresh</Button>}
      />
      {message ? <Notice tone={message.tone}>{message.text}</Notice> : null}
      <TableState
        label="Pending registrations"
        loading={pages.loading}
        error={pages.error}
        count={users.length}
        onRetry={reload}
        loadingLabel="Loading registrations…"
        emptyTitle="No registrations waiting"
        emptyText="New ones appear here as soon as someone registers."
      >
        <table class="o-table">
          <caption class="sr-only">Pending registrations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Registered</th>
              <th scope="col">
                <span class="sr-only">Decision</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username}>
                <td class="o-cell-main">{u.displayName}</td>
                <td>{u.username}</td>
                <td class="o-nowrap">{formatDateTime(u.createdAt)}</td>
                <td>
                  <div class="o-row-actions">
                    <Button
                      size="sm"
                      variant="primary"
                      loading={approving === u.username}
                      disabled={approving !== undefined}
                      onClick={() => void approve(u)}
                      aria-label={`Approve ${u.username}`}
                    >
                      Approve
                    </Button>
                    <Button size="sm" class="o-danger-quiet" disabled={approving !== undefined} onClick={() => setRejecting(u)} aria-label={`Reject ${u.username}`}>
                      Reject
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableState>
      <Pager page={pages.page} hasPrevious={pages.hasPrevious} hasNext={pages.hasNext} onPrevious={pages.previous} onNext={pages.next} noun="registrations" />
      <ConfirmDialog
        open={rejecting !== null}
        title={`Reject ${rejecting?.username ?? ''}?`}
        confirmLabel="Reject"
        onConfirm={() => (rejecting ? reject(rejecting) : undefined)}
        onCancel={() => setRejecting(null)}
      >
        <p>
          {rejecting?.displayName} ({rejecting?.username}) will not get an account and cannot sign in. Rejecting closes the user and cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
