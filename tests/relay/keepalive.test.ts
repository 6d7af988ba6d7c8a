import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, startTestRelay, type TestRelay } from '../helpers/relay.js';

describe('BankClient keep-alive over TCP', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ heartbeatMs: 200 });
  });
  afterAll(() => t.stop());

  it('keeps an idle connection open by pinging; without it the relay drops the silent socket', async () => {
    const kept = await connect(t, 'tcp', { keepAliveMs: 100 });
    const silent = await connect(t, 'tcp');
    await silent.closedPromise();
    // The silent one is gone after 2·hb; the kept one is still served.
    expect(kept.closed).toBe(false);
    expect((await kept.call('ping', {})).ok).toBe(true);
    kept.close();
  });
});
