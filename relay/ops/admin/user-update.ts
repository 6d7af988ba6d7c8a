import { toWireUser } from '../../auth/user-view.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/** Display name, a password reset (ends the user's sessions) and per-user limits. */
export default defineOp('admin.user.update', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  const passwordHash = args.password !== undefined ? await relay.users.hashPassword(args.password, conn) : undefined;
  const user = await relay.users.withUser(args.username, async () => {
    const current = await relay.users.require(args.username);
    const next = {
      ...current,
      ...(args.displayName !== undefined && { displayName: args.displayName }),
      ...(passwordHash !== undefined && { passwordHash }),
    };
    const changed = [args.displayName !== undefined && 'displayName', passwordHash !== undefined && 'password', args.limits && 'limits'].filter(Boolean);
    const audit = {
      ...by,
      action: 'admin.user.update',
      target: args.username,
      outcome: 'ok',
      details: { changed, ...(args.displayName !== undefined && { displayName: args.displayName }), ...(args.limits && { limits: args.limits }) },
    };
    const write = [{ type: 'user' as const, user: next, from: current.version }];
    if (args.limits) await relay.ledger.setLimits(args.username, args.limits, write, [audit]);
    else await relay.commits.commit(write, [audit]);
    if (passwordHash !== undefined) {
      // An admin resetting their own password keeps the session they are using.
      const except = args.username === admin.username ? admin.session.key : undefined;
      await revokeSessions(relay, args.username, 'an administrator reset the password', by, except);
    }
    return next;
  });
  return { user: await toWireUser(relay.ledger, user) };
});
