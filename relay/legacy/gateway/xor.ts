/**
 * The old Qt client's "encryption" (LEGACY-PROTOCOL §1.3): every request XOR-ed with one fixed,
 * public, 17-byte key, the key offset restarting at each request's first byte. It hides nothing
 * from anyone who has read this line; the gateway undoes it only to be wire-compatible.
 */
export const LEGACY_XOR_KEY = Buffer.from('secureKey12345678', 'ascii');

/** XORs `bytes` as if its first byte were at `offset` within a request (the operation is its own inverse). */
export function legacyXor(bytes: Uint8Array, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  const n = LEGACY_XOR_KEY.length;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ LEGACY_XOR_KEY[(offset + i) % n]!;
  return out;
}
