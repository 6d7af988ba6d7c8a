import { describe, expect, it } from 'vitest';
import { b64urlEncode, bytesEqual, utf8Decode, utf8Encode } from '../../common/encoding.js';
import { ChannelError, type CryptoSuite, type FrameCipher, type IdentitySigner } from '../../common/protocol/crypto.js';
import { webCryptoSuite, webIdentitySigner } from '../../common/protocol/crypto-web.js';
import {
  createNodeCipher,
  generateIdentityKeyPem,
  nodeCryptoSuite,
  nodeIdentityFromPem,
} from '../../common/protocol/crypto-node.js';
import {
  acceptHello,
  fingerprint,
  handshakeErrorBytes,
  HandshakeError,
  startClientHandshake,
  type ClientFinishOptions,
} from '../../common/protocol/handshake.js';

async function webIdentity(): Promise<IdentitySigner> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return webIdentitySigner(pair.privateKey, spki);
}

const identityFor = (suite: CryptoSuite) =>
  suite.name === 'node' ? Promise.resolve(nodeIdentityFromPem(generateIdentityKeyPem())) : webIdentity();

const SERVER_OPTS = { heartbeatMs: 20000, maxFrame: 1048576 };

async function handshake(
  clientSuite: CryptoSuite,
  serverSuite: CryptoSuite,
  opts: { serverPsk?: Uint8Array; client?: ClientFinishOptions; identity?: IdentitySigner } = {},
) {
  const identity = opts.identity ?? (await identityFor(serverSuite));
  const start = await startClientHandshake(clientSuite);
  const srv = await acceptHello(serverSuite, identity, start.helloBytes, { ...SERVER_OPTS, psk: opts.serverPsk });
  const cli = await start.finish(srv.welcomeBytes, opts.client ?? {});
  return { cli, srv, identity };
}

async function expectChannelError(p: Promise<unknown>, reason: ChannelError['reason']): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  expect((err as ChannelError).reason).toBe(reason);
}

async function expectHandshakeError(p: Promise<unknown>, code: HandshakeError['code']): Promise<HandshakeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HandshakeError);
  expect((err as HandshakeError).code).toBe(code);
  return err as HandshakeError;
}

function payload(i: number): Uint8Array {
  // Sizes cross the 16-byte AES block boundary and include the empty frame.
  const sizes = [0, 1, 15, 16, 17, 31, 100, 1000, 65537];
  const n = sizes[i % sizes.length]!;
  const out = new Uint8Array(n);
  for (let j = 0; j < n; j++) out[j] = (i * 31 + j) & 0xff;
  return out;
}

async function exchange(sender: FrameCipher, receiver: FrameCipher, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const pt = payload(i);
    // bytesEqual: vitest's deep equality is slow on 64 KiB arrays.
    expect(bytesEqual(await receiver.open(await sender.seal(pt)), pt)).toBe(true);
  }
}

const pairs = [
  ['webcrypto client', webCryptoSuite, 'node server', nodeCryptoSuite],
  ['node client', nodeCryptoSuite, 'webcrypto server', webCryptoSuite],
] as const;

