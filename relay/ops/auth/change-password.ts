import { defineOp } from '../registry.js';

export default defineOp('auth.changePassword', async ({ args, conn, relay }) => {
  await relay.users.changePassword(conn.auth!.username, args.oldPassword, args.newPassword);
  return {};
});
