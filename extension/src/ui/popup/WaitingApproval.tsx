import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Button } from '../components/Button.js';
import { Icon } from '../components/Icon.js';
import { t } from '../../shared/i18n.js';

/** After registering: nothing to do until an administrator approves the account. */
export function WaitingApproval({ username, onDone }: { username: string; onDone: () => void }): JSX.Element {
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);
  return (
    <section class="stack center waiting" aria-labelledby="waiting-title">
      <Icon name="user" size={36} class="waiting__icon" />
      <h1 id="waiting-title" class="screen-title" tabIndex={-1} ref={title}>
        {t('waiting_title')}
      </h1>
      <p>
        {t('waiting_thanks')} <strong dir="ltr">{username}</strong>
        {t('waiting_thanks_end')} {t('waiting_text')}
      </p>
      <Button variant="primary" block onClick={onDone}>
        {t('waiting_back')}
      </Button>
    </section>
  );
}
