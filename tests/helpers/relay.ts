import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Relay } from '../../relay/server.js';
import { BankDb } from '../../relay/store/leveldb/bank-db.js';
import type { RelayConfigInput } from '../../relay/config.js';
import { silentLogger, type Logger } from '../../relay/log.js';
import { BankClient, type ClientOptions } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { webCryptoSuite } from '../../common/protocol/crypto-web.js';
import { tcpTransport, wsTransport } from '../../relay/client/node-transports.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export async function tempDir(prefix = 'bank-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface TestRelay {
  relay: Relay;
  dataDir: string;
  tcpPort: number;
  wsPort: number;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * A real relay on loopback with ephemeral ports and a fresh LevelDB in a temp directory.
 * scrypt runs at a lower (still real) cost so suites with many sign-ins stay quick.
 */
export async function startTestRelay(config: RelayConfigInput = {}, opts: { log?: Logger; keepData?: boolean; clock?: () => number } = {}): Promise<TestRelay> {
  const dataDir = config.dataDir ?? (await tempDir());
  const relay = await Relay.start(
    { tcpPort: 0, wsPort: 0, scryptLog2N: 12, logLevel: 'silent', ...config, dataDir },
    { log: opts.log ?? silentLogger, adminPassword: ADMIN_PASSWORD, ...(opts.clock && { clock: opts.clock }) },
  );
  const tcpPort = relay.tcpAddress.port;
  const wsPort = relay.wsAddress.port;
  return {
    relay,
    dataDir,
    tcpPort,
    wsPort,
    wsUrl: `ws://127.0.0.1:${wsPort}/`,
    async stop() {
      await relay.close();
      if (!opts.keepData && config.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The relay's LevelDB, for tests that look under the storage seam of the embedded store. */
export function levelDbOf(t: TestRelay): BankDb {
  const bank = t.relay.context.bank;
  if (!(bank instanceof BankDb)) throw new Error('this test needs a relay on the embedded LevelDB store');
  return bank;
}

export type TransportKind = 'tcp' | 'ws';

export interface ConnectOptions extends ClientOptions {
  origin?: string;
  /** The crypto suite the client uses: the relay always uses node:crypto. */
  suite?: 'node' | 'web';
  /** TCP only: connect from this loopback address (127.0.0.2, say) to be another network address. */
  from?: string;
}

export async function connect(t: TestRelay, kind: TransportKind, opts: ConnectOptions = {}): Promise<BankClient> {
  const transport = kind === 'tcp' ? await tcpTransport('127.0.0.1', t.tcpPort, undefined, undefined, opts.from) : await wsTransport(t.wsUrl, opts.origin ? { origin: opts.origin } : {});
  return BankClient.connect(transport, opts.suite === 'web' ? webCryptoSuite : nodeCryptoSuite, opts);
}

export async function loginAs(t: TestRelay, kind: TransportKind, username: string, password: string): Promise<{ client: BankClient; token: string }> {
  const client = await connect(t, kind);
  const result = await client.request('auth.login', { username, password });
  return { client, token: result.token };
}

/** Creates an active user directly through the relay's store (as `bank-relay user add` does). */
export async function addUser(t: TestRelay, username: string, password: string, role: 'user' | 'admin' = 'user', displayName = username): Promise<void> {
  await t.relay.context.users.create({ username, password, displayName, role, status: 'active' }, { actor: 'operator', role: 'system' }, 'user.add');
}
