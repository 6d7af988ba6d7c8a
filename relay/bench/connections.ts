import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { wsTransport } from '../client/node-transports.js';
import type { Target } from './load.js';
import { mib, rssOf } from './process-stats.js';

export interface ConnectionsLoad {
  /** One session token per client, made beforehand (see prepareSessions). */
  tokens: string[];
  /** Clients opening at once during the ramp. */
  concurrency: number;
  /** How long the clients then sit idle, answering the relay's heartbeats. */
  idleS: number;
  /** The relay's process id, to read its memory; undefined for a relay elsewhere. */
  relayPid: number | undefined;
}

export interface ConnectionsResult {
  clients: number;
  connected: number;
  failed: Record<string, number>;
  rampS: number;
  /** Completed handshake + auth.resume per second over the ramp. */
  handshakesPerS: number;
  rssBeforeMiB: number | null;
  rssAtNMiB: number | null;
  rssAfterIdleMiB: number | null;
  /** Clients still open after the idle period, and how many of a sample answered a ping then. */
  openAfterIdle: number;
  pingSample: number;
  pingAnswered: number;
}

/** N WebSocket clients handshake and resume their sessions, then idle through heartbeats. */
export async function runConnections(target: Target, load: ConnectionsLoad): Promise<ConnectionsResult> {
  const url = `ws://${target.host}:${target.wsPort}/`;
  const rssBefore = await rssOf(load.relayPid);
  const clients: BankClient[] = [];
  const failed: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const opener = async () => {
    while (next < load.tokens.length) {
      const token = load.tokens[next++]!;
      try {
        const client = await BankClient.connect(await wsTransport(url), nodeCryptoSuite);
        clients.push(client);
        await client.request('auth.resume', { token });
      } catch (err) {
        const reason = (err as { code?: string }).code ?? (err as Error).message.slice(0, 60);
        failed[reason] = (failed[reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(load.concurrency, load.tokens.length) }, opener));
  const rampS = (performance.now() - started) / 1000;
  const connected = clients.filter((c) => !c.closed).length;
  const rssAtN = await rssOf(load.relayPid);
  await new Promise((r) => setTimeout(r, load.idleS * 1000));
  const open = clients.filter((c) => !c.closed);
  const sample = open.filter((_, i) => i % Math.max(1, Math.floor(open.length / 100)) === 0).slice(0, 100);
  const answers = await Promise.all(sample.map((c) => c.call('ping', {}).then((r) => r.ok, () => false)));
  const rssAfterIdle = await rssOf(load.relayPid);
  for (const c of clients) c.close();
  return {
    clients: load.tokens.length,
    connected,
    failed,
    rampS: Math.round(rampS * 100) / 100,
    handshakesPerS: Math.round(connected / rampS),
    rssBeforeMiB: mib(rssBefore),
    rssAtNMiB: mib(rssAtN),
    rssAfterIdleMiB: mib(rssAfterIdle),
    openAfterIdle: open.length,
    pingSample: sample.length,
    pingAnswered: answers.filter(Boolean).length,
  };
}
