import { historyPage } from '../../ledger/history.js';
import { ownAccount } from '../../ledger/own-account.js';
import { historyWithLegacy, toLegacyEntry } from '../../legacy/history.js';
import { defineOp } from '../registry.js';

export default defineOp('account.history', async ({ args, conn, relay }) => {
  const username = conn.auth!.username;
  const account = await ownAccount(relay.ledger, username, args.account);
  if (!args.legacy) return historyPage(relay.bank, account.account, args.limit, args.before);
  // The history imported from the old Qt bank belongs to the account the import opened (the user's first).
  const user = await relay.users.get(username);
  const legacy = user?.legacy;
  const [first] = await relay.ledger.accountStatesOf(username);
  const imported = legacy?.account !== undefined && first?.account === account.account ? legacy.history.map((item) => toLegacyEntry(item, legacy.account!)) : [];
  return historyWithLegacy((limit, before) => historyPage(relay.bank, account.account, limit, before), imported, args.limit, args.before);
});
