import { ownAccount } from '../../ledger/own-account.js';
import { defineOp } from '../registry.js';

export default defineOp('account.balance', async ({ args, conn, relay }) =>
  relay.ledger.toWire(await ownAccount(relay.ledger, conn.auth!.username, args.account)),
);
