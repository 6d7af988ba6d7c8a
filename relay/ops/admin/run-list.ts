import { listRuns } from '../../ledger/run-list.js';
import { defineOp } from '../registry.js';

/** Everyone's payment runs (or one owner's), newest first. */
export default defineOp('admin.run.list', async ({ args, relay }) =>
  listRuns(relay.bank, { ...(args.owner !== undefined && { owner: args.owner }) }, args.limit, args.cursor),
);
