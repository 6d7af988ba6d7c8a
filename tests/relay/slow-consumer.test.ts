import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, connect, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { tcpTransport } from '../../relay/client/node-transports.js';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';

describe('a client that stops reading', () => {
  let t: TestRelay;
  beforeAll(async () => {
    // The busy client sends far faster than a person would: the request-rate limit is not what this tests.
    t = await startTestRelay({ maxBufferedBytes: 64 * 1024, requestRate: { perSecond: 0, burst: 1 } });
  });
  afterAll(() => t.stop());

  it('is dropped once its queue passes the bound, keeps its session, and never slows the others', async () => {
    // An admin watching every request, whose socket then stops reading.
    const pipe = await tcpTransport('127.0.0.1', t.tcpPort);
    const slow = await BankClient.connect(pipe, nodeCryptoSuite);
    const { token } = await slow.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await slow.request('admin.monitor', { on: true });
    pipe.socket.pause();

    const busy = await connect(t, 'ws');
    const before = t.relay.context.live.all.size;
    let answered = 0;
    let sent = 0;
    // Each request makes a monitor event for the stalled admin; keep going until the relay drops it.
    for (let round = 0; round < 400 && t.relay.context.live.all.size === before; round++) {
      const replies = await Promise.all(Array.from({ length: 100 }, () => busy.call('ping', {})));
      sent += replies.length;
      answered += replies.filter((r) => r.ok).length;
    }
    expect(t.relay.context.live.all.size).toBe(before - 1);
    // The busy client was answered every time.
    expect(answered).toBe(sent);
    expect((await busy.call('ping', {})).ok).toBe(true);
    // The dropped admin's session survives for auth.resume.
    const again = await connect(t, 'tcp');
    expect((await again.request('auth.resume', { token })).user.username).toBe('admin');
    busy.close();
    again.close();
    pipe.socket.destroy();
  });
});
