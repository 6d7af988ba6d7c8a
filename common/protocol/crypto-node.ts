// CryptoSuite on node:crypto for the relay. The cipher's sync methods are the
// relay's per-frame hot path: no awaits, key objects parsed once.
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type Cipher,
  type KeyObject,
} from 'node:crypto';
import { ChannelError } from './channel-error.js';
import { HmacSha256 } from './hmac-sha256.js';
import { MIN_SECURE_FRAME, SEQ_LENGTH, TAG_LENGTH } from './constants.js';
import type {
  ChannelRole,
  CryptoSuite,
  EphemeralKeyPair,
  FrameCipher,
  IdentitySigner,
  SessionKeys,
} from './crypto.js';

/** A plain Uint8Array view (no copy), so callers never depend on Buffer semantics. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function assertUncompressedPoint(raw: Uint8Array): void {
  if (raw.length !== 65 || raw[0] !== 0x04) throw new Error('expected a 65-byte uncompressed P-256 point');
}

const TWO_32 = 0x1_0000_0000;

/**
 * AES-256-CTR with counter block seq ‖ i (i = the block's index in the frame, u64 BE), as
 * PROTOCOL §3 defines it. The keystream comes from one AES-256-ECB context per direction,
 * kept for the connection's life: encrypting the counter blocks directly is the same
 * keystream as a CTR context started at seq ‖ 0, without creating a native cipher (and
 * garbage for the collector) per frame. Frames above the scratch size use a CTR context.
 */
class Keystream {
  private readonly ecb: Cipher;

  constructor(private readonly key: KeyObject) {
    this.ecb = createCipheriv('aes-256-ecb', key, null);
    this.ecb.setAutoPadding(false);
  }

  /** Writes `input XOR keystream(seq)` into `out` at `offset`. */
  xor(seq: number, input: Uint8Array, out: Buffer, offset: number): void {
    this.xorMany([seq], [input], out, [offset]);
  }

  /**
   * The same for several frames at once (consecutive or not), into `out` at `offsets`: their
   * counter blocks are laid out together and encrypted in one call, which costs little more than
   * one frame's.
   */
  xorMany(seqs: readonly number[], inputs: readonly Uint8Array[], out: Buffer, offsets: readonly number[]): void {
    let blocksNeeded = 0;
    for (const input of inputs) blocksNeeded += (input.length + 15) >>> 4;
    if (blocksNeeded << 4 > KEYSTREAM_SCRATCH) {
      // Too large for the scratch (a big frame, or many): one at a time, each as large as it needs.
      if (inputs.length > 1) {
        for (let f = 0; f < inputs.length; f++) this.xorMany([seqs[f]!], [inputs[f]!], out, [offsets[f]!]);
        return;
      }
      const iv = Buffer.alloc(16);
      iv.writeUInt32BE(Math.floor(seqs[0]! / TWO_32), 0);
      iv.writeUInt32BE(seqs[0]! >>> 0, 4);
      createCipheriv('aes-256-ctr', this.key, iv).update(inputs[0]!).copy(out, offsets[0]!);
      return;
    }
    const blocks = counterBlocks;
    let o = 0;
    for (let f = 0; f < inputs.length; f++) {
      const n = (inputs[f]!.length + 15) >>> 4;
      const hi = Math.floor(seqs[f]! / TWO_32);
      const lo = seqs[f]! >>> 0;
      // Block b is seq (u64 BE) ‖ b (u64 BE), written byte by byte: plain stores, no call per block.
      for (let b = 0; b < n; b++, o += 16) {
        blocks[o] = hi >>> 24;
        blocks[o + 1] = hi >>> 16;
        blocks[o + 2] = hi >>> 8;
        blocks[o + 3] = hi;
        blocks[o + 4] = lo >>> 24;
        blocks[o + 5] = lo >>> 16;
        blocks[o + 6] = lo >>> 8;
        blocks[o + 7] = lo;
        blocks[o + 8] = 0;
        blocks[o + 9] = 0;
        blocks[o + 10] = 0;
        blocks[o + 11] = 0;
        blocks[o + 12] = b >>> 24;
        blocks[o + 13] = b >>> 16;
        blocks[o + 14] = b >>> 8;
        blocks[o + 15] = b;
      }
    }
    const ks = this.ecb.update(blocks.subarray(0, o));
    let k = 0;
    for (let f = 0; f < inputs.length; f++) {
      const input = inputs[f]!;
      xorInto(input, ks, k, out, offsets[f]!);
      k += ((input.length + 15) >>> 4) << 4;
    }
  }
}

