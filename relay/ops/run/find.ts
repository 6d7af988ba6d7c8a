import { toWireRun } from '../../ledger/runs.js';
import type { Run } from '../../../common/schemas/models.js';
import { defineOp } from '../registry.js';

/** Most runs of one file answered. */
const FOUND_MAX = 20;

/** The person's runs of a file with this digest, newest first: asked when a file is previewed. */
export default defineOp('run.find', async ({ args, conn, relay }) => {
  const runs: Run[] = [];
  for await (const r of relay.bank.runsNewestFirst({ owner: conn.auth!.username, digest: args.digest })) {
    runs.push(toWireRun(r));
    if (runs.length === FOUND_MAX) break;
  }
  return { runs };
});
