import type { OpName } from '../../../../common/schemas/ops.js';
import { normalizeUsername } from '../../../../common/schemas/primitives.js';
import type { RelayContext } from '../../../context.js';
import type { LegacyDirectory } from '../directory.js';
import type { LegacyConnection, OpAnswer } from '../legacy-connection.js';
import { T } from '../texts.js';

/** What a command's translation may use: the connection's ops, the alias directory, and the sign-in hook. */
export interface LegacyCommandContext {
  conn: LegacyConnection;
  relay: RelayContext;
  directory: LegacyDirectory;
  /** The name the bound person typed at sign-in (shown in replies), when the connection is bound. */
  shownName: string | undefined;
  /** A Login succeeded on this connection: bind it and leave a grant for the next window. */
  signedIn(answer: { token: string; username: string; role: 'user' | 'admin' }, shownName: string): void;
}

export type LegacyCommand = (ctx: LegacyCommandContext, args: readonly string[]) => Promise<string>;

/** Who the connection acts as right now (null: nobody signed in, or the session ended). */
export function boundRole(ctx: LegacyCommandContext): 'user' | 'admin' | null {
  const auth = ctx.conn.auth;
  if (!auth || ctx.relay.sessions.isExpired(auth.session.record) || ctx.relay.sessions.hasEnded(auth.session.key)) return null;
  return auth.role;
}

/**
 * Whether a name typed into an admin form is the bound administrator's own: the old server took
 * any admin's name as proof; here it must be the name this connection signed in with.
 */
export async function isBoundAdmin(ctx: LegacyCommandContext, typedAdminName: string): Promise<boolean> {
  if (boundRole(ctx) !== 'admin') return false;
  if (typedAdminName === ctx.shownName) return true;
  return normalizeUsername(await ctx.directory.userOf(typedAdminName)) === ctx.conn.auth!.username;
}

/** The replies every refusal shares, whatever the command: limits, a relay that cannot serve, anything unexpected. */
export function commonRefusal(answer: Extract<OpAnswer<OpName>, { ok: false }>, notSignedIn: string, notAllowed: string): string {
  switch (answer.code) {
    case 'RATE_LIMITED':
      return T.secure.rateLimited;
    case 'UNAVAILABLE':
    case 'IN_DOUBT':
    case 'INTERNAL':
      return T.secure.unavailable;
    case 'UNAUTHENTICATED':
      return notSignedIn;
    case 'FORBIDDEN':
      return notAllowed;
    default:
      return T.secure.failed(answer.message.replace(/\.$/, ''));
  }
}
