// The one crypto interface the protocol code is written against. Two suites
// implement it: WebCrypto (service worker) and node:crypto (relay hot path).
// Types only, apart from re-exporting ChannelError, so it loads in a browser.

export { ChannelError } from './channel-error.js';
export type { ChannelErrorReason } from './channel-error.js';

/** Directional keys from HKDF, in okm order c2s_enc | c2s_mac | s2c_enc | s2c_mac. */
export interface SessionKeys {
  c2sEnc: Uint8Array;
  c2sMac: Uint8Array;
  s2cEnc: Uint8Array;
  s2cMac: Uint8Array;
}

export type ChannelRole = 'client' | 'server';

export interface EphemeralKeyPair {
  /** Raw uncompressed P-256 point, 65 bytes. */
  publicRaw: Uint8Array;
  /** 32-byte ECDH x-coordinate; rejects on a malformed or invalid peer point. */
  deriveShared(peerPublicRaw: Uint8Array): Promise<Uint8Array>;
}

export interface IdentitySigner {
  /** SPKI DER of the long-term ECDSA P-256 identity key. */
  spki: Uint8Array;
  /** ECDSA P-256 / SHA-256, IEEE P1363 r ‖ s (64 bytes). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface FrameCipher {
  /** Encrypts and tags with the role's sending keys at the next send seq (0, 1, 2, …). */
  seal(plaintext: Uint8Array): Promise<Uint8Array>;
  /**
   * Checks length ≥ 24, seq == expected receive seq and the tag (constant
   * time), then decrypts. Throws ChannelError otherwise. The receive seq
   * advances only on success.
   */
  open(frame: Uint8Array): Promise<Uint8Array>;
  /**
   * Where the suite can (node:crypto), opens frames received together synchronously, in order:
   * the plaintexts up to the first frame that fails its checks, and that failure.
   */
  openManySync?(frames: readonly Uint8Array[]): { plaintexts: Uint8Array[]; error?: Error };
}

export interface CryptoSuite {
  readonly name: 'webcrypto' | 'node';
  randomBytes(n: number): Uint8Array;
  sha256(data: Uint8Array): Promise<Uint8Array>;
  generateEphemeral(): Promise<EphemeralKeyPair>;
  /** For known-answer tests: rejects when publicRaw does not belong to the scalar. */
  ephemeralFromPrivate(privateScalar: Uint8Array, publicRaw: Uint8Array): Promise<EphemeralKeyPair>;
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /** false (never throws) on a malformed key or signature. */
  verify(spki: Uint8Array, data: Uint8Array, sigP1363: Uint8Array): Promise<boolean>;
  createCipher(keys: SessionKeys, role: ChannelRole): FrameCipher;
}
