// bankrelay/1 handshake (PROTOCOL §2), written against CryptoSuite so the
// relay (node) and the extension (webcrypto) run the same code.
import { z } from 'zod';
import { b64urlDecode, b64urlEncode, concatBytes, hexEncode, utf8Decode, utf8Encode } from '../encoding.js';
import { KEYS_INFO, MIN_SECURE_FRAME, PROTOCOL_LABEL, PROTOCOL_VERSION } from './constants.js';
import type { CryptoSuite, EphemeralKeyPair, FrameCipher, IdentitySigner, SessionKeys } from './crypto.js';

const PUB_LENGTH = 65;
const NONCE_LENGTH = 16;
const SIG_LENGTH = 64;
const MAX_SPKI_LENGTH = 512;

function tryB64(s: string): Uint8Array | undefined {
  try {
    return b64urlDecode(s);
  } catch {
    return undefined;
  }
}

/** A base64url string whose decoded length satisfies `ok` (the parsed value stays a string). */
const b64Bytes = (ok: (b: Uint8Array) => boolean, what: string) =>
  z.string().refine((s) => {
    const b = tryB64(s);
    return b !== undefined && ok(b);
  }, `must be base64url of ${what}`);

const pubField = b64Bytes((b) => b.length === PUB_LENGTH && b[0] === 0x04, 'a 65-byte uncompressed P-256 point');
const nonceField = b64Bytes((b) => b.length === NONCE_LENGTH, '16 bytes');

export const helloSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.literal(PROTOCOL_VERSION),
  pub: pubField,
  nonce: nonceField,
});

export const welcomeSchema = z.strictObject({
  t: z.literal('welcome'),
  v: z.literal(PROTOCOL_VERSION),
  pub: pubField,
  nonce: nonceField,
  key: b64Bytes((b) => b.length > 0 && b.length <= MAX_SPKI_LENGTH, 'an SPKI DER key'),
  sig: b64Bytes((b) => b.length === SIG_LENGTH, '64 bytes'),
  hb: z.number().int().positive().max(0x7fffffff), // setTimeout's limit
  maxFrame: z.number().int().min(MIN_SECURE_FRAME).max(0xffffffff), // u32 TCP length prefix
});

export const handshakeErrorSchema = z.strictObject({
  t: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(1024).optional(),
});

export type Hello = z.infer<typeof helloSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type HandshakeErrorMessage = z.infer<typeof handshakeErrorSchema>;

export type HandshakeErrorCode =
  | 'UNSUPPORTED_VERSION'
  | 'BAD_HELLO'
  | 'BAD_WELCOME'
  | 'BAD_SIGNATURE'
  | 'FINGERPRINT_MISMATCH'
  | 'SERVER_ERROR';

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  readonly code: HandshakeErrorCode;
  /** FINGERPRINT_MISMATCH: the pinned and the presented fingerprints. */
  expectedFingerprint?: string;
  actualFingerprint?: string;
  /** SERVER_ERROR: what the server's error frame said (untrusted text). */
  serverCode?: string;
  serverMessage?: string;

  constructor(code: HandshakeErrorCode, message?: string) {
    super(message ?? code);
    this.code = code;
  }
}

export interface ClientHandshakeResult {
  cipher: FrameCipher;
  keys: SessionKeys;
  fingerprint: string;
  spki: Uint8Array;
  heartbeatMs: number;
  maxFrame: number;
}

export interface ClientFinishOptions {
  psk?: Uint8Array;
  /** Lowercase hex SHA-256 of the server's SPKI; colons and case are ignored. */
  pinnedFingerprint?: string;
}

export interface ClientHandshake {
  helloBytes: Uint8Array;
  finish(welcomeBytes: Uint8Array, opts: ClientFinishOptions): Promise<ClientHandshakeResult>;
}

export interface AcceptHelloOptions {
  psk?: Uint8Array;
  heartbeatMs: number;
  maxFrame: number;
  /** Tests only: fixed ephemeral key and nonce to reproduce the vectors. */
  ephemeral?: EphemeralKeyPair;
  nonce?: Uint8Array;
}

export interface ServerHandshakeResult {
  welcomeBytes: Uint8Array;
  cipher: FrameCipher;
  keys: SessionKeys;
}

export async function transcriptHash(
  suite: CryptoSuite,
  cpub: Uint8Array,
  cn: Uint8Array,
  spub: Uint8Array,
  sn: Uint8Array,
): Promise<Uint8Array> {
  return suite.sha256(concatBytes(utf8Encode(PROTOCOL_LABEL), cpub, cn, spub, sn));
}

export async function deriveSessionKeys(
  suite: CryptoSuite,
  shared: Uint8Array,
  psk: Uint8Array,
  th: Uint8Array,
): Promise<SessionKeys> {
  const okm = await suite.hkdf(concatBytes(shared, psk), th, utf8Encode(KEYS_INFO), 128);
  return {
    c2sEnc: okm.slice(0, 32),
    c2sMac: okm.slice(32, 64),
    s2cEnc: okm.slice(64, 96),
    s2cMac: okm.slice(96, 128),
  };
}

export async function fingerprint(suite: CryptoSuite, spki: Uint8Array): Promise<string> {
  return hexEncode(await suite.sha256(spki));
}

export function handshakeErrorBytes(code: string, message?: string): Uint8Array {
  const body: HandshakeErrorMessage = message === undefined ? { t: 'error', code } : { t: 'error', code, message };
  return utf8Encode(JSON.stringify(body));
}

/** Fatal UTF-8 + JSON.parse; undefined on either failure. */
function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const EMPTY = new Uint8Array(0);

