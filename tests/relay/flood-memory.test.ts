import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { mib, rssOf } from '../../relay/bench/process-stats.js';
import { connectTo, EPHEMERAL, killStrays, startRelayProcess, tempRoot } from '../helpers/cli.js';

/*
 * Memory stays bounded under a connection flood. A relay process (its own RSS) gets
 * BANK_FLOOD_SOCKETS sockets (default 1,000; `npm run soak` uses more) that never finish a
 * handshake: silent ones, and slowloris ones that announce a frame (TCP) or an HTTP head (WS)
 * and stop. The per-address cap is off here, as if the flood came from many addresses. An
 * honest client is answered throughout, the handshake deadline closes every flood socket,
 * and the relay's RSS never passes a generous bound. The figures are printed under soak.
 */
const SOCKETS = Number(process.env.BANK_FLOOD_SOCKETS ?? 0) || 1000;
const RSS_BOUND = 1024 * 1024 * 1024;

function open(port: number, slowloris: 'tcp' | 'ws' | false): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => {
      if (slowloris === 'tcp') socket.write(Buffer.from([0, 0, 2, 0, 0x7b]));
      if (slowloris === 'ws') socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}


describe(`a flood of ${SOCKETS} sockets that never handshake`, () => {
  let root: Awaited<ReturnType<typeof tempRoot>> | undefined;
  afterAll(async () => {
    killStrays();
    await root?.remove();
  });

  it('keeps the relay answering an honest client, closes every flood socket, and bounds its memory', { timeout: 120_000 }, async () => {
    root = await tempRoot('bank-flood-');
    const config = root.path('relay.json');
    await writeFile(config, JSON.stringify({ maxConnectionsPerIp: 0, handshakeTimeoutMs: 3000 }));
    const relay = await startRelayProcess(['--config', config, '--data', root.path('data'), ...EPHEMERAL, '--request-log', 'off']);
    const honest = await connectTo(relay, 'ws');
    try {
      const idle = (await rssOf(relay.child.pid))!;
      const flood: Promise<void>[] = [];
      let peak = idle;
      for (let i = 0; i < SOCKETS; i++) {
        const kind = i % 4;
        const { closed } = await open(kind < 2 ? relay.tcpPort : relay.wsPort, kind === 1 ? 'tcp' : kind === 3 ? 'ws' : false);
        flood.push(closed);
        if (i % 250 === 249) {
          // The honest client is answered while the flood is building.
          expect((await honest.call('ping', {})).ok).toBe(true);
          peak = Math.max(peak, (await rssOf(relay.child.pid)) ?? 0);
        }
      }
      peak = Math.max(peak, (await rssOf(relay.child.pid)) ?? 0);
      // A second honest client can still get in and be served at the height of the flood.
      const late = await connectTo(relay, 'tcp');
      expect((await late.call('ping', {})).ok).toBe(true);
      late.close();
      await Promise.all(flood);
      const after = (await rssOf(relay.child.pid)) ?? 0;
      expect((await honest.call('ping', {})).ok).toBe(true);
      expect(peak).toBeLessThan(RSS_BOUND);
      if (process.env.BANK_FLOOD_SOCKETS) console.log(`flood of ${SOCKETS} sockets: relay RSS idle ${mib(idle)} MiB, peak ${mib(peak)} MiB, after ${mib(after)} MiB; all closed by the relay`);
    } finally {
      honest.close();
      await relay.stop('SIGTERM');
    }
  });
});
