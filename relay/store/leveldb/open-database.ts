import { StartupError } from '../../startup/startup-error.js';
import { BankDb } from './bank-db.js';

/**
 * Opens the bank's database (moving one an earlier release wrote to the current layout; `progress`
 * hears each step), turning LevelDB's lock and permission errors into plain words.
 */
export async function openDatabase(dataDir: string, progress?: (what: string) => void): Promise<BankDb> {
  try {
    return await BankDb.open(dataDir, progress);
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(e.cause?.message ?? '')) {
      throw new StartupError(`the data directory ${dataDir} is in use by another running relay (its database is locked); stop that relay or choose another --data directory`);
    }
    if (e.code === 'EACCES' || e.cause?.code === 'EACCES' || /permission denied/i.test(`${e.message} ${e.cause?.message}`)) {
      throw new StartupError(`the data directory ${dataDir} is not writable by this user`);
    }
    throw err;
  }
}
