import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { b64urlDecode, concatBytes, hexDecode, hexEncode, utf8Decode, utf8Encode } from '../../common/encoding.js';
import type { CryptoSuite, FrameCipher, IdentitySigner, SessionKeys } from '../../common/protocol/crypto.js';
import { webCryptoSuite, webIdentitySigner } from '../../common/protocol/crypto-web.js';
import { nodeCryptoSuite, nodeIdentityFromPem } from '../../common/protocol/crypto-node.js';
import {
  acceptHello,
  deriveSessionKeys,
  fingerprint,
  helloSchema,
  startClientHandshake,
  transcriptHash,
  welcomeSchema,
} from '../../common/protocol/handshake.js';

interface Vectors {
  client_ephemeral_private: string;
  client_pub_raw: string;
  client_nonce: string;
  server_ephemeral_private: string;
  server_pub_raw: string;
  server_nonce: string;
  server_identity_private_jwk: JsonWebKey;
  server_identity_spki: string;
  server_fingerprint_sha256: string;
  transcript_hash: string;
  sig_p1363: string;
  ecdh_shared: string;
  okm_no_psk: string;
  okm_with_psk: { psk_utf8: string; okm: string };
  keys_no_psk: { c2s_enc: string; c2s_mac: string; s2c_enc: string; s2c_mac: string };
  hello_example: Record<string, unknown>;
  welcome_example: Record<string, unknown>;
  frames: { dir: 'c2s' | 's2c'; seq: number; plaintext: string; frame: string }[];
}

const V = JSON.parse(readFileSync(new URL('../fixtures/bankrelay-1.json', import.meta.url), 'utf8')) as Vectors;
const h = hexDecode;

const keysHex = (k: SessionKeys) => ({
  c2s_enc: hexEncode(k.c2sEnc),
  c2s_mac: hexEncode(k.c2sMac),
  s2c_enc: hexEncode(k.s2cEnc),
  s2c_mac: hexEncode(k.s2cMac),
});
const vectorKeys = (): SessionKeys => ({
  c2sEnc: h(V.keys_no_psk.c2s_enc),
  c2sMac: h(V.keys_no_psk.c2s_mac),
  s2cEnc: h(V.keys_no_psk.s2c_enc),
  s2cMac: h(V.keys_no_psk.s2c_mac),
});

