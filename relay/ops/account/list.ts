import { defineOp } from '../registry.js';

export default defineOp('account.list', async ({ conn, relay }) => ({ accounts: relay.ledger.accountsOf(conn.auth!.username) }));
