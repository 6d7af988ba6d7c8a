import { publicUserSchema, type PublicUser } from '../../../common/schemas/models.js';
import type { KeyValueArea } from './storage.js';

/**
 * The relay session this browser holds: its token, who it signs in and at which relay.
 * Kept ONLY in chrome.storage.session (in memory, gone when the browser closes, out of reach
 * of content scripts), so a restarted worker resumes without the password and nothing
 * survives the browser.
 */
export interface SessionRecord {
  token: string;
  relayUrl: string;
  username: string;
  /** The user as last confirmed, so a restarted worker can paint before the relay answers. */
  user: PublicUser;
}

const SESSION_KEY = 'relaySession';

export class SessionKeeper {
  constructor(private readonly session: KeyValueArea) {}

  async load(): Promise<SessionRecord | undefined> {
    const raw = (await this.session.get(SESSION_KEY)) as Partial<SessionRecord> | undefined;
    if (!raw || typeof raw.token !== 'string' || typeof raw.relayUrl !== 'string' || typeof raw.username !== 'string') return undefined;
    const user = publicUserSchema.safeParse(raw.user);
    if (!user.success) return undefined;
    return { token: raw.token, relayUrl: raw.relayUrl, username: raw.username, user: user.data };
  }

  save(record: SessionRecord): Promise<void> {
    return this.session.set(SESSION_KEY, record);
  }

  clear(): Promise<void> {
    return this.session.remove(SESSION_KEY);
  }
}
