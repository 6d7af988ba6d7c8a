import net from 'node:net';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport } from '../../relay/client/node-transports.js';
import { silentLogger } from '../../relay/log.js';
import { Relay } from '../../relay/server.js';
import { ADMIN_PASSWORD, tempDir } from '../helpers/relay.js';

/*
 * The TCP port accepts a little before the relay serves: the bootstrap administrator is still
 * being created (its password hashed at a high cost here, to widen the window). Whatever
 * arrives then is UNAVAILABLE (retryable): never a false "invalid password", and no sign-up
 * can take the administrator's name.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('a relay that is still starting', () => {
  it('answers UNAVAILABLE until the bootstrap administrator exists, then signs them in', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dataDir = await tempDir();
    const starting = Relay.start({ tcpPort: port, wsPort: 0, scryptLog2N: 17, dataDir, logLevel: 'silent' }, { log: silentLogger, adminPassword: ADMIN_PASSWORD });
    let client: BankClient | undefined;
    while (!client) {
      client = await tcpTransport('127.0.0.1', port).then(
        (transport) => BankClient.connect(transport, nodeCryptoSuite),
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 2)),
      );
    }
    const answers: string[] = [];
    for (;;) {
      const register = await client.call('auth.register', { username: 'admin', password: 'a squatter password', displayName: 'Not Admin' });
      const login = await client.call('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
      answers.push(register.ok ? 'registered' : register.error.code, login.ok ? 'ok' : login.error.code);
      if (login.ok || login.error.code !== 'UNAVAILABLE') break;
      // Paced under the connection's request allowance (50 a second), however long the start takes.
      await new Promise((r) => setTimeout(r, 50));
    }
    const relay = await starting;
    try {
      expect(answers.at(-1)).toBe('ok');
      expect(answers).toContain('UNAVAILABLE');
      // Before the sign-in worked, only UNAVAILABLE; the last sign-up came after: the name was taken.
      expect(answers.slice(0, -2).every((a) => a === 'UNAVAILABLE')).toBe(true);
      expect(['UNAVAILABLE', 'CONFLICT']).toContain(answers.at(-2));
      expect((await relay.context.users.get('admin'))?.role).toBe('admin');
    } finally {
      client.close();
      await relay.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
