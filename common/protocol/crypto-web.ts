// CryptoSuite on WebCrypto only, so it runs in a Chrome MV3 service worker.
import { b64urlEncode, bytesEqual } from '../encoding.js';
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

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

// TS's DOM lib wants ArrayBuffer-backed views; ours may be typed over
// ArrayBufferLike, and a SharedArrayBuffer view must be copied anyway.
function bs(u8: Uint8Array): Uint8Array<ArrayBuffer> {
  return u8.buffer instanceof ArrayBuffer ? (u8 as Uint8Array<ArrayBuffer>) : new Uint8Array(u8);
}

const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

// The P-256 base point: ECDH(d, G) yields the x-coordinate of d·G, which lets
// ephemeralFromPrivate check a public key against its scalar with WebCrypto alone.
const P256_G = Uint8Array.from([
  0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03,
  0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe,
  0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
  0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
]);

function assertUncompressedPoint(raw: Uint8Array): void {
  // Some WebCrypto engines also accept compressed points; the wire format does not.
  if (raw.length !== 65 || raw[0] !== 0x04) throw new Error('expected a 65-byte uncompressed P-256 point');
}

function ephemeralFromKey(privateKey: CryptoKey, publicRaw: Uint8Array): EphemeralKeyPair {
  return {
    publicRaw,
    async deriveShared(peerPublicRaw) {
      assertUncompressedPoint(peerPublicRaw);
      const peer = await subtle().importKey('raw', bs(peerPublicRaw), P256, false, []);
      return new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: peer }, privateKey, 256));
    },
  };
}

function seqBytes(seq: number): Uint8Array {
  const b = new Uint8Array(SEQ_LENGTH);
  const v = new DataView(b.buffer);
  v.setUint32(0, Math.floor(seq / 0x1_0000_0000));
  v.setUint32(4, seq >>> 0);
  return b;
}

function readSeq(frame: Uint8Array): { hi: number; lo: number } {
  const v = new DataView(frame.buffer, frame.byteOffset, SEQ_LENGTH);
  return { hi: v.getUint32(0), lo: v.getUint32(4) };
}

class WebFrameCipher implements FrameCipher {
  private sendSeq = 0;
  private recvSeq = 0;
  // WebCrypto is async, so seal/open are chained: frames resolve in call
  // order and a caller that sends on resolution never reorders them.
  private sendTail: Promise<unknown> = Promise.resolve();
  private recvTail: Promise<unknown> = Promise.resolve();
  private readonly sendEnc: Promise<CryptoKey>;
  private readonly sendMac: Promise<CryptoKey>;
  private readonly recvEnc: Promise<CryptoKey>;
  private readonly recvMac: Promise<CryptoKey>;

  constructor(keys: SessionKeys, role: ChannelRole) {
    const client = role === 'client';
    this.sendEnc = importAes(client ? keys.c2sEnc : keys.s2cEnc);
    this.sendMac = importHmac(client ? keys.c2sMac : keys.s2cMac);
    this.recvEnc = importAes(client ? keys.s2cEnc : keys.c2sEnc);
    this.recvMac = importHmac(client ? keys.s2cMac : keys.c2sMac);
  }

  seal(plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.sendSeq >= Number.MAX_SAFE_INTEGER) return Promise.reject(new Error('send seq exhausted'));
    const seq = this.sendSeq++;
    const pt = plaintext.slice(); // the caller may reuse its buffer before our turn comes
    const result = this.sendTail.then(() => this.sealAt(seq, pt));
    this.sendTail = result.catch(() => undefined);
    return result;
  }

  open(frame: Uint8Array): Promise<Uint8Array> {
    const copy = frame.slice();
    const result = this.recvTail.then(() => this.openNext(copy));
    this.recvTail = result.catch(() => undefined);
    return result;
  }

  private async sealAt(seq: number, pt: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const head = seqBytes(seq);
    const ct = await subtle().encrypt(ctrParams(head), await this.sendEnc, pt);
    const out = new Uint8Array(SEQ_LENGTH + ct.byteLength + TAG_LENGTH);
    out.set(head, 0);
    out.set(new Uint8Array(ct), SEQ_LENGTH);
    const mac = await subtle().sign('HMAC', await this.sendMac, out.subarray(0, SEQ_LENGTH + ct.byteLength));
    out.set(new Uint8Array(mac, 0, TAG_LENGTH), SEQ_LENGTH + ct.byteLength);
    return out;
  }

  private async openNext(frame: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    if (frame.length < MIN_SECURE_FRAME) throw new ChannelError('SHORT_FRAME', `frame of ${frame.length} bytes`);
    const { hi, lo } = readSeq(frame);
    const expected = this.recvSeq;
    if (hi !== Math.floor(expected / 0x1_0000_0000) || lo !== expected >>> 0) {
      throw new ChannelError('BAD_SEQ', `expected seq ${expected}`);
    }
    const macEnd = frame.length - TAG_LENGTH;
    const mac = new Uint8Array(await subtle().sign('HMAC', await this.recvMac, frame.subarray(0, macEnd)));
    if (!bytesEqual(mac.subarray(0, TAG_LENGTH), frame.subarray(macEnd))) throw new ChannelError('BAD_TAG');
    const pt = await subtle().decrypt(
      ctrParams(frame.subarray(0, SEQ_LENGTH)),
      await this.recvEnc,
      frame.subarray(SEQ_LENGTH, macEnd),
    );
    this.recvSeq = expected + 1;
    return new Uint8Array(pt);
  }
}

