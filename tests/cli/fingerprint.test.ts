import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BankClient } from '../../common/client/bank-client.js';
import { nodeCryptoSuite } from '../../common/protocol/crypto-node.js';
import { tcpTransport } from '../../relay/client/node-transports.js';
import { EPHEMERAL, connectTcp, isShortMessage, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';

/** Generous: these spawn processes, and a busy machine must not turn slowness into failures. */
const SLOW = { timeout: 90_000 };

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let n = 0;
const freshDir = () => tmp.path(`data-${++n}`);

beforeAll(async () => {
  tmp = await tempRoot();
});
afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

describe.concurrent('bank-relay fingerprint', SLOW, () => {
  it('prints the fingerprint the relay printed and its handshake presents, while the relay runs', async ({ expect }) => {
    const dir = freshDir();
    const r = await startRelayProcess(['--data', dir, ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: 'operator chosen password' });
    const res = await runCli(['fingerprint', '--data', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [hex, grouped, ...rest] = res.stdout.split('\n');
    expect(rest).toEqual(['']);
    expect(hex).toBe(r.fingerprint);
    expect(grouped).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(grouped!.replaceAll(':', '')).toBe(hex);
    // The grouped form is what the relay logged when it made the key.
    expect(r.jsonLines().find((l) => l.msg === 'created a new identity key')).toMatchObject({ fingerprint: grouped });

    const c = await connectTcp(r);
    expect(c.handshake.fingerprint).toBe(hex);
    c.close();
    // A client pinning the printed value connects; one pinning another value does not.
    for (const pin of [hex!, grouped!]) {
      const pinned = await BankClient.connect(await tcpTransport('127.0.0.1', r.tcpPort), nodeCryptoSuite, { pinnedFingerprint: pin });
      expect((await pinned.call('ping', {})).ok).toBe(true);
      pinned.close();
    }
    const wrongPin = 'f'.repeat(64);
    await expect(BankClient.connect(await tcpTransport('127.0.0.1', r.tcpPort), nodeCryptoSuite, { pinnedFingerprint: wrongPin })).rejects.toThrow(/pinned/);

    expect(await r.stop()).toBe(0);
    // Still the same after the relay stopped.
    expect((await runCli(['fingerprint', '--data', dir])).stdout).toBe(res.stdout);
  });

  it.for([
    ['a data directory without a key', true],
    ['a data directory that does not exist', false],
  ] as const)('says clearly that there is no key for %s, and creates nothing', async ([, create], { expect }) => {
    const dir = freshDir();
    if (create) await mkdir(dir);
    const res = await runCli(['fingerprint', '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`bank-relay: no identity key at ${path.join(dir, 'identity.pem')}: start the relay once with --data ${dir} to create it\n`);
    expect(isShortMessage(res.stderr)).toBe(true);
    expect(existsSync(path.join(dir, 'identity.pem'))).toBe(false);
    expect(existsSync(dir)).toBe(create);
  });

  it('says clearly that a damaged key file is not a usable key', async ({ expect }) => {
    const dir = freshDir();
    await mkdir(dir);
    await writeFile(path.join(dir, 'identity.pem'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    const res = await runCli(['fingerprint', '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: the identity key .*identity\.pem is not a usable ECDSA P-256 private key/);
    expect(isShortMessage(res.stderr)).toBe(true);
  });
});
