import { defineOp } from '../registry.js';

/** The caller's accounts, and their limits with what they have sent today. */
export default defineOp('account.list', async ({ conn, relay }) => {
  const username = conn.auth!.username;
  const [accounts, allowance] = await Promise.all([relay.ledger.accountsOf(username), relay.ledger.allowanceOf(username, new Date(relay.clock()))]);
  return { accounts, allowance };
});
