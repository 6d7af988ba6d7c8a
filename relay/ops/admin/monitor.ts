import { defineOp } from '../registry.js';

/** While on, this connection gets a `monitor.request` event for every request the relay answers. */
export default defineOp('admin.monitor', async ({ args, conn, relay }) => {
  relay.live.setMonitoring(conn, args.on);
  return {};
});
