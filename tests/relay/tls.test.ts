import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Relay } from '../../relay/server.js';
import { StartupError } from '../../relay/startup/startup-error.js';
import { silentLogger } from '../../relay/log.js';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport, wsTransport } from '../../relay/client/node-transports.js';
import { ADMIN_PASSWORD, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';
import { killStrays, startRelayProcess, tempRoot } from '../helpers/cli.js';
import { selfSignedCert, type TestCert } from '../helpers/tls-cert.js';
import { rm } from 'node:fs/promises';

let dir: string;
let cert: TestCert;
let other: TestCert;
let t: TestRelay;

beforeAll(async () => {
  dir = await tempDir('bank-tls-');
  cert = await selfSignedCert(dir);
  other = await selfSignedCert(dir, 'other');
  t = await startTestRelay({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
});
afterAll(async () => {
  killStrays();
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function loginAndPing(client: BankClient): Promise<void> {
  const login = await client.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
  expect(login.user).toMatchObject({ username: 'admin', role: 'admin' });
  const pong = await client.request('ping', {});
  expect(typeof pong.ts).toBe('string');
}

describe('TLS on both ports (--tls-cert/--tls-key)', () => {
  it('a BankClient over TLS-TCP signs in and pings; the bankrelay/1 handshake runs inside TLS unchanged', async () => {
    const transport = await tcpTransport('127.0.0.1', t.tcpPort, undefined, { ca: cert.cert });
    const client = await BankClient.connect(transport, nodeCryptoSuite);
    expect(client.handshake.fingerprint).toBe(t.relay.fingerprint);
    await loginAndPing(client);
    client.close();
  });

  it('a BankClient over wss:// signs in and pings', async () => {
    const client = await BankClient.connect(await wsTransport(`wss://127.0.0.1:${t.wsPort}/`, { ca: cert.cert }), nodeCryptoSuite);
    await loginAndPing(client);
    client.close();
  });

  it('GET /healthz is served over HTTPS', async () => {
    const https = await import('node:https');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      https.get(`https://127.0.0.1:${t.wsPort}/healthz`, { ca: cert.cert }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('a client that does not trust the certificate is refused by its own TLS check', async () => {
    await expect(tcpTransport('127.0.0.1', t.tcpPort, undefined, { ca: other.cert })).rejects.toThrow(/certificate|self.signed/i);
    await expect(wsTransport(`wss://127.0.0.1:${t.wsPort}/`)).rejects.toThrow(/certificate|self.signed/i);
  });

  it('a plain TCP client against the TLS port is dropped promptly, and the relay keeps serving', async () => {
    // Plain bankrelay/1 framing into the TLS port: the TLS layer rejects it and closes the socket.
    const plain = await tcpTransport('127.0.0.1', t.tcpPort);
    await expect(BankClient.connect(plain, nodeCryptoSuite, { timeoutMs: 5000 })).rejects.toThrow(/closed/);

    // Raw bytes too, as a port scanner would send.
    const closed = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: t.tcpPort }, () => s.write('GET / HTTP/1.0\r\n\r\n'));
      s.on('error', () => undefined);
      s.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    expect(closed).toBe(true);

    // ws:// (no TLS) against the wss:// port fails too.
    await expect(wsTransport(`ws://127.0.0.1:${t.wsPort}/`)).rejects.toThrow();

    // Nothing reached the relay's sessions, and a proper client still gets in.
    expect(t.relay.context.live.all.size).toBe(0);
    const client = await BankClient.connect(await tcpTransport('127.0.0.1', t.tcpPort, undefined, { ca: cert.cert }), nodeCryptoSuite);
    await loginAndPing(client);
    client.close();
  });

  it('close() is not held up by a socket stuck before its TLS handshake', async () => {
    const r = await startTestRelay({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
    const stuck = net.connect({ host: '127.0.0.1', port: r.tcpPort });
    const stuckWs = net.connect({ host: '127.0.0.1', port: r.wsPort });
    stuck.on('error', () => undefined);
    stuckWs.on('error', () => undefined);
    await Promise.all([new Promise((res) => stuck.once('connect', res)), new Promise((res) => stuckWs.once('connect', res))]);
    const started = Date.now();
    await r.stop();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('TLS configuration errors', () => {
  it('refuses a certificate without a key, or a key without a certificate', async () => {
    const dataDir = await tempDir();
    await expect(Relay.start({ dataDir, tcpPort: 0, wsPort: 0, tlsCert: cert.certFile }, { log: silentLogger })).rejects.toThrow(StartupError);
    await expect(Relay.start({ dataDir, tcpPort: 0, wsPort: 0, tlsCert: cert.certFile }, { log: silentLogger })).rejects.toThrow(/--tls-key \(tlsKey\) is missing/);
    await expect(Relay.start({ dataDir, tcpPort: 0, wsPort: 0, tlsKey: cert.keyFile }, { log: silentLogger })).rejects.toThrow(/--tls-cert \(tlsCert\) is missing/);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a key that does not belong to the certificate, and a missing file', async () => {
    const dataDir = await tempDir();
    await expect(Relay.start({ dataDir, tcpPort: 0, wsPort: 0, tlsCert: cert.certFile, tlsKey: other.keyFile }, { log: silentLogger })).rejects.toThrow(/cannot be used together/);
    await expect(Relay.start({ dataDir, tcpPort: 0, wsPort: 0, tlsCert: `${dir}/nope.crt`, tlsKey: cert.keyFile }, { log: silentLogger })).rejects.toThrow(/cannot read the TLS certificate/);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('bank-relay start with TLS', { timeout: 90_000 }, () => {
  it('prints wss://; a TLS client connects to the process', async () => {
    const tmp = await tempRoot();
    try {
      const r = await startRelayProcess(['--data', tmp.path('data'), '--tcp-port', '0', '--ws-port', '0', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile], {
        BANK_RELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      });
      expect(r.listening.ws).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
      const client = await BankClient.connect(await tcpTransport('127.0.0.1', r.tcpPort, undefined, { ca: cert.cert }), nodeCryptoSuite);
      await loginAndPing(client);
      client.close();
      expect(await r.stop('SIGTERM')).toBe(0);
    } finally {
      await tmp.remove();
    }
  });

  it('exits 1 with one clear line when only --tls-cert is given', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const tmp = await tempRoot();
    try {
      const res = await runCli(['start', '--data', tmp.path('data'), '--tcp-port', '0', '--ws-port', '0', '--tls-cert', cert.certFile]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^bank-relay: TLS needs both a certificate and its key: --tls-key \(tlsKey\) is missing\n$/);
    } finally {
      await tmp.remove();
    }
  });
});
