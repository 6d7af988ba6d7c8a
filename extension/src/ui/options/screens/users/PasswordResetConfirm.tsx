import type { JSX } from 'preact';
import type { User } from '../../../../../../common/schemas/models.js';
import { ConfirmDialog } from '../../../components/Modal.js';
import { formatDate } from '../../lib/format.js';

/**
 * A second administrator's decision on the reset of an administrator's password that another
 * one asked for (one administrator alone cannot reset another's password).
 */
export function PasswordResetConfirm({
  user,
  approve,
  onConfirm,
  onCancel,
}: {
  user: User;
  approve: boolean;
  onConfirm: (user: User, approve: boolean) => Promise<void>;
  onCancel: () => void;
}): JSX.Element {
  const reset = user.passwordReset;
  const who = `${user.displayName} (${user.username})`;
  const asked = reset ? `${reset.requestedBy} asked for it on ${formatDate(reset.requestedAt)}` : 'nobody asked for one';
  return (
    <ConfirmDialog
      open
      title={approve ? `Approve the password reset of ${user.username}?` : `Reject the password reset of ${user.username}?`}
      confirmLabel={approve ? 'Approve reset' : 'Reject reset'}
      tone={approve ? 'danger' : 'primary'}
      onConfirm={() => onConfirm(user, approve)}
      onCancel={onCancel}
    >
      {approve ? (
        <p>
          {who} gets the password {reset?.requestedBy ?? 'another administrator'} chose and is signed out everywhere ({asked}). Approve only if you
          have confirmed with {user.displayName} that they need it.
        </p>
      ) : (
        <p>
          The reset is dropped and {who} keeps their password ({asked}).
        </p>
      )}
    </ConfirmDialog>
  );
}
