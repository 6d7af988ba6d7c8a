import { historyPage } from '../../ledger/history.js';
import { ownAccount } from '../../ledger/own-account.js';
import { defineOp } from '../registry.js';

export default defineOp('account.history', async ({ args, conn, relay }) => {
  const account = await ownAccount(relay.ledger, conn.auth!.username, args.account);
  return historyPage(relay.bank, account.account, args.limit, args.before);
});
