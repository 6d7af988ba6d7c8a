// Hostile input against a real relay (loopback, ephemeral ports, LevelDB in a temp dir): every
// attack must end the attacker's connection (PROTOCOL §1–3), and the relay must go on serving
// everyone else.
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { b64urlEncode, utf8Encode } from '../../common/encoding.js';
import { EXTENSION_ORIGIN } from '../../common/extension-identity.js';
import { startClientHandshake } from '../../common/protocol/handshake.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import type { UserRecord } from '../../relay/auth/records.js';
import type { LogFields, Logger, LogLevel } from '../../relay/log.js';
import { connect, levelDbOf, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';
import {
  WAIT_MS,
  expectStillServing,
  openSecureRaw,
  RawConnection,
  rawUpgrade,
  relayConnFor,
  upgradeStatus,
  withTimeout,
  waitUntil,
  type CloseInfo,
} from '../helpers/raw.js';

interface LogCall {
  level: LogLevel;
  msg: string;
  fields: LogFields | undefined;
}

function capturingLogger(): Logger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => void calls.push({ level, msg, fields });
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The relay hung up; on ws, with this close code. */
function expectRelayClosed(close: CloseInfo, kind: TransportKind, wsCode: number): void {
  expect(close.byRelay).toBe(true);
  if (kind === 'ws') expect(close.code).toBe(wsCode);
}

const PROTOCOL_ERROR = 1002;
const PING = (id: number) => ({ id, op: 'ping', args: {} });

function prefix(length: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length >>> 0, 0);
  return b;
}

async function helloWith(patch: Record<string, unknown>): Promise<Uint8Array> {
  const hs = await startClientHandshake(nodeCryptoSuite);
  const hello = JSON.parse(Buffer.from(hs.helloBytes).toString('utf8')) as Record<string, unknown>;
  return utf8Encode(JSON.stringify({ ...hello, ...patch }));
}

