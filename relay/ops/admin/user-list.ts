import type { User } from '../../../common/schemas/models.js';
import { toWireUser } from '../../auth/user-view.js';
import { userRecordSchema, type UserRecord } from '../../auth/records.js';
import { defineOp } from '../registry.js';

/** Users in username order, filtered by a text query and status; the cursor is the last username. */
export default defineOp('admin.user.list', async ({ args, relay }) => {
  const query = args.query?.trim().toLowerCase();
  const records: UserRecord[] = [];
  for await (const raw of relay.bank.users(args.cursor)) {
    const u = userRecordSchema.parse(raw);
    if (args.status !== undefined && u.status !== args.status) continue;
    if (query && !u.username.includes(query) && !u.displayName.toLowerCase().includes(query)) continue;
    if (records.length === args.limit) return { users: await wire(records), next: records[records.length - 1]!.username };
    records.push(u);
  }
  return { users: await wire(records) };

  /** One batched owner read for the page, then the wire view of each. */
  function wire(page: UserRecord[]): Promise<User[]> {
    return Promise.all(page.map((u) => toWireUser(relay.ledger, u, relay.clock())));
  }
});