/** out[offset + i] = input[i] ^ ks[k + i]: four bytes at a time when all three are aligned so, else byte by byte. */
function xorInto(input: Uint8Array, ks: Buffer, k: number, out: Buffer, offset: number): void {
  const n = input.length;
  let i = 0;
  const a = input.byteOffset;
  const b = ks.byteOffset + k;
  const c = out.byteOffset + offset;
  if (((a | b | c) & 3) === 0) {
    const words = n >>> 2;
    const x = new Uint32Array(input.buffer, a, words);
    const y = new Uint32Array(ks.buffer, b, words);
    const z = new Uint32Array(out.buffer, c, words);
    for (let w = 0; w < words; w++) z[w] = x[w]! ^ y[w]!;
    i = words << 2;
  }
  for (; i < n; i++) out[offset + i] = input[i]! ^ ks[k + i]!;
}

/** Frames up to this size (bytes) take the reused-context path; most requests and events are far smaller. */
const KEYSTREAM_SCRATCH = 16 * 1024;
/**
 * Counter blocks are laid out here and encrypted at once. One buffer for every cipher in the
 * process: `xor` runs synchronously, so no two uses overlap, and 10,000 connections do not
 * each hold 32 KiB of scratch.
 */
const counterBlocks = Buffer.allocUnsafe(KEYSTREAM_SCRATCH);

/** MAC inputs up to this size (bytes) take the JavaScript HMAC (hmac-sha256.ts); larger ones node:crypto's. */
const JS_MAC_MAX = 512;

/** One direction's MAC key, in both forms. */
class MacKey {
  private readonly native: KeyObject;
  private readonly js: HmacSha256;

  constructor(raw: Uint8Array) {
    this.native = createSecretKey(raw);
    this.js = new HmacSha256(raw);
  }

  /** Writes the frame's tag (HMAC-SHA256 of `data`, truncated) into `out` at `at`. */
  tagInto(data: Buffer, out: Buffer, at: number): void {
    if (data.length <= JS_MAC_MAX) this.js.macInto(data, out, at, TAG_LENGTH);
    else createHmac('sha256', this.native).update(data).digest().copy(out, at, 0, TAG_LENGTH);
  }
}

const tagScratch = Buffer.allocUnsafe(TAG_LENGTH);

export class NodeFrameCipher implements FrameCipher {
  private sendSeq = 0;
  private recvSeq = 0;
  private readonly sendEnc: Keystream;
  private readonly sendMac: MacKey;
  private readonly recvEnc: Keystream;
  private readonly recvMac: MacKey;

  constructor(keys: SessionKeys, role: ChannelRole) {
    const client = role === 'client';
    this.sendEnc = new Keystream(createSecretKey(client ? keys.c2sEnc : keys.s2cEnc));
    this.sendMac = new MacKey(client ? keys.c2sMac : keys.s2cMac);
    this.recvEnc = new Keystream(createSecretKey(client ? keys.s2cEnc : keys.c2sEnc));
    this.recvMac = new MacKey(client ? keys.s2cMac : keys.c2sMac);
  }

  sealSync(plaintext: Uint8Array): Uint8Array {
    const { packed, frames } = this.sealPackedSync([plaintext], 0);
    return view(packed.subarray(frames[0]!.at, frames[0]!.at + frames[0]!.length));
  }

