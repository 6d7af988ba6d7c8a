import { openLevelStore } from './open-leveldb.js';
import type { OpenedStore, StoreOpening } from './opened-store.js';

/** Opens the store the config names: LevelDB in the data directory (the default), or PostgreSQL. */
export async function openStore(opening: StoreOpening): Promise<OpenedStore> {
  return openLevelStore(opening);
}
