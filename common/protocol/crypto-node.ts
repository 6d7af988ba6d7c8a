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

export class NodeFrameCipher implements FrameCipher {
  private sendSeq = 0;
  private recvSeq = 0;
  private readonly sendEnc: KeyObject;
  private readonly sendMac: KeyObject;
  private readonly recvEnc: KeyObject;
  private readonly recvMac: KeyObject;
  // createCipheriv copies the IV, so one scratch block per cipher is enough.
  private readonly iv = Buffer.alloc(16);

  constructor(keys: SessionKeys, role: ChannelRole) {
    const client = role === 'client';
    this.sendEnc = createSecretKey(client ? keys.c2sEnc : keys.s2cEnc);
    this.sendMac = createSecretKey(client ? keys.c2sMac : keys.s2cMac);
    this.recvEnc = createSecretKey(client ? keys.s2cEnc : keys.c2sEnc);
    this.recvMac = createSecretKey(client ? keys.s2cMac : keys.c2sMac);
  }

  sealSync(plaintext: Uint8Array): Uint8Array {
    if (this.sendSeq >= Number.MAX_SAFE_INTEGER) throw new Error('send seq exhausted');
    const seq = this.sendSeq;
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(SEQ_LENGTH + n + TAG_LENGTH);
    out.writeUInt32BE(Math.floor(seq / TWO_32), 0);
    out.writeUInt32BE(seq >>> 0, 4);
    this.ctr(this.sendEnc, out).update(plaintext).copy(out, SEQ_LENGTH);
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
    if (f.readUInt32BE(0) !== Math.floor(expected / TWO_32) || f.readUInt32BE(4) !== expected >>> 0) {
      throw new ChannelError('BAD_SEQ', `expected seq ${expected}`);
    }
    const macEnd = f.length - TAG_LENGTH;
    const mac = createHmac('sha256', this.recvMac).update(f.subarray(0, macEnd)).digest();
    if (!timingSafeEqual(mac.subarray(0, TAG_LENGTH), f.subarray(macEnd))) throw new ChannelError('BAD_TAG');
    const pt = this.ctr(this.recvEnc, f, true).update(f.subarray(SEQ_LENGTH, macEnd));
    this.recvSeq = expected + 1;
    return view(pt);
  }

  async seal(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.sealSync(plaintext);
  }

  async open(frame: Uint8Array): Promise<Uint8Array> {
    return this.openSync(frame);
  }

  /** AES-256-CTR with counter block = the frame's seq ‖ 0^64 (CTR needs no final()). */
  private ctr(key: KeyObject, frame: Buffer, decrypt = false) {
    frame.copy(this.iv, 0, 0, SEQ_LENGTH);
    return decrypt ? createDecipheriv('aes-256-ctr', key, this.iv) : createCipheriv('aes-256-ctr', key, this.iv);
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
      const key = createPublicKey({ key: asBuffer(spki), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
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