export async function startClientHandshake(
  suite: CryptoSuite,
  fixed: { ephemeral?: EphemeralKeyPair; nonce?: Uint8Array } = {},
): Promise<ClientHandshake> {
  const ephemeral = fixed.ephemeral ?? (await suite.generateEphemeral());
  const cn = fixed.nonce ?? suite.randomBytes(NONCE_LENGTH);
  if (cn.length !== NONCE_LENGTH) throw new Error('client nonce must be 16 bytes');
  const hello: Hello = { t: 'hello', v: PROTOCOL_VERSION, pub: b64urlEncode(ephemeral.publicRaw), nonce: b64urlEncode(cn) };
  let used = false;

  async function finish(welcomeBytes: Uint8Array, opts: ClientFinishOptions): Promise<ClientHandshakeResult> {
    if (used) throw new Error('handshake already finished');
    used = true;
    const msg = parseJson(welcomeBytes);
    if (isRecord(msg) && msg.t === 'error') throw serverError(msg);
    if (isRecord(msg) && msg.t === 'welcome' && msg.v !== PROTOCOL_VERSION) {
      throw new HandshakeError('UNSUPPORTED_VERSION', `server speaks version ${String(msg.v)}`);
    }
    const parsed = welcomeSchema.safeParse(msg);
    if (!parsed.success) throw new HandshakeError('BAD_WELCOME', 'malformed welcome');
    const w = parsed.data;
    const spub = b64urlDecode(w.pub);
    const sn = b64urlDecode(w.nonce);
    const spki = b64urlDecode(w.key);
    const th = await transcriptHash(suite, ephemeral.publicRaw, cn, spub, sn);
    if (!(await suite.verify(spki, th, b64urlDecode(w.sig)))) {
      throw new HandshakeError('BAD_SIGNATURE', 'the server identity signature does not verify');
    }
    const fp = await fingerprint(suite, spki);
    if (opts.pinnedFingerprint !== undefined) {
      const pinned = opts.pinnedFingerprint.replace(/[:\s]/g, '').toLowerCase();
      if (pinned !== fp) {
        const err = new HandshakeError('FINGERPRINT_MISMATCH', `relay key ${fp} is not the pinned ${pinned}`);
        err.expectedFingerprint = pinned;
        err.actualFingerprint = fp;
        throw err;
      }
    }
    let shared: Uint8Array;
    try {
      shared = await ephemeral.deriveShared(spub);
    } catch {
      throw new HandshakeError('BAD_WELCOME', 'invalid server ephemeral key');
    }
    const keys = await deriveSessionKeys(suite, shared, opts.psk ?? EMPTY, th);
    return { cipher: suite.createCipher(keys, 'client'), keys, fingerprint: fp, spki, heartbeatMs: w.hb, maxFrame: w.maxFrame };
  }

  return { helloBytes: utf8Encode(JSON.stringify(hello)), finish };
}

function serverError(msg: Record<string, unknown>): HandshakeError {
  const parsed = handshakeErrorSchema.safeParse(msg);
  const code = parsed.success ? parsed.data.code : undefined;
  const err =
    code === 'UNSUPPORTED_VERSION'
      ? new HandshakeError('UNSUPPORTED_VERSION', 'the relay does not support bankrelay/1')
      : new HandshakeError('SERVER_ERROR', `the relay refused the handshake${code ? `: ${code}` : ''}`);
  if (parsed.success) {
    err.serverCode = parsed.data.code;
    if (parsed.data.message !== undefined) err.serverMessage = parsed.data.message;
  }
  return err;
}

export async function acceptHello(
  suite: CryptoSuite,
  identity: IdentitySigner,
  helloBytes: Uint8Array,
  opts: AcceptHelloOptions,
): Promise<ServerHandshakeResult> {
  const msg = parseJson(helloBytes);
  if (isRecord(msg) && msg.t === 'hello' && msg.v !== PROTOCOL_VERSION) {
    // JSON.stringify, not String(): a hostile `v` such as {"toString": ""} must not throw here.
    throw new HandshakeError('UNSUPPORTED_VERSION', `client speaks version ${(JSON.stringify(msg.v) ?? 'none').slice(0, 32)}; this relay speaks ${PROTOCOL_VERSION}`);
  }
  const parsed = helloSchema.safeParse(msg);
  if (!parsed.success) throw new HandshakeError('BAD_HELLO', 'malformed hello');
  const cpub = b64urlDecode(parsed.data.pub);
  const cn = b64urlDecode(parsed.data.nonce);

  const ephemeral = opts.ephemeral ?? (await suite.generateEphemeral());
  const sn = opts.nonce ?? suite.randomBytes(NONCE_LENGTH);
  if (sn.length !== NONCE_LENGTH) throw new Error('server nonce must be 16 bytes');
  let shared: Uint8Array;
  try {
    shared = await ephemeral.deriveShared(cpub);
  } catch {
    throw new HandshakeError('BAD_HELLO', 'invalid client ephemeral key');
  }
  const th = await transcriptHash(suite, cpub, cn, ephemeral.publicRaw, sn);
  const welcome: Welcome = {
    t: 'welcome',
    v: PROTOCOL_VERSION,
    pub: b64urlEncode(ephemeral.publicRaw),
    nonce: b64urlEncode(sn),
    key: b64urlEncode(identity.spki),
    sig: b64urlEncode(await identity.sign(th)),
    hb: opts.heartbeatMs,
    maxFrame: opts.maxFrame,
  };
  const keys = await deriveSessionKeys(suite, shared, opts.psk ?? EMPTY, th);
  return { welcomeBytes: utf8Encode(JSON.stringify(welcome)), cipher: suite.createCipher(keys, 'server'), keys };
}
