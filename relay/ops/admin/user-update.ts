import { toWireUser } from '../../auth/user-view.js';
import { PASSWORD_RESET_APPROVAL_MS } from '../../auth/password-reset.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/**
 * Display name, a password reset (ends the user's sessions) and per-user limits. Another
 * administrator's password is not reset at once: the reset waits for a second administrator's
 * approval (admin.user.approvePasswordReset), so one stolen admin session cannot take over
 * every other admin.
 */
export default defineOp('admin.user.update', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  const by = { actor: admin.username, role: admin.role };
  const passwordHash = args.password !== undefined ? await relay.users.hashPassword(args.password, conn) : undefined;
  const { user, awaiting } = await relay.users.withUser(args.username, async () => {
    const current = await relay.users.require(args.username);
    const now = relay.clock();
    const awaiting = passwordHash !== undefined && current.role === 'admin' && current.username !== admin.username;
    const next = {
      ...current,
      ...(args.displayName !== undefined && { displayName: args.displayName }),
      ...(passwordHash !== undefined && !awaiting && { passwordHash }),
      ...(awaiting && { passwordReset: { passwordHash, requestedBy: admin.username, requestedAt: now, expiresAt: now + PASSWORD_RESET_APPROVAL_MS } }),
    };
    const changed = [
      args.displayName !== undefined && 'displayName',
      passwordHash !== undefined && (awaiting ? 'password (awaiting approval)' : 'password'),
      args.limits && 'limits',
    ].filter(Boolean);
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
    if (passwordHash !== undefined && !awaiting) {
      // An admin resetting their own password keeps the session they are using.
      const except = args.username === admin.username ? admin.session.key : undefined;
      await revokeSessions(relay, args.username, 'an administrator reset the password', by, except);
    }
    return { user: next, awaiting };
  });
  if (awaiting) {
    relay.events.toAdminsEverywhere('admin.alert', {
      kind: 'password_reset',
      message: `${admin.username} asked to reset the password of the administrator ${user.username}: another administrator must approve it`,
      data: { username: user.username, by: admin.username },
    });
  }
  return { user: await toWireUser(relay.ledger, user, relay.clock()) };
});
