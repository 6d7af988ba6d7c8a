import type { ComponentChildren, JSX } from 'preact';
import { t } from '../../../shared/i18n.js';
import { statusWord } from '../../status-words.js';

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'neutral' | 'accent';

/** A small coloured label in a table cell: a status, a role, an outcome. Text carries the meaning; colour only helps. */
export function Badge({ tone = 'neutral', children, title }: { tone?: BadgeTone; children: ComponentChildren; title?: string }): JSX.Element {
  return (
    <span class={`o-badge o-badge--${tone}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, BadgeTone> = { active: 'ok', pending: 'warn', frozen: 'danger', closed: 'neutral' };

export function StatusBadge({ status }: { status: string }): JSX.Element {
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{statusWord(status)}</Badge>;
}

export function RoleBadge({ role }: { role: string }): JSX.Element {
  return role === 'admin' ? <Badge tone="accent">{t('role_admin')}</Badge> : <Badge>{t('common_customer')}</Badge>;
}
