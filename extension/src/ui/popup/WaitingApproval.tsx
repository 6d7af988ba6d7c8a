import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Button } from '../components/Button.js';
import { Icon } from '../components/Icon.js';

/** After registering: nothing to do until an administrator approves the account. */
export function WaitingApproval({ username, onDone }: { username: string; onDone: () => void }): JSX.Element {
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);
  return (
    <section class="stack center waiting" aria-labelledby="waiting-title">
      <Icon name="user" size={36} class="waiting__icon" />
      <h1 id="waiting-title" class="screen-title" tabIndex={-1} ref={title}>
        Waiting for approval
      </h1>
      <p>
        Thanks, <strong>{username}</strong>. Your bank will review your registration. Once it's approved you can sign in here with your
        username and password.
      </p>
      <Button variant="primary" block onClick={onDone}>
        Back to sign in
      </Button>
    </section>
  );
}
