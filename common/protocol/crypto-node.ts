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

  /** Writes `input XOR keystream(seq)` into `out` at `offset`. `seqHi`/`seqLo`: the seq as two u32. */
  xor(seqHi: number, seqLo: number, input: Uint8Array, out: Buffer, offset: number): void {
    const n = input.length;
    if (n > KEYSTREAM_SCRATCH) {
      const iv = Buffer.alloc(16);
      iv.writeUInt32BE(seqHi, 0);
      iv.writeUInt32BE(seqLo, 4);
      createCipheriv('aes-256-ctr', this.key, iv).update(input).copy(out, offset);
      return;
    }
    const nBlocks = (n + 15) >>> 4;
    const blocks = counterBlocks;
    for (let b = 0; b < nBlocks; b++) {
      const o = b << 4;
      blocks.writeUInt32BE(seqHi, o);
      blocks.writeUInt32BE(seqLo, o + 4);
      blocks.writeUInt32BE(0, o + 8);
      blocks.writeUInt32BE(b, o + 12);
    }
    const ks = this.ecb.update(blocks.subarray(0, nBlocks << 4));
    for (let i = 0; i < n; i++) out[offset + i] = input[i]! ^ ks[i]!;
  }
}

/** Frames up to this size (bytes) take the reused-context path; most requests and events are far smaller. */
const KEYSTREAM_SCRATCH = 16 * 1024;
/**
 * Counter blocks are laid out here and encrypted at once. One buffer for every cipher in the
 * process: `xor` runs synchronously, so no two uses overlap, and 10,000 connections do not
 * each hold 32 KiB of scratch.
 */
const counterBlocks = Buffer.allocUnsafe(KEYSTREAM_SCRATCH);

export class NodeFrameCipher implements FrameCipher {
  private sendSeq = 0;
  private recvSeq = 0;
  private readonly sendEnc: Keystream;
  private readonly sendMac: KeyObject;
  private readonly recvEnc: Keystream;
  private readonly recvMac: KeyObject;

  constructor(keys: SessionKeys, role: ChannelRole) {
    const client = role === 'client';
    this.sendEnc = new Keystream(createSecretKey(client ? keys.c2sEnc : keys.s2cEnc));
    this.sendMac = createSecretKey(client ? keys.c2sMac : keys.s2cMac);
    this.recvEnc = new Keystream(createSecretKey(client ? keys.s2cEnc : keys.c2sEnc));
    this.recvMac = createSecretKey(client ? keys.s2cMac : keys.c2sMac);
  }

  sealSync(plaintext: Uint8Array): Uint8Array {
    if (this.sendSeq >= Number.MAX_SAFE_INTEGER) throw new Error('send seq exhausted');
    const seq = this.sendSeq;
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(SEQ_LENGTH + n + TAG_LENGTH);
    const hi = Math.floor(seq / TWO_32);
    const lo = seq >>> 0;
    out.writeUInt32BE(hi, 0);
    out.writeUInt32BE(lo, 4);
    this.sendEnc.xor(hi, lo, plaintext, out, SEQ_LENGTH);
    createHmac('sha256', this.sendMac)
      .update(out.subarray(0, SEQ_LENGTH + n))
      .digest()
      .copy(out, SEQ_LENGTH + n, 0, TAG_LENGTH);
    this.sendSeq = seq + 1;
    return view(out);
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
    const mac = createHmac('sha256', this.recvMac).update(f.subarray(0, macEnd)).digest();
    if (!timingSafeEqual(mac.subarray(0, TAG_LENGTH), f.subarray(macEnd))) throw new ChannelError('BAD_TAG');
    const pt = Buffer.allocUnsafe(macEnd - SEQ_LENGTH);
    this.recvEnc.xor(hi, lo, f.subarray(SEQ_LENGTH, macEnd), pt, 0);
    this.recvSeq = expected + 1;
    return view(pt);
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
