import type { ComponentChildren, JSX } from 'preact';
import { Icon } from './Icon.js';

export type NoticeTone = 'info' | 'success' | 'warning' | 'error';

export interface NoticeProps {
  tone?: NoticeTone;
  title?: string;
  children?: ComponentChildren;
  /** Buttons under the text. */
  actions?: ComponentChildren;
  /** Announce it when it appears: errors and warnings by default (role=alert), others politely. */
  announce?: boolean;
}

/** A boxed message: a form-level error, an offline warning, a success. */
export function Notice({ tone = 'info', title, children, actions, announce }: NoticeProps): JSX.Element {
  const loud = announce ?? (tone === 'error' || tone === 'warning');
  return (
    <div class={`notice notice--${tone}`} role={loud ? 'alert' : 'status'}>
      {tone === 'error' || tone === 'warning' ? <Icon name="warning" class="notice__icon" /> : null}
      <div class="notice__body">
        {title ? <p class="notice__title">{title}</p> : null}
        {children ? <div class="notice__text">{children}</div> : null}
        {actions ? <div class="notice__actions">{actions}</div> : null}
      </div>
    </div>
  );
}
