import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const R = 8;
const P = 1;

/**
 * scrypt runs on libuv's thread pool (4 threads), which LevelDB's writes and reads share: a
 * burst of sign-ins would otherwise hold every thread and stall each group commit behind
 * them (seen in the bench: 64 sign-ins delayed all commits by ~2 s). At most this many
 * hashes run at once; the rest wait their turn, in order.
 */
const SCRYPT_SLOTS = 2;
let scryptRunning = 0;
const scryptWaiting: (() => void)[] = [];

async function scryptAsync(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128·N·r bytes; leave headroom above Node's 32 MiB default.
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  if (scryptRunning >= SCRYPT_SLOTS) await new Promise<void>((go) => scryptWaiting.push(go));
  else scryptRunning++;
  try {
    return await new Promise((resolve, reject) =>
      scrypt(password.normalize('NFC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    // Hand the slot straight to the next in line (the count stays), or give it back.
    const next = scryptWaiting.shift();
    if (next) next();
    else scryptRunning--;
  }
}

/** `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`: parameters travel with the hash so the cost can rise later. */
export async function hashPassword(password: string, log2N: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, log2N, R, P);
  return ['scrypt', log2N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;
/** Burns the same scrypt work as a real check, so an unknown username is not revealed by timing. */
export async function burnPasswordCheck(password: string, log2N: number): Promise<void> {
  dummyHash ??= hashPassword('not a real password', log2N);
  await verifyPassword(password, await dummyHash);
}
