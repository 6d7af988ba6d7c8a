import { defineOp } from '../registry.js';

/** Self-service sign-up: the user waits as `pending` until an admin decides. */
export default defineOp('auth.register', async ({ args, relay }) => {
  const user = await relay.users.create(
    { username: args.username, password: args.password, displayName: args.displayName, role: 'user', status: 'pending' },
    { actor: args.username, role: 'anonymous' },
    'auth.register',
  );
  relay.events.toAdmins('admin.alert', {
    kind: 'registration',
    message: `${user.displayName} (${user.username}) asks to open an account`,
    data: { username: user.username, displayName: user.displayName, createdAt: user.createdAt },
  });
  return { status: 'pending' };
});
