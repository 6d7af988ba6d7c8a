import { StartupError } from '../../startup/startup-error.js';
import { BankDb } from './bank-db.js';

/** Opens the bank's database, turning LevelDB's lock and permission errors into plain words. */
export async function openDatabase(dataDir: string): Promise<BankDb> {
  try {
    return await BankDb.open(dataDir);
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
