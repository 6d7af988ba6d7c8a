import { defineOp } from '../registry.js';

export default defineOp('account.list', async ({ conn, relay }) => ({ accounts: await relay.ledger.accountsOf(conn.auth!.username) }));
