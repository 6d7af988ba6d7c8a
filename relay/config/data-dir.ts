import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../startup/startup-error.js';

/**
 * Checks the data directory before the database is opened, so a service that starts as the
 * wrong user fails with one clear line instead of a LevelDB stack:
 *
 * - missing: created with mode 0700 (its parent must be writable);
 * - not a directory: refused;
 * - owned by another uid than the relay's: refused, root included. A relay running as root
 *   on a directory that belongs to the service user would leave root-owned files behind that
 *   the service user can no longer open; a relay running as someone else would read another
 *   user's bank. Run the relay as the directory's owner, or `chown -R` it;
 * - not writable and searchable by this user: refused.
 *
 * With `create: false` (used by `config check`) a missing directory is only checked for a writable parent.
 */
export async function checkDataDir(dir: string, opts: { create?: boolean } = {}): Promise<void> {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StartupError(`cannot use the data directory ${dir}: ${(err as Error).message}`);
    if (opts.create === false) {
      const parent = path.dirname(path.resolve(dir));
      try {
        await access(parent, constants.W_OK | constants.X_OK);
      } catch {
        throw new StartupError(`the data directory ${dir} does not exist and its parent ${parent} is not writable by this user, so it cannot be created`);
      }
      return;
    }
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new StartupError(`cannot create the data directory ${dir}: ${(e as Error).message}`);
    }
    return;
  }
  if (!st.isDirectory()) throw new StartupError(`the data directory ${dir} is not a directory`);
  if (uid !== undefined && st.uid !== uid) {
    throw new StartupError(
      `the data directory ${dir} belongs to uid ${st.uid}, but the relay runs as uid ${uid}${uid === 0 ? ' (root)' : ''}; ` +
        `run the relay as the directory's owner, or give it to this user (chown -R ${uid} ${dir})`,
    );
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new StartupError(`the data directory ${dir} is not writable by this user (mode ${(st.mode & 0o777).toString(8)}); fix it with chmod u+rwx ${dir}`);
  }
}
