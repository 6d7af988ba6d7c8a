import type { SessionInfo } from '../../../common/schemas/models.js';
import { sessionRecordSchema } from '../../auth/records.js';
import { defineOp } from '../registry.js';

/** Every unexpired session, and where it is connected right now. */
export default defineOp('admin.session.list', async ({ relay }) => {
  const sessions: SessionInfo[] = [];
  const roles = new Map<string, 'user' | 'admin'>();
  for await (const [key, raw] of relay.bank.sessions()) {
    const stored = sessionRecordSchema.parse(raw);
    const conn = relay.live.forSession(key);
    // A connected session's newest activity is in memory, not yet on disk.
    const record = conn?.auth?.session.record ?? stored;
    if (relay.sessions.isExpired(record)) continue;
    let role = roles.get(record.username);
    if (!role) {
      role = (await relay.users.get(record.username))?.role ?? 'user';
      roles.set(record.username, role);
    }
    sessions.push({
      username: record.username,
      role,
      createdAt: new Date(record.createdAt).toISOString(),
      lastSeenAt: new Date(record.lastSeenAt).toISOString(),
      expiresAt: new Date(relay.sessions.expiresAt(record)).toISOString(),
      connected: conn !== undefined,
      ...(conn && { transport: conn.transport, remote: conn.remote }),
    });
  }
  return { sessions };
});
