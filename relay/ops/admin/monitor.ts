import { defineOp } from '../registry.js';

/** While on, this connection gets a `monitor.request` event for every request the relay answers. */
export default defineOp('admin.monitor', async ({ args, conn, relay }) => {
  const { username, role } = conn.auth!;
  relay.live.setMonitoring(conn, args.on);
  await relay.commits.commit([], [{ actor: username, role, action: 'admin.monitor', outcome: args.on ? 'on' : 'off' }]);
  return {};
});
