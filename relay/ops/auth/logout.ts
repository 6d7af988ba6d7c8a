import { defineOp } from '../registry.js';

export default defineOp('auth.logout', async ({ conn, relay }) => {
  const auth = conn.auth!;
  relay.live.unbind(conn);
  conn.auth = null;
  await relay.sessions.end(auth.session, 'ok', auth.username, auth.role);
  return {};
});