describe.each<TransportKind>(['tcp', 'ws'])('hostile input over %s', (kind) => {
  let t: TestRelay;
  const log = capturingLogger();
  beforeAll(async () => {
    t = await startTestRelay({ maxFrame: 4096 }, { log });
  });
  afterAll(() => t.stop());

  describe('secure frames', () => {
    it.each([
      ['the first tag byte', (f: Uint8Array) => f.length - 16],
      ['the last tag byte', (f: Uint8Array) => f.length - 1],
      ['a ciphertext byte', (_f: Uint8Array) => 8],
    ])('closes on a frame with %s flipped, without answering it', async (_what, position) => {
      const s = await openSecureRaw(t, kind);
      s.send(PING(1));
      expect(await s.nextMessage()).toMatchObject({ id: 1, ok: true });
      const frame = s.seal(PING(2));
      frame[position(frame)]! ^= 0x01;
      s.raw.sendFrame(frame);
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      expect(s.raw.unread).toBe(0);
      await expectStillServing(t);
    });

    it('answers a frame once and closes when the same frame is replayed', async () => {
      const s = await openSecureRaw(t, kind);
      const frame = s.seal(PING(1));
      s.raw.sendFrame(frame);
      expect(await s.nextMessage()).toMatchObject({ id: 1, ok: true });
      s.raw.sendFrame(frame);
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      expect(s.raw.unread).toBe(0);
      await expectStillServing(t);
    });

    it('closes on a skipped seq', async () => {
      const s = await openSecureRaw(t, kind);
      s.seal(PING(1)); // seq 0, never sent
      s.raw.sendFrame(s.seal(PING(2))); // seq 1
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      expect(s.raw.unread).toBe(0);
      await expectStillServing(t);
    });

    it.each([1, 8, 23])('closes on a sealed frame cut to %i bytes', async (length) => {
      const s = await openSecureRaw(t, kind);
      s.raw.sendFrame(s.seal(PING(1)).slice(0, length));
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      expect(s.raw.unread).toBe(0);
      await expectStillServing(t);
    });

    it.each([
      ['text that is not JSON', utf8Encode('not json')],
      ['invalid UTF-8 (ff fe)', Uint8Array.of(0xff, 0xfe)],
      ['an overlong UTF-8 encoding inside a JSON string', Uint8Array.of(0x22, 0xc0, 0xaf, 0x22)],
      ['a UTF-8 encoded lone surrogate inside a JSON string', Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22)],
      ['an empty plaintext', new Uint8Array(0)],
      ['truncated JSON', utf8Encode('{"id":1,"op":"ping"')],
    ])('closes with a sealed BAD_REQUEST error on %s', async (_what, bytes) => {
      const s = await openSecureRaw(t, kind);
      s.raw.sendFrame(s.sealBytes(bytes));
      expect(await s.nextMessage()).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      await expectStillServing(t);
    });
  });

  describe('messages that are not requests', () => {
    it.each([
      ['an array', []],
      ['null', null],
      ['a string', 'ping'],
      ['a request without id', { op: 'ping' }],
      ['a negative id', { id: -1, op: 'ping' }],
      ['a fractional id', { id: 1.5, op: 'ping' }],
      ['a string id', { id: '1', op: 'ping' }],
      // The relay's explanation names the unknown keys; with multi-byte names it is far over
      // the 123 bytes a WebSocket close reason may carry.
      ['unknown multi-byte keys and no id', { ['€'.repeat(200)]: 1, ['ü'.repeat(200)]: 2 }],
    ])('closes with a sealed BAD_REQUEST error on %s (nothing to answer)', async (_what, message) => {
      const s = await openSecureRaw(t, kind);
      s.send(message);
      expect(await s.nextMessage()).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
      expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
      await expectStillServing(t);
    });

    it.each([
      ['a numeric op', { id: 5, op: 123 }, /op/],
      ['an unknown envelope key', { id: 5, op: 'ping', args: {}, extra: true }, /extra/],
      ['args that are not an object', { id: 5, op: 'ping', args: [1] }, /args/],
    ])('answers BAD_REQUEST for %s with a usable id and stays open', async (_what, message, field) => {
      const s = await openSecureRaw(t, kind);
      s.send(message);
      const r = await s.nextMessage();
      expect(r).toMatchObject({ id: 5, ok: false, error: { code: 'BAD_REQUEST' } });
      expect((r as { error: { message: string } }).error.message).toMatch(field);
      s.send(PING(6));
      expect(await s.nextMessage()).toMatchObject({ id: 6, ok: true });
      expect(s.raw.isClosed).toBe(false);
      s.raw.destroy();
      await expectStillServing(t);
    });
  });

  describe('before the handshake', () => {
    it.each([
      ['random bytes', () => Uint8Array.from([0xff, ...randomBytes(63)])],
      ['a JSON array', () => utf8Encode('[]')],
      ['a point that is not on the curve', () => helloWith({ pub: b64urlEncode(Uint8Array.from([0x04, ...new Uint8Array(64).fill(1)])) })],
      ['a compressed point', () => helloWith({ pub: b64urlEncode(Uint8Array.from([0x02, ...new Uint8Array(32).fill(7)])) })],
      ['a 64-byte key', () => helloWith({ pub: b64urlEncode(new Uint8Array(64).fill(4)) })],
      ['an 8-byte nonce', () => helloWith({ nonce: b64urlEncode(new Uint8Array(8)) })],
      ['a key that is not base64url', () => helloWith({ pub: '!!!!' })],
      ['an unknown hello field', () => helloWith({ extra: 1 })],
    ])('answers a plaintext BAD_HELLO to %s and closes', async (_what, make) => {
      const raw = await RawConnection.open(t, kind);
      raw.sendFrame(await make());
      expect(await raw.nextJson()).toMatchObject({ t: 'error', code: 'BAD_HELLO' });
      expectRelayClosed(await raw.waitClosed(), kind, PROTOCOL_ERROR);
      expect(raw.unread).toBe(0);
      await expectStillServing(t);
    });

    it('answers UNSUPPORTED_VERSION to a hello with v:2 and closes', async () => {
      const raw = await RawConnection.open(t, kind);
      raw.sendFrame(await helloWith({ v: 2 }));
      expect(await raw.nextJson()).toMatchObject({ t: 'error', code: 'UNSUPPORTED_VERSION' });
      expectRelayClosed(await raw.waitClosed(), kind, PROTOCOL_ERROR);
      await expectStillServing(t);
    });

    it('closes when a frame is pipelined behind the hello, before the welcome', async () => {
      const raw = await RawConnection.open(t, kind);
      raw.sendFrames([await helloWith({}), utf8Encode('{"id":1,"op":"ping","args":{}}')]);
      expectRelayClosed(await raw.waitClosed(), kind, PROTOCOL_ERROR);
      await expectStillServing(t);
    });
  });

  describe('a handler that throws', () => {
    it('answers INTERNAL without internals, logs the error, and keeps the connection serving', async () => {
      const broken = { nonsense: true } as unknown as UserRecord;
      await levelDbOf(t).userRecords.put('broken_user', broken);
      const c = await connect(t, kind);
      const r = await c.call('auth.login', { username: 'broken_user', password: 'any password at all' });
      expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      const message = r.ok ? '' : r.error.message;
      expect(message).not.toMatch(/\n|\bat .+:\d+:\d+/); // no stack frames
      expect(message).not.toMatch(/\.ts\b|\.js\b|node_modules|Zod/i);
      expect((await c.call('ping', {})).ok).toBe(true);
      expect(c.closed).toBe(false);

      const ref = /reference (\w+)/.exec(message)?.[1];
      const logged = log.calls.find((l) => l.level === 'error' && l.fields?.ref === ref);
      expect(ref).toBeDefined();
      expect(logged).toBeDefined();
      expect(logged!.fields).toMatchObject({ op: 'auth.login' });
      const err = logged!.fields!.err;
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).stack).toMatch(/\n\s+at /);
      // The cause stays in the log: none of the error's own text reaches the client.
      expect(message).not.toContain((err as Error).message.slice(0, 40));
      c.close();
      await expectStillServing(t);
    });
  });
});

