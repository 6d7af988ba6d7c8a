// Byte/string helpers shared by the relay (Node) and the extension's service
// worker, so nothing here may touch Node built-ins such as Buffer.

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < B64URL.length; i++) t[B64URL.charCodeAt(i)] = i;
  return t;
})();

export function b64urlEncode(u8: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < u8.length; i += 3) {
    const n = (u8[i]! << 16) | (u8[i + 1]! << 8) | u8[i + 2]!;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = u8.length - i;
  if (rest === 1) {
    const n = u8[i]! << 16;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (u8[i]! << 16) | (u8[i + 1]! << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

function b64Value(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const v = c < 128 ? B64URL_INDEX[c]! : -1;
  if (v < 0) throw new Error(`base64url: invalid character at ${i}`);
  return v;
}

/**
 * Strict: rejects padding, characters outside the url alphabet, impossible
 * lengths and non-zero trailing bits, so every byte string has exactly one
 * accepted encoding (no malleable wire fields).
 */
export function b64urlDecode(s: string): Uint8Array {
  const rem = s.length % 4;
  if (rem === 1) throw new Error('base64url: impossible length');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < s.length; i += 4) {
    const n = (b64Value(s, i) << 18) | (b64Value(s, i + 1) << 12) | (b64Value(s, i + 2) << 6) | b64Value(s, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rem === 2) {
    const a = b64Value(s, i);
    const b = b64Value(s, i + 1);
    if (b & 15) throw new Error('base64url: non-canonical trailing bits');
    out[o++] = (a << 2) | (b >>> 4);
  } else if (rem === 3) {
    const a = b64Value(s, i);
    const b = b64Value(s, i + 1);
    const c = b64Value(s, i + 2);
    if (c & 3) throw new Error('base64url: non-canonical trailing bits');
    out[o++] = (a << 2) | (b >>> 4);
    out[o++] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}

const HEX = '0123456789abcdef';

export function hexEncode(u8: Uint8Array): string {
  let out = '';
  for (let i = 0; i < u8.length; i++) out += HEX[u8[i]! >>> 4]! + HEX[u8[i]! & 15]!;
  return out;
}

function hexNibble(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  throw new Error(`hex: invalid character at ${i}`);
}

export function hexDecode(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new Error('hex: odd length');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (hexNibble(s, 2 * i) << 4) | hexNibble(s, 2 * i + 1);
  return out;
}

const encoder = new TextEncoder();
// fatal: invalid UTF-8 must fail loudly rather than become U+FFFD; ignoreBOM:
// keep a BOM in the text so strict JSON parsing rejects it instead of it being
// silently stripped.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(u8: Uint8Array): string {
  return decoder.decode(u8);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Time depends only on the length (lengths are not treated as secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
