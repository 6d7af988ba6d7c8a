import { listRuns } from '../../ledger/run-list.js';
import { defineOp } from '../registry.js';

/** The person's own payment runs, newest first. */
export default defineOp('run.list', async ({ args, conn, relay }) => listRuns(relay.bank, { owner: conn.auth!.username }, args.limit, args.cursor));
