import { BankError } from '../../../common/errors.js';
import { revokeSessions } from '../../session/revoke.js';
import { defineOp } from '../registry.js';

/** Ends every session of a user; their connections get `session.revoked` and close. */
export default defineOp('admin.session.revoke', async ({ args, conn, relay }) => {
  const admin = conn.auth!;
  if (!(await relay.users.get(args.username))) throw new BankError('NOT_FOUND', `no user ${args.username}`);
  // An admin revoking their own sessions keeps the one they are using.
  const except = args.username === admin.username ? admin.session.key : undefined;
  const by = { actor: admin.username, role: admin.role };
  const revoked = await relay.users.withUser(args.username, () => revokeSessions(relay, args.username, 'an administrator ended this session', by, except));
  // Revoking nothing is still an admin action worth a line in the audit log.
  if (revoked === 0) await relay.commits.commit([], [{ ...by, action: 'session.revoke', target: args.username, outcome: 'none' }]);
  return { revoked };
});