describe.each<TransportKind>(['tcp', 'ws'])('costly messages over %s', (kind) => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(() => t.stop());

  it('closes a connection whose message before sign-in is over 4 KiB, before parsing it', async () => {
    const s = await openSecureRaw(t, kind);
    s.send({ id: 1, op: 'auth.login', args: { username: 'someone', password: 'x'.repeat(4100) } });
    expect(await s.nextMessage()).toMatchObject({ t: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/before sign-in may be at most 4096 bytes/) });
    expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
    await expectStillServing(t);
  });

  it('closes a connection whose message nests deeper than 16 levels, before parsing it', async () => {
    const s = await openSecureRaw(t, kind);
    const deep = `{"id":1,"op":"ping","args":{"x":${'['.repeat(40)}${']'.repeat(40)}}}`;
    s.raw.sendFrame(s.sealBytes(utf8Encode(deep)));
    expect(await s.nextMessage()).toMatchObject({ t: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/nest at most 16 levels/) });
    expectRelayClosed(await s.raw.waitClosed(), kind, PROTOCOL_ERROR);
    // Brackets inside strings are text, not nesting.
    const ok = await openSecureRaw(t, kind);
    ok.raw.sendFrame(ok.sealBytes(utf8Encode(`{"id":2,"op":"ping","args":{},"x\\\\":"\\"${'['.repeat(40)}"}`)));
    expect(await ok.nextMessage()).toMatchObject({ id: 2, ok: false, error: { code: 'BAD_REQUEST' } });
    ok.raw.destroy();
    await expectStillServing(t);
  });
});

describe('TCP framing', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ maxFrame: 4096 });
  });
  afterAll(() => t.stop());

  const cases = [
    ['a zero length prefix', 0, /zero-length/],
    ['a length prefix over maxFrame (0xFFFFFFF0)', 0xfffffff0, /maxFrame/],
    ['a length prefix of maxFrame + 1', 4097, /maxFrame/],
  ] as const;

  it.each(cases)('before the handshake: answers %s with a plaintext BAD_REQUEST and closes without waiting for a body', async (_what, length, text) => {
    const raw = await RawConnection.open(t, 'tcp');
    raw.sendRaw(prefix(length));
    const err = await raw.nextJson();
    expect(err).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
    expect((err as { message: string }).message).toMatch(text);
    expectRelayClosed(await raw.waitClosed(), 'tcp', PROTOCOL_ERROR);
    await expectStillServing(t);
  });

  it.each(cases)('after the handshake: answers %s with a sealed BAD_REQUEST and closes without waiting for a body', async (_what, length, text) => {
    const s = await openSecureRaw(t, 'tcp');
    s.raw.sendRaw(prefix(length));
    const err = await s.nextMessage();
    expect(err).toMatchObject({ t: 'error', code: 'BAD_REQUEST' });
    expect((err as { message: string }).message).toMatch(text);
    expectRelayClosed(await s.raw.waitClosed(), 'tcp', PROTOCOL_ERROR);
    await expectStillServing(t);
  });

  it.each([
    ['before', false],
    ['after', true],
  ])('%s the handshake: cleans up a frame whose body never arrives once the client ends its side', async (_when, secure) => {
    const raw = secure ? (await openSecureRaw(t, 'tcp')).raw : await RawConnection.open(t, 'tcp');
    const port = raw.localPort;
    raw.sendRaw(Buffer.concat([prefix(100), Buffer.alloc(10, 0x41)]));
    await waitUntil(() => relayConnFor(t, port) !== undefined, 'the relay to register the connection');
    raw.endOutput();
    const close = await raw.waitClosed();
    expect(close.byRelay).toBe(true);
    expect(raw.unread).toBe(0);
    await waitUntil(() => relayConnFor(t, port) === undefined, 'the relay to forget the connection');
    await expectStillServing(t);
  });
});

