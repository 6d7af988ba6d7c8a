import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandshakeError } from '../../common/protocol/handshake.js';
import { connect, startTestRelay, type TestRelay, type TransportKind } from '../helpers/relay.js';

const PSK = new TextEncoder().encode('a pre-shared key for tests');

describe.each<TransportKind>(['tcp', 'ws'])('the secure channel with the real relay over %s', (kind) => {
  let plain: TestRelay;
  let withPsk: TestRelay;
  beforeAll(async () => {
    plain = await startTestRelay();
    withPsk = await startTestRelay({ psk: PSK });
  });
  afterAll(async () => {
    await plain.stop();
    await withPsk.stop();
  });

  it.each(['node', 'web'] as const)('a %s-crypto client handshakes, checks the signature and pins the key', async (suite) => {
    const c = await connect(plain, kind, { suite, pinnedFingerprint: plain.relay.fingerprint });
    expect(c.handshake.fingerprint).toBe(plain.relay.fingerprint);
    expect(c.handshake.heartbeatMs).toBe(plain.relay.context.config.heartbeatMs);
    expect(c.handshake.maxFrame).toBe(plain.relay.context.config.maxFrame);
    for (let i = 0; i < 20; i++) expect((await c.call('ping', {})).ok).toBe(true);
    c.close();
  });

  it('refuses a relay whose key is not the pinned one', async () => {
    const err = await connect(plain, kind, { pinnedFingerprint: withPsk.relay.fingerprint }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).code).toBe('FINGERPRINT_MISMATCH');
  });

  it('works with the same psk on both ends, and fails closed with a different one', async () => {
    const good = await connect(withPsk, kind, { psk: PSK, suite: 'web' });
    expect((await good.call('ping', {})).ok).toBe(true);
    good.close();
    const wrong = await connect(withPsk, kind, { psk: new TextEncoder().encode('another key') });
    const r = await wrong.call('ping', {});
    expect(r.ok).toBe(false);
    await wrong.closedPromise();
    const none = await connect(withPsk, kind);
    expect((await none.call('ping', {})).ok).toBe(false);
    await none.closedPromise();
    const again = await connect(withPsk, kind, { psk: PSK });
    expect((await again.call('ping', {})).ok).toBe(true);
    again.close();
  });

  it('answers pipelined requests, each by its id', async () => {
    const c = await connect(plain, kind);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call(i % 2 ? 'ping' : 'no.such', {})));
    results.forEach((r, i) => expect(r.ok).toBe(i % 2 === 1));
    c.close();
  });
});
