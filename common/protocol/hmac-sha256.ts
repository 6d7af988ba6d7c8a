/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) in plain JavaScript, for the secure channel's small
 * frames. The key's inner and outer pads are hashed once, when the channel is made; a frame's
 * MAC then costs only the blocks of the frame itself and one more, with no native object made
 * per frame. For the frames most traffic is made of (a few hundred bytes) that is about twice as
 * fast as node:crypto's createHmac, whose fixed cost per call dominates at that size; larger
 * frames go to node:crypto (crypto-node.ts). Checked against node:crypto for every length up to
 * several blocks (tests/common/hmac-sha256.test.ts).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;

/** The message schedule, shared: every call runs to completion synchronously. */
const W = new Int32Array(64);
/** The last one or two blocks of a message (its tail, 0x80, zeros, the length), shared likewise. */
const TAIL = new Uint8Array(2 * BLOCK);
const INNER = new Uint8Array(32);
const STATE = new Int32Array(8);

/** One SHA-256 compression of `b[o .. o+64)` into `h`. */
function compress(h: Int32Array, b: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++) W[i] = (b[o + 4 * i]! << 24) | (b[o + 4 * i + 1]! << 16) | (b[o + 4 * i + 2]! << 8) | b[o + 4 * i + 3]!;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b1 = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b1;
    b1 = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b1) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** Hashes `m` into `h` (which has already absorbed `before` bytes, a whole number of blocks) and pads. */
function absorb(h: Int32Array, m: Uint8Array, before: number): void {
  const n = m.length;
  let o = 0;
  for (; o + BLOCK <= n; o += BLOCK) compress(h, m, o);
  const rest = n - o;
  const end = rest + 9 <= BLOCK ? BLOCK : 2 * BLOCK;
  TAIL.fill(0, 0, end);
  TAIL.set(m.subarray(o), 0);
  TAIL[rest] = 0x80;
  const bits = (before + n) * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  TAIL[end - 8] = high >>> 24;
  TAIL[end - 7] = high >>> 16;
  TAIL[end - 6] = high >>> 8;
  TAIL[end - 5] = high;
  TAIL[end - 4] = bits >>> 24;
  TAIL[end - 3] = bits >>> 16;
  TAIL[end - 2] = bits >>> 8;
  TAIL[end - 1] = bits;
  compress(h, TAIL, 0);
  if (end === 2 * BLOCK) compress(h, TAIL, BLOCK);
}

function writeState(h: Int32Array, out: Uint8Array, at: number, words: number): void {
  for (let i = 0; i < words; i++) {
    const v = h[i]!;
    out[at + 4 * i] = v >>> 24;
    out[at + 4 * i + 1] = v >>> 16;
    out[at + 4 * i + 2] = v >>> 8;
    out[at + 4 * i + 3] = v;
  }
}

/** HMAC-SHA256 under one key (at most 64 bytes: the channel's keys are 32). */
export class HmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    if (key.length > BLOCK) throw new RangeError('HmacSha256: keys longer than a block are not supported');
    const pad = new Uint8Array(BLOCK);
    this.inner = IV.slice();
    for (let i = 0; i < BLOCK; i++) pad[i] = 0x36 ^ (key[i] ?? 0);
    compress(this.inner, pad, 0);
    this.outer = IV.slice();
    for (let i = 0; i < BLOCK; i++) pad[i] = 0x5c ^ (key[i] ?? 0);
    compress(this.outer, pad, 0);
  }

  /** Writes the first `length` bytes (a multiple of 4, at most 32) of HMAC(key, data) into `out` at `at`. */
  macInto(data: Uint8Array, out: Uint8Array, at: number, length = 32): void {
    STATE.set(this.inner);
    absorb(STATE, data, BLOCK);
    writeState(STATE, INNER, 0, 8);
    STATE.set(this.outer);
    absorb(STATE, INNER, BLOCK);
    writeState(STATE, out, at, length >>> 2);
  }

  mac(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(32);
    this.macInto(data, out, 0);
    return out;
  }
}
