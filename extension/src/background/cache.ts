import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { alertKindSchema } from '../../../common/schemas/events.js';
import { accountSchema, entrySchema, publicUserSchema } from '../../../common/schemas/models.js';
import { relayKey } from './settings.js';
import type { UserView } from './state.js';

/*
 * What each person last saw (accounts, first history page, notifications, when it was synced),
 * per relay and user, in IndexedDB: the popup paints at once, and shows it marked as not live
 * when the relay cannot be reached. Data only; no token or password is ever stored here.
 */

export const CACHE_DB_NAME = 'distributed-bank-cache';
const STORE = 'views';
const VERSION = 1;

interface CachedView extends UserView {
  relayUrl: string;
  username: string;
  savedAt: string;
}

interface CacheSchema extends DBSchema {
  views: { key: [string, string]; value: CachedView };
}

const notificationSchema = z.object({
  id: z.string(),
  ts: z.string(),
  kind: z.enum(['received', 'alert']),
  alertKind: alertKindSchema.optional(),
  title: z.string(),
  body: z.string(),
  read: z.boolean(),
});

/** A cached view from an older version or a damaged record is ignored rather than shown. */
const viewSchema = z.object({
  user: publicUserSchema,
  accounts: z.array(accountSchema),
  recent: z.array(entrySchema),
  recentNext: z.string().optional(),
  notifications: z.array(notificationSchema),
  syncedAt: z.string().optional(),
});

export interface ViewCache {
  load(relayUrl: string, username: string): Promise<UserView | undefined>;
  save(relayUrl: string, view: UserView): Promise<void>;
  remove(relayUrl: string, username: string): Promise<void>;
}

export function openViewCache(dbName: string = CACHE_DB_NAME, now: () => Date = () => new Date()): ViewCache {
  let db: Promise<IDBPDatabase<CacheSchema>> | undefined;
  const open = (): Promise<IDBPDatabase<CacheSchema>> => {
    db ??= openDB<CacheSchema>(dbName, VERSION, {
      upgrade(database) {
        database.createObjectStore(STORE, { keyPath: ['relayUrl', 'username'] });
      },
      terminated() {
        db = undefined;
      },
    }).catch((err: unknown) => {
      db = undefined;
      throw err;
    });
    return db;
  };
  return {
    async load(relayUrl, username) {
      const record = await (await open()).get(STORE, [relayKey(relayUrl), username]);
      if (!record) return undefined;
      const parsed = viewSchema.safeParse(record);
      if (!parsed.success) return undefined;
      const { recentNext, syncedAt, ...rest } = parsed.data;
      return { ...rest, ...(recentNext !== undefined && { recentNext }), ...(syncedAt !== undefined && { syncedAt }) };
    },
    async save(relayUrl, view) {
      const record: CachedView = { ...view, relayUrl: relayKey(relayUrl), username: view.user.username, savedAt: now().toISOString() };
      await (await open()).put(STORE, record);
    },
    async remove(relayUrl, username) {
      await (await open()).delete(STORE, [relayKey(relayUrl), username]);
    },
  };
}

/**
 * Writes views one at a time and only the latest: a burst of state changes costs at most one
 * write in flight plus one queued.
 */
export function cacheWriter(cache: ViewCache, onError: (err: unknown) => void = () => {}) {
  let queued: { relayUrl: string; view: UserView } | undefined;
  let running: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    while (queued) {
      const job = queued;
      queued = undefined;
      try {
        await cache.save(job.relayUrl, job.view);
      } catch (err) {
        onError(err);
      }
    }
    running = undefined;
  };
  return {
    write(relayUrl: string, view: UserView): void {
      queued = { relayUrl, view };
      running ??= run();
    },
    /** Resolves when every write asked for so far is done. */
    flushed(): Promise<void> {
      return running ?? Promise.resolve();
    },
    /** Drops a queued write (e.g. the person signed out while it waited). */
    cancel(): void {
      queued = undefined;
    },
  };
}
