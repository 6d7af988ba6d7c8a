import type { ComponentChildren, JSX } from 'preact';
import { Icon, type IconName } from './Icon.js';

export interface EmptyStateProps {
  title: string;
  /** A sentence on what will appear here, or what to do. */
  children?: ComponentChildren;
  icon?: IconName;
  /** A button or link to act on it. */
  action?: ComponentChildren;
}

/** What a list shows when it has nothing yet: never a blank area. */
export function EmptyState({ title, children, icon = 'inbox', action }: EmptyStateProps): JSX.Element {
  return (
    <div class="empty">
      <Icon name={icon} size={28} class="empty__icon" />
      <p class="empty__title">{title}</p>
      {children ? <p class="empty__text">{children}</p> : null}
      {action ? <div class="empty__action">{action}</div> : null}
    </div>
  );
}
