import type { User } from '../../../common/schemas/models.js';
import { toWireUser } from '../../auth/user-view.js';
import { userRecordSchema } from '../../store/records.js';
import { defineOp } from '../registry.js';

/** Users in username order, filtered by a text query and status; the cursor is the last username. */
export default defineOp('admin.user.list', async ({ args, relay }) => {
  const query = args.query?.trim().toLowerCase();
  const users: User[] = [];
  const range = args.cursor !== undefined ? { gt: args.cursor } : {};
  for await (const raw of relay.bank.users.values(range)) {
    const u = userRecordSchema.parse(raw);
    if (args.status !== undefined && u.status !== args.status) continue;
    if (query && !u.username.includes(query) && !u.displayName.toLowerCase().includes(query)) continue;
    if (users.length === args.limit) return { users, next: users[users.length - 1]!.username };
    users.push(toWireUser(relay.ledger, u));
  }
  return { users };
});
