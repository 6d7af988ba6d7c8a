import type { OpName } from '../../../common/schemas/ops.js';

/**
 * What the background does around each op a page sends (the ops themselves: opDefs in
 * common/schemas/ops.ts). Every op has its row, so a new op cannot ship without deciding.
 */
export interface OpRule {
  /**
   * A lost answer (the socket dropped after the request went out): `resend` for ops that change
   * nothing, or change it the same however often they run (sent again once, on the next socket);
   * `in-doubt` for changes, answered IN_DOUBT (a transfer settles it by replaying its id).
   */
  lostAnswer: 'resend' | 'in-doubt';
  /**
   * UNAUTHENTICATED means the session is over (the relay forgot it), unless the op is made
   * without one (a sign-up) or answers it for its own reason (a wrong current password).
   */
  unauthenticated: 'session-over' | 'answer';
  /** Pages may not send it: the background does it itself (sign-in, resume, sign-out, lock). */
  reserved?: true;
  /** Turns the relay's request feed for this socket on or off (asked again on a new socket). */
  monitor?: true;
  /** Done, it sets the person's password: a new one asked of them is no longer due. */
  changesPassword?: true;
}

const READ: OpRule = { lostAnswer: 'resend', unauthenticated: 'session-over' };
const CHANGE: OpRule = { lostAnswer: 'in-doubt', unauthenticated: 'session-over' };
const SESSION: OpRule = { ...CHANGE, reserved: true };
/** A change made again with the same arguments answers what the first did: safe to send again. */
const IDEMPOTENT: OpRule = READ;

export const OP_RULES: Record<OpName, OpRule> = {
  ping: READ,
  'auth.register': { lostAnswer: 'in-doubt', unauthenticated: 'answer' },
  'auth.login': SESSION,
  'auth.resume': SESSION,
  'auth.logout': SESSION,
  'auth.changePassword': { lostAnswer: 'in-doubt', unauthenticated: 'answer', changesPassword: true },
  'account.list': READ,
  'account.balance': READ,
  'account.history': READ,
  'account.lookup': READ,
  // Budgeted per distinct account a day: asking again for the same accounts costs nothing more.
  'account.lookupMany': READ,
  'transfer.create': CHANGE,
  'transfer.batch': CHANGE,
  'run.start': IDEMPOTENT,
  'run.find': READ,
  'run.list': READ,
  'admin.user.list': READ,
  'admin.user.create': CHANGE,
  'admin.user.update': CHANGE,
  'admin.user.approvePasswordReset': CHANGE,
  'admin.user.setStatus': CHANGE,
  'admin.registration.decide': CHANGE,
  'admin.account.deposit': CHANGE,
  'admin.account.withdraw': CHANGE,
  'admin.account.batch': CHANGE,
  'admin.run.list': READ,
  'admin.transfer.list': READ,
  'admin.audit.query': READ,
  'admin.audit.verify': READ,
  'admin.ledger.verify': READ,
  'admin.session.list': READ,
  'admin.session.revoke': CHANGE,
  'admin.stats': READ,
  'admin.monitor': { ...READ, monitor: true },
};
