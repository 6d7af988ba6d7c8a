import { openLevelStore } from './leveldb/open-leveldb.js';
import type { OpenedStore, StoreOpening } from './opened-store.js';
import { openPgStore } from './postgres/open-postgres.js';

/** Opens the store the config names: LevelDB in the data directory (the default), or PostgreSQL. */
export async function openStore(opening: StoreOpening): Promise<OpenedStore> {
  return opening.config.store === 'leveldb' ? openLevelStore(opening) : openPgStore(opening);
}
