import { formatMinorPlain } from '../../../common/money.js';

/*
 * Every reply the old Qt server sent, spelled exactly as it did (LEGACY-PROTOCOL §2), so the
 * client's screens read as they always have; and, marked "secure", the replies in the same style
 * for what the gateway refuses where the old server did something unsafe (docs/LEGACY.md lists
 * them). Plain concatenation: a `%2` inside a name is just text.
 */
export const T = {
  greeting: (n: number) => `Welcome from server dear Client_${n}`,
  badArgCount: 'in Valid number of arguments',
  unknownCommand: "can't execute a command that does not exist in the registry.....",

  loginFailed: (name: string) => `Incorrect password for user ${name}.`,
  loginOk: (name: string, admin: boolean) => `${name} successfully logged in as ${admin ? 'admin' : 'user'}.`,

  noPrivilegeDb: 'User does not have the privilege to access this method',
  noUsers: 'There are no users in the system....',

  onlyUsers: 'Permission Denied Only users Have the privilege of such feature........',
  onlyLoggedInUsers: 'Permission Denied Only users who are logged in Have the privilege of such feature........',
  accountNumber: (name: string, acct: string) => `User Name : ${name}   -  Account Number -> ${acct}`,

  adminTargetIsAdmin: 'Admin can not view the account number of other admins',
  targetNotLoggedIn: 'User should be logged In......',
  onlyAdmins: 'This feature is avalabile to admins Only......',
  accountNumberForAdmin: (acct: string) => `Account Number => ${acct}`,

  balance: (acct: string, bal: string) => `user Account : ${acct}  - user Balance : ${bal}`,

  userDoesNotExist: 'User does not exist.',
  noTransactions: 'This user does not have any transactions.',

  accountDoesNotExist: 'Account Number does not Exists',
  insufficientFundsMake: 'Insufficient Funds.....',
  balanceUpdated: (bal: string) => `Balance updated successfully\nUser's new balance: ${bal}`,

  transferToSelf: 'user Can not use this method to transfer money to himself.....',
  senderDoesNotExist: 'The account initiating the transfer does not exist.',
  receiverDoesNotExist: 'The receiver account does not exist.',
  zeroTransfer: 'Transfer amount Must not be zero',
  negativeTransfer: 'The transferred amount should be positive.',
  insufficientFundsTransfer: 'Operation failed due to insufficient funds.',
  transferred: (from: string, to: string) => `Money transferred from account: ${from} to account: ${to} successfully.`,

  createOnlyAdmins: 'Error: Only admins can create new users.',
  createBadJson: 'Error: Invalid JSON data provided for new user creation.',
  createMissing: "Error: Missing essential fields. Please provide 'username', 'password', 'account_number', and 'balance'.",
  createNameIsAdmin: 'Error: the  user name that was submitted  does not match user previlages....',
  createUserExists: 'Error: A user with the provided username already exists.',
  createAccountExists: 'Error: An account with the provided account number already exists.',
  created: (acct: string) => `Success: New user with account number ${acct} has been successfully created.`,

  deleteOnlyAdmins: 'Error: Only Admins can delete Users.',
  deleteNotRegistered: 'Error: This account is not registered in the database.',
  deleted: (acct: string) => `Success: User with account number ${acct} has been successfully deleted.`,

  updateOnlyAdmins: 'Only Admins can update user information...',
  updateNotRegistered: 'This account is not registered in the database...',
  updateBadJson: 'Invalid JSON data provided for the update...',
  updated: (acct: string) => `User with account number ${acct} has been successfully updated.`,

  // Secure-mode replies, in the same style (docs/LEGACY.md, "Where the gateway differs").
  secure: {
    customerCannotMakeMoney: 'Permission Denied Only admins can deposit or withdraw money; send money with a Wire Transfer........',
    badAmount: 'The amount is not valid: use digits with at most 2 decimals, e.g. 12.50.',
    zeroAmount: 'The amount Must not be zero',
    lockedOut: (name: string) => `User ${name} is locked out after too many failed sign-ins; try again later.`,
    throttled: 'Too many failed sign-ins from this address; try again later.',
    notApproved: (name: string) => `User ${name} can not log in yet: the bank has not approved or has closed this user.`,
    frozen: (name: string) => `User ${name} is frozen; please contact the bank.`,
    rateLimited: 'Too many requests; please wait a moment and try again.',
    unavailable: 'The bank is not available right now; please try again in a moment.',
    failed: (why: string) => `Operation failed: ${why}.`,
    deleteHoldsMoney: (acct: string) => `Error: The account ${acct} still holds money; move the balance out before deleting the user.`,
    createBadField: (field: string, why: string) => `Error: The ${field} is not valid: ${why}.`,
    createExtraKeys: "Error: Only 'username', 'password', 'account_number' and 'balance' may be given.",
    updateExtraKeys: "Only 'username', 'password' and 'balance' can be updated...",
    updateRename: 'A user can not be renamed: create a new user instead...',
    updateBadField: (field: string, why: string) => `The ${field} is not valid: ${why}...`,
    updateWaitsForApproval: (acct: string) =>
      `The password reset for account number ${acct} waits for a second administrator to approve it.`,
  },
} as const;