describe('WebSocket messages', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ maxFrame: 4096 });
  });
  afterAll(() => t.stop());

  const open = async (secure: boolean) => (secure ? (await openSecureRaw(t, 'ws')).raw : await RawConnection.open(t, 'ws'));

  it.each([
    ['before', false],
    ['after', true],
  ])('%s the handshake: closes with 1009 on a message larger than maxFrame', async (_when, secure) => {
    const raw = await open(secure);
    raw.sendFrame(new Uint8Array(5000));
    expectRelayClosed(await raw.waitClosed(), 'ws', 1009);
    await expectStillServing(t);
  });

  it.each([
    ['before', false],
    ['after', true],
  ])('%s the handshake: closes with 1003 on a text message', async (_when, secure) => {
    const raw = await open(secure);
    raw.sendText('{"id":1,"op":"ping","args":{}}');
    expectRelayClosed(await raw.waitClosed(), 'ws', 1003);
    await expectStillServing(t);
  });
});

describe('WebSocket upgrades and HTTP', () => {
  const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
  let open: TestRelay;
  let strict: TestRelay;
  beforeAll(async () => {
    open = await startTestRelay({ allowedOrigins: [EXTENSION] });
    strict = await startTestRelay({ allowedOrigins: [EXTENSION], requireOrigin: true });
  });
  afterAll(async () => {
    await open.stop();
    await strict.stop();
  });

  it.each(['https://evil.example', 'null', 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', `${EXTENSION}.evil.example`])(
    'refuses Origin %s with 403 before any connection exists',
    async (origin) => {
      await waitUntil(() => open.relay.context.live.all.size === 0, 'earlier connections to go');
      expect(await upgradeStatus(open, { origin })).toBe(403);
      expect(open.relay.context.live.all.size).toBe(0);
      await expectStillServing(open);
    },
  );

  it('accepts the allowed origin', async () => {
    expect(await upgradeStatus(open, { origin: EXTENSION })).toBe(101);
    const c = await connect(open, 'ws', { origin: EXTENSION });
    expect((await c.request('ping', {})).ts).toBeTypeOf('string');
    c.close();
  });

  it('accepts no Origin (a native client) unless requireOrigin is set', async () => {
    expect(await upgradeStatus(open)).toBe(101);
    expect(await upgradeStatus(strict)).toBe(403);
    expect(await upgradeStatus(strict, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(strict, { origin: EXTENSION })).toBe(101);
    const c = await connect(strict, 'ws', { origin: EXTENSION });
    expect((await c.request('ping', {})).ts).toBeTypeOf('string');
    c.close();
    await expectStillServing(strict, { origin: EXTENSION });
  });

  it.each(['/other', '/healthz', '//', '/ws'])('refuses an upgrade on path %s with 404', async (path) => {
    expect(await upgradeStatus(open, { path, origin: EXTENSION })).toBe(404);
    await expectStillServing(open);
  });

  it('answers GET /healthz with 200 JSON and status ok', async () => {
    const res = await fetch(`http://127.0.0.1:${open.wsPort}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers other plain HTTP requests with 404', async () => {
    const res = await fetch(`http://127.0.0.1:${open.wsPort}/`);
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});

describe('WebSocket origins of the Firefox build', () => {
  // Firefox gives every install its own random origin; these two stand for two installs.
  const INSTALL = 'moz-extension://0f6c2b1e-9a4d-4c3b-8e2f-5d7a1b9c3e40';
  const OTHER_INSTALL = 'moz-extension://7d41e8a2-3c5b-4f09-a6d1-2e8b9c0f4a57';
  let byDefault: TestRelay;
  let optedIn: TestRelay;
  let exact: TestRelay;
  beforeAll(async () => {
    [byDefault, optedIn, exact] = await Promise.all([
      startTestRelay(),
      startTestRelay({ allowFirefoxExtensions: true, requireOrigin: true }),
      startTestRelay({ allowedOrigins: [EXTENSION_ORIGIN, INSTALL] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([byDefault?.stop(), optedIn?.stop(), exact?.stop()]);
  });

  it('refuses a Firefox extension by default', async () => {
    expect(await upgradeStatus(byDefault, { origin: INSTALL })).toBe(403);
    expect(await upgradeStatus(byDefault, { origin: EXTENSION_ORIGIN })).toBe(101);
    await expectStillServing(byDefault);
  });

  it('accepts any Firefox extension with allowFirefoxExtensions, which then still has to do the handshake', async () => {
    for (const origin of [INSTALL, OTHER_INSTALL, EXTENSION_ORIGIN]) expect(await upgradeStatus(optedIn, { origin }), origin).toBe(101);
    const c = await connect(optedIn, 'ws', { origin: INSTALL });
    expect((await c.request('ping', {})).ts).toBeTypeOf('string');
    c.close();
  });

  it.each([
    'https://evil.example',
    'http://127.0.0.1:8080',
    'null',
    'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba',
    `${INSTALL}.evil.example`,
    `${INSTALL}:443`,
    `${INSTALL}/`,
    INSTALL.toUpperCase(),
    'moz-extension://evil.example',
    'moz-extension://',
  ])('still refuses Origin %s with allowFirefoxExtensions (web pages and look-alikes)', async (origin) => {
    await waitUntil(() => optedIn.relay.context.live.all.size === 0, 'earlier connections to go');
    expect(await upgradeStatus(optedIn, { origin })).toBe(403);
    expect(optedIn.relay.context.live.all.size).toBe(0);
  });

  it('keeps refusing clients without an Origin under requireOrigin, opted in or not', async () => {
    expect(await upgradeStatus(optedIn)).toBe(403);
  });

  it("accepts one install's exact origin listed in allowedOrigins, and only that one", async () => {
    expect(await upgradeStatus(exact, { origin: INSTALL })).toBe(101);
    expect(await upgradeStatus(exact, { origin: OTHER_INSTALL })).toBe(403);
    expect(await upgradeStatus(exact, { origin: EXTENSION_ORIGIN })).toBe(101);
    const c = await connect(exact, 'ws', { origin: INSTALL });
    expect((await c.request('ping', {})).ts).toBeTypeOf('string');
    c.close();
  });
});

describe('a refused upgrade from a client that never closes its side', () => {
  // On failure the client socket is destroyed first, so stopping the relay cannot hang the run.
  let t: TestRelay | undefined;
  let client: net.Socket | undefined;
  afterEach(async () => {
    client?.destroy();
    await t?.stop();
    t = client = undefined;
  });

  it('is dropped by the relay, which keeps serving and can still shut down', async () => {
    t = await startTestRelay({ allowedOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'] });
    const up = await rawUpgrade(t, { origin: 'https://evil.example', allowHalfOpen: true });
    client = up.socket;
    expect(up.status).toBe(403);
    await withTimeout(up.ended, WAIT_MS, 'the relay did not end its side');
    // We never send our FIN. Keep writing: once the relay has really let go of its socket,
    // the next write draws a reset and our socket closes.
    const probe = setInterval(() => up.socket.write('x'), 100);
    try {
      await withTimeout(up.closed, 3 * WAIT_MS, 'the relay kept the refused socket open');
    } finally {
      clearInterval(probe);
    }
    expect(t.relay.context.live.all.size).toBe(0);
    await expectStillServing(t);
    await withTimeout(t.stop(), 3 * WAIT_MS, 'the relay did not shut down');
  });

  it('cannot hold up shutdown', async () => {
    t = await startTestRelay({ requireOrigin: true });
    const up = await rawUpgrade(t, { allowHalfOpen: true });
    client = up.socket;
    expect(up.status).toBe(403);
    await withTimeout(t.stop(), 3 * WAIT_MS, 'the relay did not shut down');
  });
});

describe.each<TransportKind>(['tcp', 'ws'])('handshake timeout over %s', (kind) => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ handshakeTimeoutMs: 300 });
  });
  afterAll(() => t.stop());

  it('closes a connection that never says hello', async () => {
    const raw = await RawConnection.open(t, kind);
    expectRelayClosed(await raw.waitClosed(), kind, 4005);
    expect(raw.unread).toBe(0);
    await expectStillServing(t);
  });

  it('keeps a connection that finished the handshake past the deadline', async () => {
    const s = await openSecureRaw(t, kind);
    await new Promise((r) => setTimeout(r, 600));
    s.send(PING(1));
    expect(await s.nextMessage()).toMatchObject({ id: 1, ok: true });
    expect(s.raw.isClosed).toBe(false);
    s.raw.destroy();
  });
});