async function vectorIdentity(suite: CryptoSuite): Promise<IdentitySigner> {
  const spki = h(V.server_identity_spki);
  if (suite.name === 'node') {
    const pem = createPrivateKey({ key: V.server_identity_private_jwk as never, format: 'jwk' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    return nodeIdentityFromPem(pem);
  }
  const key = await crypto.subtle.importKey('jwk', V.server_identity_private_jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  return webIdentitySigner(key, spki);
}

/** Brings a cipher pair to `seq` the only public way: by sealing and opening throwaway frames. */
async function advance(sender: FrameCipher, receiver: FrameCipher, seq: number): Promise<void> {
  for (let i = 0; i < seq; i++) await receiver.open(await sender.seal(utf8Encode(`{"skip":${i}}`)));
}

describe.each([
  ['webcrypto', webCryptoSuite],
  ['node', nodeCryptoSuite],
] as const)('bankrelay-1 vectors on %s', (_name, suite: CryptoSuite) => {
  const client = () => suite.ephemeralFromPrivate(h(V.client_ephemeral_private), h(V.client_pub_raw));
  const server = () => suite.ephemeralFromPrivate(h(V.server_ephemeral_private), h(V.server_pub_raw));

  it('ephemeral public keys belong to their private scalars', async () => {
    expect(hexEncode((await client()).publicRaw)).toBe(V.client_pub_raw);
    expect(hexEncode((await server()).publicRaw)).toBe(V.server_pub_raw);
    await expect(suite.ephemeralFromPrivate(h(V.client_ephemeral_private), h(V.server_pub_raw))).rejects.toThrow();
  });

  it('transcript hash', async () => {
    const th = await transcriptHash(suite, h(V.client_pub_raw), h(V.client_nonce), h(V.server_pub_raw), h(V.server_nonce));
    expect(hexEncode(th)).toBe(V.transcript_hash);
  });

  it('ECDH shared secret, both directions', async () => {
    expect(hexEncode(await (await client()).deriveShared(h(V.server_pub_raw)))).toBe(V.ecdh_shared);
    expect(hexEncode(await (await server()).deriveShared(h(V.client_pub_raw)))).toBe(V.ecdh_shared);
  });

  it('ECDH rejects a point off the curve', async () => {
    const bad = h(V.server_pub_raw);
    bad[64]! ^= 1;
    await expect((await client()).deriveShared(bad)).rejects.toThrow();
    await expect((await client()).deriveShared(h(V.server_pub_raw).subarray(0, 33))).rejects.toThrow();
  });

  it('okm and session keys without and with a psk', async () => {
    const info = utf8Encode('bankrelay/1 keys');
    const z = h(V.ecdh_shared);
    const th = h(V.transcript_hash);
    const psk = utf8Encode(V.okm_with_psk.psk_utf8);
    expect(hexEncode(await suite.hkdf(z, th, info, 128))).toBe(V.okm_no_psk);
    expect(hexEncode(await suite.hkdf(concatBytes(z, psk), th, info, 128))).toBe(V.okm_with_psk.okm);

    const keys = await deriveSessionKeys(suite, z, new Uint8Array(0), th);
    expect(keysHex(keys)).toEqual(V.keys_no_psk);
    const withPsk = await deriveSessionKeys(suite, z, psk, th);
    const k = keysHex(withPsk);
    expect(k.c2s_enc + k.c2s_mac + k.s2c_enc + k.s2c_mac).toBe(V.okm_with_psk.okm);
  });

  it('server fingerprint', async () => {
    expect(await fingerprint(suite, h(V.server_identity_spki))).toBe(V.server_fingerprint_sha256);
  });

  it('signature verifies, and fails when any input is altered', async () => {
    const spki = h(V.server_identity_spki);
    const th = h(V.transcript_hash);
    const sig = h(V.sig_p1363);
    expect(await suite.verify(spki, th, sig)).toBe(true);
    for (const i of [0, 31, 32, 63]) {
      const flipped = sig.slice();
      flipped[i]! ^= 0x01;
      expect(await suite.verify(spki, th, flipped)).toBe(false);
    }
    const th2 = th.slice();
    th2[0]! ^= 0x80;
    expect(await suite.verify(spki, th2, sig)).toBe(false);
    // Malformed inputs give false, not an exception.
    expect(await suite.verify(spki, th, sig.subarray(0, 63))).toBe(false);
    expect(await suite.verify(spki.subarray(0, 40), th, sig)).toBe(false);
    expect(await suite.verify(new Uint8Array(0), th, sig)).toBe(false);
  });

  it('hello and welcome examples match the schemas and the vectors', () => {
    const hello = helloSchema.parse(V.hello_example);
    expect(hexEncode(b64urlDecode(hello.pub))).toBe(V.client_pub_raw);
    expect(hexEncode(b64urlDecode(hello.nonce))).toBe(V.client_nonce);

    const w = welcomeSchema.parse(V.welcome_example);
    expect(hexEncode(b64urlDecode(w.pub))).toBe(V.server_pub_raw);
    expect(hexEncode(b64urlDecode(w.nonce))).toBe(V.server_nonce);
    expect(hexEncode(b64urlDecode(w.key))).toBe(V.server_identity_spki);
    expect(hexEncode(b64urlDecode(w.sig))).toBe(V.sig_p1363);
    expect(w.hb).toBe(20000);
    expect(w.maxFrame).toBe(1048576);
  });

  it('the handshake functions reproduce the examples with fixed keys and nonces', async () => {
    const start = await startClientHandshake(suite, { ephemeral: await client(), nonce: h(V.client_nonce) });
    expect(utf8Decode(start.helloBytes)).toBe(JSON.stringify(V.hello_example));

    const identity = await vectorIdentity(suite);
    const srv = await acceptHello(suite, identity, start.helloBytes, {
      heartbeatMs: 20000,
      maxFrame: 1048576,
      ephemeral: await server(),
      nonce: h(V.server_nonce),
    });
    const welcome = JSON.parse(utf8Decode(srv.welcomeBytes)) as Record<string, unknown>;
    expect(Object.keys(welcome)).toEqual(Object.keys(V.welcome_example));
    expect({ ...welcome, sig: 'randomized' }).toEqual({ ...V.welcome_example, sig: 'randomized' });
    expect(keysHex(srv.keys)).toEqual(V.keys_no_psk);

    const res = await start.finish(utf8Encode(JSON.stringify(V.welcome_example)), {
      pinnedFingerprint: V.server_fingerprint_sha256,
    });
    expect(keysHex(res.keys)).toEqual(V.keys_no_psk);
    expect(res.fingerprint).toBe(V.server_fingerprint_sha256);
    expect(hexEncode(res.spki)).toBe(V.server_identity_spki);
    expect(res).toMatchObject({ heartbeatMs: 20000, maxFrame: 1048576 });
  });

  it.each(V.frames.map((f) => [f.dir, f.seq, f] as const))('sealed frame %s seq %i', async (dir, seq, f) => {
    const senderRole = dir === 'c2s' ? 'client' : 'server';
    const receiverRole = dir === 'c2s' ? 'server' : 'client';
    const sender = suite.createCipher(vectorKeys(), senderRole);
    const receiver = suite.createCipher(vectorKeys(), receiverRole);
    await advance(sender, receiver, seq);
    const frame = await sender.seal(utf8Encode(f.plaintext));
    expect(hexEncode(frame)).toBe(f.frame);
    expect(utf8Decode(await receiver.open(h(f.frame)))).toBe(f.plaintext);
  });
});
