import { randomUUID } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPem } from '../../common/protocol/crypto-node.js';
import { ledgerCheckpointPath } from '../../relay/store/leveldb/ledger-checkpoint.js';
import { connectTcp, EPHEMERAL, killStrays, startRelayProcess, tempRoot, type RelayProcess } from '../helpers/cli.js';

/*
 * The embedded store's two starts. After a clean stop the relay trusts its signed checkpoint
 * when the database is still what it describes, and reads no journal to check the balances;
 * after a crash (SIGKILL mid-load), or with a checkpoint that is not this relay's or not the
 * database's, it replays the whole journal. Either way nothing acknowledged is lost and every
 * retry replays.
 */
const ADMIN = 'start paths admin password';

let tmp: Awaited<ReturnType<typeof tempRoot>>;
beforeAll(async () => {
  tmp = await tempRoot('bank-start-paths-');
});
afterAll(async () => {
  killStrays();
  await tmp.remove();
});

const start = (dir: string) => startRelayProcess(['--data', dir, ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: ADMIN });
const trusted = (r: RelayProcess) => r.jsonLines().find((l) => l.msg === 'ledger loaded')?.trusted;

/** A relay's bank with two customers; answers the payer's account and the payee's. */
async function customers(r: RelayProcess): Promise<[string, string]> {
  const admin = await connectTcp(r);
  await admin.request('auth.login', { username: 'admin', password: ADMIN });
  const accounts: string[] = [];
  for (const u of ['payer', 'payee']) {
    const c = await admin.request('admin.user.create', { username: u, password: `${u} password`, displayName: u, role: 'user', openingDeposit: 1_000_000 });
    accounts.push(c.accounts[0]!.account);
  }
  admin.close();
  return [accounts[0]!, accounts[1]!];
}

async function pay(r: RelayProcess, to: string, ids: string[]): Promise<{ balance: number; answers: unknown[] }> {
  const c = await connectTcp(r);
  await c.request('auth.login', { username: 'payer', password: 'payer password' });
  const answers = await Promise.all(ids.map((transferId) => c.request('transfer.create', { transferId, to, amount: 10 })));
  const { balance } = await c.request('account.balance', {});
  c.close();
  return { balance, answers };
}

describe('starting the embedded store', () => {
  it('after a clean stop, trusts the signed checkpoint; a retry still replays', async () => {
    const dir = tmp.path('clean');
    let r = await start(dir);
    expect(trusted(r)).toBe('replay'); // a new bank: nothing to trust yet
    const [, payee] = await customers(r);
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const first = await pay(r, payee, ids);
    expect(await r.stop()).toBe(0);
    r = await start(dir);
    expect(trusted(r)).toBe('checkpoint');
    const again = await pay(r, payee, ids);
    expect(again).toEqual(first);
    expect(await r.stop()).toBe(0);
  });

  it('after a crash, replays the whole journal, losing nothing acknowledged', async () => {
    const dir = tmp.path('crash');
    let r = await start(dir);
    const [, payee] = await customers(r);
    expect(await r.stop()).toBe(0);
    r = await start(dir);
    expect(trusted(r)).toBe('checkpoint');
    // Acknowledged after the checkpoint, then killed: the checkpoint no longer describes the database.
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const before = await pay(r, payee, ids);
    await r.stop('SIGKILL');
    r = await start(dir);
    expect(trusted(r)).toBe('replay');
    expect(await pay(r, payee, ids)).toEqual(before);
    expect(await r.stop()).toBe(0);
  });

  it('replays when the checkpoint is not this relay\'s or was edited, and still serves a sound bank', async () => {
    const dir = tmp.path('foreign');
    let r = await start(dir);
    const [, payee] = await customers(r);
    const ids = [randomUUID()];
    const before = await pay(r, payee, ids);
    expect(await r.stop()).toBe(0);
    const file = ledgerCheckpointPath(dir);
    const good = await readFile(file, 'utf8');

    // Edited: a balance digest that is not the one signed.
    await writeFile(file, good.replace(/"digest":"[0-9a-f]/, (m) => `${m.slice(0, -1)}${m.endsWith('0') ? '1' : '0'}`));
    r = await start(dir);
    expect(trusted(r)).toBe('replay');
    expect(await r.stop()).toBe(0);

    // Signed by another relay's key (a data directory's key swapped, or a checkpoint copied in).
    await copyFile(path.join(dir, 'identity.pem'), tmp.path('identity.pem.kept'));
    await writeFile(path.join(dir, 'identity.pem'), generateIdentityKeyPem(), { mode: 0o600 });
    await writeFile(file, good);
    r = await start(dir);
    expect(trusted(r)).toBe('replay');
    expect(await pay(r, payee, ids)).toEqual(before);
    expect(await r.stop()).toBe(0);
  });
});