  /**
   * Seals several frames in order (seqs run on), with one keystream call for all of them, into
   * one buffer: each frame `headroom` bytes after the end of the one before (room for a
   * transport's own header, e.g. TCP's length), so they can be written out at once.
   */
  sealPackedSync(plaintexts: readonly Uint8Array[], headroom: number): { packed: Buffer; frames: { at: number; length: number }[] } {
    const first = this.sendSeq;
    if (first + plaintexts.length > Number.MAX_SAFE_INTEGER) throw new Error('send seq exhausted');
    let total = 0;
    for (const p of plaintexts) total += headroom + SEQ_LENGTH + p.length + TAG_LENGTH;
    const packed = Buffer.allocUnsafe(total);
    const seqs: number[] = [];
    const frames: { at: number; length: number }[] = [];
    const bodies: number[] = [];
    let cursor = 0;
    for (let i = 0; i < plaintexts.length; i++) {
      const at = cursor + headroom;
      const seq = first + i;
      packed.writeUInt32BE(Math.floor(seq / TWO_32), at);
      packed.writeUInt32BE(seq >>> 0, at + 4);
      const length = SEQ_LENGTH + plaintexts[i]!.length + TAG_LENGTH;
      seqs.push(seq);
      frames.push({ at, length });
      bodies.push(at + SEQ_LENGTH);
      cursor = at + length;
    }
    this.sendEnc.xorMany(seqs, plaintexts, packed, bodies);
    for (const { at, length } of frames) {
      const macEnd = at + length - TAG_LENGTH;
      this.sendMac.tagInto(packed.subarray(at, macEnd), packed, macEnd);
    }
    this.sendSeq = first + plaintexts.length;
    return { packed, frames };
  }

  openSync(frame: Uint8Array): Uint8Array {
    if (frame.length < MIN_SECURE_FRAME) throw new ChannelError('SHORT_FRAME', `frame of ${frame.length} bytes`);
    const f = asBuffer(frame);
    const expected = this.recvSeq;
    const hi = Math.floor(expected / TWO_32);
    const lo = expected >>> 0;
    if (f.readUInt32BE(0) !== hi || f.readUInt32BE(4) !== lo) {
      throw new ChannelError('BAD_SEQ', `expected seq ${expected}`);
    }
    const macEnd = f.length - TAG_LENGTH;
    this.recvMac.tagInto(f.subarray(0, macEnd), tagScratch, 0);
    if (!timingSafeEqual(tagScratch, f.subarray(macEnd))) throw new ChannelError('BAD_TAG');
    const pt = Buffer.allocUnsafe(macEnd - SEQ_LENGTH);
    this.recvEnc.xor(expected, f.subarray(SEQ_LENGTH, macEnd), pt, 0);
    this.recvSeq = expected + 1;
    return view(pt);
  }

  /**
   * Opens several frames received together, in order, with one keystream call for all: the
   * plaintexts of the frames up to the first that fails its checks, and that failure (the rest
   * is not looked at: the channel is broken there).
   */
  openManySync(frames: readonly Uint8Array[]): { plaintexts: Uint8Array[]; error?: ChannelError } {
    const seqs: number[] = [];
    const bodies: Buffer[] = [];
    let error: ChannelError | undefined;
    for (const frame of frames) {
      const expected = this.recvSeq + seqs.length;
      if (frame.length < MIN_SECURE_FRAME) {
        error = new ChannelError('SHORT_FRAME', `frame of ${frame.length} bytes`);
        break;
      }
      const f = asBuffer(frame);
      if (f.readUInt32BE(0) !== Math.floor(expected / TWO_32) || f.readUInt32BE(4) !== expected >>> 0) {
        error = new ChannelError('BAD_SEQ', `expected seq ${expected}`);
        break;
      }
      const macEnd = f.length - TAG_LENGTH;
      this.recvMac.tagInto(f.subarray(0, macEnd), tagScratch, 0);
      if (!timingSafeEqual(tagScratch, f.subarray(macEnd))) {
        error = new ChannelError('BAD_TAG');
        break;
      }
      seqs.push(expected);
      bodies.push(f.subarray(SEQ_LENGTH, macEnd));
    }
    let total = 0;
    const offsets = bodies.map((b) => {
      const at = total;
      total += b.length;
      return at;
    });
    const out = Buffer.allocUnsafe(total);
    if (bodies.length > 0) this.recvEnc.xorMany(seqs, bodies, out, offsets);
    this.recvSeq += bodies.length;
    return { plaintexts: bodies.map((b, i) => view(out.subarray(offsets[i]!, offsets[i]! + b.length))), ...(error && { error }) };
  }