/**
 * A balance for ViewAccountbalance and MakeTransaction. The old server used printf's %g (6
 * significant digits: 1234567.89 showed as 1.23457e+06); the gateway shows the exact amount
 * with %g's look for everyday values: no trailing zeros, no trailing point (3796, 490.5).
 */
export function shortAmount(minor: number): string {
  return formatMinorPlain(minor).replace(/\.?0+$/, '') || '0';
}

/** Fixed 2 decimals, as in the tables (3000.00, -4500.00). */
export function tableAmount(minor: number): string {
  return formatMinorPlain(minor);
}

/** The Login reply: the only JSON reply, in Qt's indented layout with sorted keys and a final newline. */
export function loginReply(pass: boolean, isAdmin: boolean, message: string): string {
  return `${JSON.stringify({ isAdmin, message, pass }, null, 4)}\n`;
}

/** `yyyy-MM-dd` in the server's local time, as the old server dated transactions. */
export function legacyDate(ts: string | number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Viewtransactionhistory's table (rows newest first). */
export function historyTable(rows: readonly { date: string; amount: number }[]): string {
  let out = `${'Date'.padEnd(21)} | ${'Amount'.padEnd(21)}\n${'-'.repeat(18)}|${'-'.repeat(18)}\n`;
  for (const r of rows) out += `${r.date.padEnd(15)} | ${tableAmount(r.amount).padEnd(15)}\n`;
  return out;
}

export interface DbTableUser {
  name: string;
  account: string;
  balance: number;
  loggedIn: boolean;
  transactions: readonly { date: string; amount: number; id: string }[];
}

/** ViewBankDataBase's table; the Password column is always masked. */
export function bankTable(users: readonly DbTableUser[]): string {
  let out = 'Users Table:\n';
  out += `${'Username'.padEnd(15)}${'Password'.padEnd(15)}${'Account Number'.padEnd(20)}${'Balance'.padStart(10)}${'Is Logged In'.padStart(15)}Transactions\n`;
  out += `${'-'.repeat(80)}\n`;
  for (const u of users) {
    out += `${u.name.padEnd(15)}${'********'.padEnd(15)}${u.account.padEnd(20)}${tableAmount(u.balance).padStart(10)}${(u.loggedIn ? 'Yes' : 'No').padStart(15)}\n`;
    if (u.transactions.length === 0) out += '  No Transactions\n';
    else {
      out += '  Transactions:\n';
      for (const t of u.transactions) out += `    - Date: ${t.date}, Amount: ${tableAmount(t.amount)}, Transaction Id ${t.id}\n`;
    }
    out += '\n';
  }
  return out;
}
