import { stat } from 'node:fs/promises';

/**
 * Refuses a secret file that other users can read (as ssh does with private keys): if they
 * could, the secret may already have been copied, and quietly fixing the mode would hide that.
 * `mask` is the mode bits that must be clear: 0o077 for the identity key in the relay's own
 * data directory, 0o007 for files an operator provisions (a `root:bank-relay 0640` key is fine).
 * Returns a sentence for the operator, or undefined when the file is private enough.
 */
export async function secretFileProblem(file: string, what: string, mask: 0o077 | 0o007): Promise<string | undefined> {
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & mask) === 0) return undefined;
  const who = mode & 0o007 ? 'any user on this machine' : 'its group';
  const fix = mask === 0o077 ? 'chmod 600' : 'chmod o-rwx';
  return `${what} ${file} can be read by ${who} (mode ${mode.toString(8).padStart(3, '0')}); fix it with ${fix} ${file}, and if someone else may have read it, replace it (docs/SECURITY.md, "Keys")`;
}