describe.each(pairs)('%s ⇄ %s', (_c, clientSuite: CryptoSuite, _s, serverSuite: CryptoSuite) => {
  for (const psk of [undefined, utf8Encode('shared secret')]) {
    it(`handshakes and exchanges frames both ways (${psk ? 'with' : 'without'} psk)`, async () => {
      const { cli, srv, identity } = await handshake(clientSuite, serverSuite, { serverPsk: psk, client: { psk } });
      expect(cli.keys).toEqual(srv.keys);
      expect(cli.fingerprint).toBe(await fingerprint(nodeCryptoSuite, identity.spki));
      expect(cli.heartbeatMs).toBe(20000);
      expect(cli.maxFrame).toBe(1048576);
      await exchange(cli.cipher, srv.cipher, 40);
      await exchange(srv.cipher, cli.cipher, 40);
      await exchange(cli.cipher, srv.cipher, 5);
    });
  }

  it('keeps frames in call order when seals are not awaited one by one', async () => {
    const { cli, srv } = await handshake(clientSuite, serverSuite);
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => cli.cipher.seal(utf8Encode(`{"id":${i}}`))));
    for (let i = 0; i < 50; i++) expect(utf8Decode(await srv.cipher.open(sealed[i]!))).toBe(`{"id":${i}}`);
  });

  it('a psk mismatch makes the first frame fail to open', async () => {
    const { cli, srv } = await handshake(clientSuite, serverSuite, {
      serverPsk: utf8Encode('one'),
      client: { psk: utf8Encode('two') },
    });
    await expectChannelError(srv.cipher.open(await cli.cipher.seal(utf8Encode('{}'))), 'BAD_TAG');
  });

  it('rejects tampered, out-of-order, replayed and short frames without advancing', async () => {
    const { cli, srv } = await handshake(clientSuite, serverSuite);
    const f0 = await cli.cipher.seal(utf8Encode('{"n":0}'));
    const f1 = await cli.cipher.seal(utf8Encode('{"n":1}'));

    const badTag = f0.slice();
    badTag[badTag.length - 1]! ^= 1;
    await expectChannelError(srv.cipher.open(badTag), 'BAD_TAG');
    const badCt = f0.slice();
    badCt[9]! ^= 1;
    await expectChannelError(srv.cipher.open(badCt), 'BAD_TAG');
    await expectChannelError(srv.cipher.open(f1), 'BAD_SEQ'); // skips seq 0
    await expectChannelError(srv.cipher.open(f0.subarray(0, 23)), 'SHORT_FRAME');

    expect(utf8Decode(await srv.cipher.open(f0))).toBe('{"n":0}');
    await expectChannelError(srv.cipher.open(f0), 'BAD_SEQ'); // replay
    expect(utf8Decode(await srv.cipher.open(f1))).toBe('{"n":1}');
  });

  it('a pinned fingerprint must match', async () => {
    const identity = await identityFor(serverSuite);
    const fp = await fingerprint(clientSuite, identity.spki);
    const ok = await handshake(clientSuite, serverSuite, { identity, client: { pinnedFingerprint: fp.toUpperCase() } });
    expect(ok.cli.fingerprint).toBe(fp);

    const other = 'ab'.repeat(32);
    const err = await expectHandshakeError(
      handshake(clientSuite, serverSuite, { identity, client: { pinnedFingerprint: other } }),
      'FINGERPRINT_MISMATCH',
    );
    expect(err.expectedFingerprint).toBe(other);
    expect(err.actualFingerprint).toBe(fp);
  });

  it('a signature made by another key is BAD_SIGNATURE', async () => {
    const real = await identityFor(serverSuite);
    const impostor = await identityFor(serverSuite);
    const identity: IdentitySigner = { spki: real.spki, sign: (d) => impostor.sign(d) };
    await expectHandshakeError(handshake(clientSuite, serverSuite, { identity }), 'BAD_SIGNATURE');
  });

  it('the server refuses other versions and malformed hellos', async () => {
    const identity = await identityFor(serverSuite);
    const start = await startClientHandshake(clientSuite);
    const hello = JSON.parse(utf8Decode(start.helloBytes)) as Record<string, unknown>;
    const accept = (bytes: Uint8Array) => acceptHello(serverSuite, identity, bytes, SERVER_OPTS);
    const json = (o: unknown) => utf8Encode(JSON.stringify(o));

    await expectHandshakeError(accept(json({ ...hello, v: 2 })), 'UNSUPPORTED_VERSION');
    const offCurve = new Uint8Array(65);
    offCurve[0] = 4;
    const garbage: Uint8Array[] = [
      new Uint8Array([0xff, 0xfe, 0x00]),
      utf8Encode('not json'),
      utf8Encode('\ufeff' + JSON.stringify(hello)),
      json([hello]),
      json(null),
      json({ ...hello, t: 'welcome' }),
      json({ ...hello, extra: 1 }),
      json({ t: 'hello', v: 1, pub: hello.pub }),
      json({ ...hello, nonce: b64urlEncode(new Uint8Array(15)) }),
      json({ ...hello, nonce: `${hello.nonce as string}=` }),
      json({ ...hello, pub: b64urlEncode(offCurve) }),
    ];
    for (const g of garbage) await expectHandshakeError(accept(g), 'BAD_HELLO');
  });

  it('the client reports error frames and malformed welcomes', async () => {
    const identity = await identityFor(serverSuite);
    const welcomeFor = async () => {
      const start = await startClientHandshake(clientSuite);
      const srv = await acceptHello(serverSuite, identity, start.helloBytes, SERVER_OPTS);
      return { start, welcome: JSON.parse(utf8Decode(srv.welcomeBytes)) as Record<string, unknown> };
    };
    const json = (o: unknown) => utf8Encode(JSON.stringify(o));

    let { start, welcome } = await welcomeFor();
    await expectHandshakeError(start.finish(handshakeErrorBytes('UNSUPPORTED_VERSION'), {}), 'UNSUPPORTED_VERSION');
    ({ start } = await welcomeFor());
    const err = await expectHandshakeError(start.finish(handshakeErrorBytes('BUSY', 'try later'), {}), 'SERVER_ERROR');
    expect(err).toMatchObject({ serverCode: 'BUSY', serverMessage: 'try later' });
    ({ start, welcome } = await welcomeFor());
    await expectHandshakeError(start.finish(json({ ...welcome, v: 2 }), {}), 'UNSUPPORTED_VERSION');
    for (const bad of [utf8Encode('{'), json({ ...welcome, hb: 1.5 }), json({ ...welcome, extra: true })]) {
      ({ start } = await welcomeFor());
      await expectHandshakeError(start.finish(bad, {}), 'BAD_WELCOME');
    }
  });
});

describe('node cipher sync API', () => {
  it('interleaves with the async API on one sequence', async () => {
    const { srv, cli } = await handshake(webCryptoSuite, nodeCryptoSuite);
    const relay = createNodeCipher(srv.keys, 'server');
    const f0 = relay.sealSync(utf8Encode('{"a":0}'));
    const f1 = await relay.seal(utf8Encode('{"a":1}'));
    expect(utf8Decode(await cli.cipher.open(f0))).toBe('{"a":0}');
    expect(utf8Decode(await cli.cipher.open(f1))).toBe('{"a":1}');
    expect(utf8Decode(relay.openSync(await cli.cipher.seal(utf8Encode('{"b":0}'))))).toBe('{"b":0}');
    expect(() => relay.openSync(new Uint8Array(10))).toThrow(ChannelError);
  });
});

describe('node cipher keystream', () => {
  it('matches the WebCrypto suite byte for byte at every size, across the reused-context limit', async () => {
    const { srv } = await handshake(webCryptoSuite, nodeCryptoSuite);
    const node = createNodeCipher(srv.keys, 'server');
    const web = webCryptoSuite.createCipher(srv.keys, 'server');
    const nodeReader = createNodeCipher(srv.keys, 'client');
    for (const size of [0, 1, 15, 16, 17, 255, 4096, 16383, 16384, 16385, 70000]) {
      const plaintext = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);
      const sealed = node.sealSync(plaintext);
      expect(bytesEqual(sealed, await web.seal(plaintext)), `size ${size}`).toBe(true);
      expect(bytesEqual(nodeReader.openSync(sealed), plaintext), `size ${size}`).toBe(true);
    }
  });
});
