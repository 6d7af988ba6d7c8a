import { buildRegistry } from './registry.js';
import ping from './ping.js';
import register from './auth/register.js';
import login from './auth/login.js';
import resume from './auth/resume.js';
import logout from './auth/logout.js';
import changePassword from './auth/change-password.js';
import accountList from './account/list.js';
import accountBalance from './account/balance.js';
import accountHistory from './account/history.js';
import accountLookup from './account/lookup.js';
import accountLookupMany from './account/lookup-many.js';
import transferCreate from './transfer/create.js';
import transferBatch from './transfer/batch.js';
import runStart from './run/start.js';
import runFind from './run/find.js';
import runList from './run/list.js';
import userList from './admin/user-list.js';
import userCreate from './admin/user-create.js';
import userUpdate from './admin/user-update.js';
import userSetStatus from './admin/user-set-status.js';
import userApprovePasswordReset from './admin/user-approve-password-reset.js';
import registrationDecide from './admin/registration-decide.js';
import accountDeposit from './admin/account-deposit.js';
import accountWithdraw from './admin/account-withdraw.js';
import accountBatch from './admin/account-batch.js';
import adminRunList from './admin/run-list.js';
import transferList from './admin/transfer-list.js';
import auditQuery from './admin/audit-query.js';
import auditVerify from './admin/audit-verify.js';
import ledgerVerify from './admin/ledger-verify.js';
import sessionList from './admin/session-list.js';
import sessionRevoke from './admin/session-revoke.js';
import stats from './admin/stats.js';
import monitor from './admin/monitor.js';

/** Every op the relay serves; one module each. */
export const registry = buildRegistry([
  ping,
  register,
  login,
  resume,
  logout,
  changePassword,
  accountList,
  accountBalance,
  accountHistory,
  accountLookup,
  accountLookupMany,
  transferCreate,
  transferBatch,
  runStart,
  runFind,
  runList,
  userList,
  userCreate,
  userUpdate,
  userSetStatus,
  userApprovePasswordReset,
  registrationDecide,
  accountDeposit,
  accountWithdraw,
  accountBatch,
  adminRunList,
  transferList,
  auditQuery,
  auditVerify,
  ledgerVerify,
  sessionList,
  sessionRevoke,
  stats,
  monitor,
]);
