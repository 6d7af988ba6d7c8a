import type { JSX } from 'preact';
import type { User } from '../../../../../../common/schemas/models.js';
import { ltr, t } from '../../../../shared/i18n.js';
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
  const who = t('users_who', user.displayName, ltr(user.username));
  const asked = reset ? t('reset_asked_by', ltr(reset.requestedBy), formatDate(reset.requestedAt)) : t('reset_nobody_asked');
  const chooser = reset ? ltr(reset.requestedBy) : t('reset_another_admin');
  return (
    <ConfirmDialog
      open
      title={approve ? t('reset_approve_title', ltr(user.username)) : t('reset_reject_title', ltr(user.username))}
      confirmLabel={approve ? t('reset_approve') : t('reset_reject')}
      tone={approve ? 'danger' : 'primary'}
      onConfirm={() => onConfirm(user, approve)}
      onCancel={onCancel}
    >
      {approve ? <p>{t('reset_approve_text', who, chooser, asked, user.displayName)}</p> : <p>{t('reset_reject_text', who, asked)}</p>}
    </ConfirmDialog>
  );
}
