import { loginReply, T } from '../texts.js';
import type { LegacyCommand } from './context.js';

/**
 * Login → auth.login, with the relay's scrypt check, per-user lockout and per-address throttle.
 * Unknown user and wrong password get the same reply (the old server told them apart).
 */
export const login: LegacyCommand = async (ctx, [typedName, password]) => {
  const username = await ctx.directory.userOf(typedName!);
  const answer = await ctx.conn.call('auth.login', { username, password: password! });
  if (answer.ok) {
    const { token, user } = answer.result;
    ctx.signedIn({ token, username: user.username, role: user.role }, typedName!);
    return loginReply(true, user.role === 'admin', T.loginOk(typedName!, user.role === 'admin'));
  }
  const fail = (message: string) => loginReply(false, false, message);
  switch (answer.code) {
    case 'UNAUTHENTICATED':
    case 'BAD_REQUEST':
      return fail(T.loginFailed(typedName!));
    case 'LOCKED_OUT':
      return fail(T.secure.lockedOut(typedName!));
    case 'RATE_LIMITED':
      return fail(/sign-in/.test(answer.message) ? T.secure.throttled : T.secure.rateLimited);
    case 'ACCOUNT_FROZEN':
      return fail(T.secure.frozen(typedName!));
    case 'FORBIDDEN':
      return fail(T.secure.notApproved(typedName!));
    default:
      return fail(T.secure.unavailable);
  }
};