  async seal(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.sealSync(plaintext);
  }

  async open(frame: Uint8Array): Promise<Uint8Array> {
    return this.openSync(frame);
  }
}

export function createNodeCipher(keys: SessionKeys, role: ChannelRole): NodeFrameCipher {
  return new NodeFrameCipher(keys, role);
}

function ephemeralFromEcdh(ecdh: ReturnType<typeof createECDH>): EphemeralKeyPair {
  return {
    publicRaw: view(ecdh.getPublicKey()),
    async deriveShared(peerPublicRaw) {
      assertUncompressedPoint(peerPublicRaw);
      return view(ecdh.computeSecret(peerPublicRaw)); // throws on a point not on the curve
    },
  };
}

/**
 * Parsed relay identity keys, by their SPKI bytes: a client verifies the same relay's key at
 * every handshake, and parsing the DER costs more than the signature check. Public keys only.
 */
const publicKeys = new Map<string, KeyObject | null>();
const PUBLIC_KEY_CACHE = 64;

/** The P-256 key in `spki`, or null when it is something else; throws on malformed DER. */
function p256PublicKey(spki: Uint8Array): KeyObject | null {
  const id = asBuffer(spki).toString('base64');
  let key = publicKeys.get(id);
  if (key === undefined) {
    const parsed = createPublicKey({ key: asBuffer(spki), format: 'der', type: 'spki' });
    key = parsed.asymmetricKeyType === 'ec' && parsed.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? parsed : null;
    if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(id, key);
  }
  return key;
}

export interface NodeCryptoSuite extends CryptoSuite {
  readonly name: 'node';
  createCipher(keys: SessionKeys, role: ChannelRole): NodeFrameCipher;
}

export const nodeCryptoSuite: NodeCryptoSuite = {
  name: 'node',

  randomBytes(n) {
    return view(randomBytes(n));
  },

  async sha256(data) {
    return view(createHash('sha256').update(data).digest());
  },

  async generateEphemeral() {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return ephemeralFromEcdh(ecdh);
  },

  async ephemeralFromPrivate(privateScalar, publicRaw) {
    assertUncompressedPoint(publicRaw);
    if (privateScalar.length !== 32) throw new Error('expected a 32-byte P-256 scalar');
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateScalar);
    const pair = ephemeralFromEcdh(ecdh);
    if (!timingSafeEqual(pair.publicRaw, publicRaw)) throw new Error('public key does not match the private scalar');
    return pair;
  },

  async hkdf(ikm, salt, info, length) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  },

  async verify(spki, data, sigP1363) {
    if (sigP1363.length !== 64) return false;
    try {
      const key = p256PublicKey(spki);
      if (!key) return false;
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sigP1363);
    } catch {
      return false;
    }
  },

  createCipher: createNodeCipher,
};

/** PKCS#8 PEM of a fresh ECDSA P-256 identity key (the relay stores it mode 0600). */
export function generateIdentityKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function nodeIdentityFromPem(pem: string): IdentitySigner {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('identity key must be ECDSA P-256');
  }
  const spki = view(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  return {
    spki,
    async sign(data) {
      return view(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
    },
  };
}