/** Counter block = seq ‖ 0^64; only the low 64 bits count blocks within a frame. */
function ctrParams(seq: Uint8Array): AesCtrParams {
  const counter = new Uint8Array(16);
  counter.set(seq, 0);
  return { name: 'AES-CTR', counter, length: 64 };
}

function silence<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined); // surfaced when awaited; avoid an unhandled rejection meanwhile
  return p;
}

function importAes(key: Uint8Array): Promise<CryptoKey> {
  return silence(subtle().importKey('raw', bs(key), 'AES-CTR', false, ['encrypt', 'decrypt']));
}

function importHmac(key: Uint8Array): Promise<CryptoKey> {
  return silence(subtle().importKey('raw', bs(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
}

export const webCryptoSuite: CryptoSuite = {
  name: 'webcrypto',

  randomBytes(n) {
    const out = new Uint8Array(n);
    // getRandomValues refuses more than 65536 bytes per call.
    for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
    return out;
  },

  async sha256(data) {
    return new Uint8Array(await subtle().digest('SHA-256', bs(data)));
  },

  async generateEphemeral() {
    const pair = await subtle().generateKey(P256, false, ['deriveBits']);
    const publicRaw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
    return ephemeralFromKey(pair.privateKey, publicRaw);
  },

  async ephemeralFromPrivate(privateScalar, publicRaw) {
    assertUncompressedPoint(publicRaw);
    if (privateScalar.length !== 32) throw new Error('expected a 32-byte P-256 scalar');
    const jwk: JsonWebKey = {
      kty: 'EC',
      crv: 'P-256',
      d: b64urlEncode(privateScalar),
      x: b64urlEncode(publicRaw.subarray(1, 33)),
      y: b64urlEncode(publicRaw.subarray(33, 65)),
    };
    const key = await subtle().importKey('jwk', jwk, P256, false, ['deriveBits']);
    const pair = ephemeralFromKey(key, publicRaw.slice());
    // x(d·G) must be the given x; y is then fixed up to sign, and importKey checked it is on the curve.
    if (!bytesEqual(await pair.deriveShared(P256_G), publicRaw.subarray(1, 33))) {
      throw new Error('public key does not match the private scalar');
    }
    return pair;
  },

  async hkdf(ikm, salt, info, length) {
    const key = await subtle().importKey('raw', bs(ikm), 'HKDF', false, ['deriveBits']);
    const params: HkdfParams = { name: 'HKDF', hash: 'SHA-256', salt: bs(salt), info: bs(info) };
    return new Uint8Array(await subtle().deriveBits(params, key, length * 8));
  },

  async verify(spki, data, sigP1363) {
    if (sigP1363.length !== 64) return false;
    try {
      const key = await subtle().importKey('spki', bs(spki), ECDSA_P256, false, ['verify']);
      return await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, bs(sigP1363), bs(data));
    } catch {
      return false;
    }
  },

  createCipher(keys, role) {
    return new WebFrameCipher(keys, role);
  },
};

/** An IdentitySigner over a WebCrypto ECDSA P-256 private key. */
export function webIdentitySigner(privateKey: CryptoKey, spki: Uint8Array): IdentitySigner {
  return {
    spki,
    async sign(data) {
      return new Uint8Array(await subtle().sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, bs(data)));
    },
  };
}
