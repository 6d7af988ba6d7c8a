import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankClient } from '../../common/client/bank-client.js';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import { ADMIN_PASSWORD, connect, startTestRelay, tempDir, type TestRelay } from '../helpers/relay.js';
import { healthz } from '../helpers/prom.js';
import { allTransfers, balancesByAccount } from '../helpers/ledger.js';

/*
 * Disk trouble while serving: the data directory is on a small tmpfs of its own that
 * the test fills up. Clients get a clear error, nothing acknowledged is
 * lost, reads go on, /healthz says "disk-error", and once the disk takes writes again the relay
 * reopens its database, re-reads the ledger and serves changes, with both verifiers passing
 * and a restart agreeing. Mounting needs CAP_SYS_ADMIN (these machines run tests as root).
 */
function tryMount(dir: string, sizeMiB: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const probeDir = path.join(process.env.TMPDIR ?? '/tmp', `bank-mount-probe-${process.pid}`);
async function canMount(): Promise<boolean> {
  await mkdir(probeDir, { recursive: true });
  const ok = tryMount(probeDir, 1);
  if (ok) execFileSync('umount', [probeDir]);
  await rmdir(probeDir);
  return ok;
}
const MOUNTABLE = await canMount();

/** Writes zeros into `file` until the filesystem is full. */
async function fillUp(file: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          await handle.write(chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    await handle.close();
  }
}

interface Attempt {
  id: string;
  amount: number;
}

/*
 * Only "full": a filesystem with files open for writing cannot be remounted read-only from
 * userspace (EBUSY), so a disk going read-only under the relay cannot be staged here. The relay
 * handles it by the same path (any failed write stops changes until a synced probe succeeds).
 */
describe.skipIf(!MOUNTABLE)('the data directory fills up while the relay serves', () => {
  let mnt: string;
  let t: TestRelay;
  let admin: BankClient;
  let payer: BankClient;
  let payerAccount: string;
  let payeeAccount: string;
  const OPENING = 10_000_000;

  beforeAll(async () => {
    mnt = await tempDir('bank-disk-');
    // Room for the bank and for the relay's 16 MiB free-space check once the filler is gone.
    expect(tryMount(mnt, 24)).toBe(true);
    t = await startTestRelay({ dataDir: path.join(mnt, 'data'), diskRetryMs: 200, requestRate: { perSecond: 0, burst: 1 } });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    payerAccount = (await admin.request('admin.user.create', { username: 'disk_payer', password: 'disk payer password', displayName: 'Payer', role: 'user', openingDeposit: OPENING })).accounts[0]!.account;
    payeeAccount = (await admin.request('admin.user.create', { username: 'disk_payee', password: 'disk payee password', displayName: 'Payee', role: 'user' })).accounts[0]!.account;
    payer = await connect(t, 'tcp');
    await payer.request('auth.login', { username: 'disk_payer', password: 'disk payer password' });
  });

  afterAll(async () => {
    payer?.close();
    admin?.close();
    await t?.stop().catch(() => undefined);
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    await rm(mnt, { recursive: true, force: true });
  });

  it('refuses changes with a clear error, loses nothing acknowledged, and recovers when the disk takes writes again', { timeout: 60_000 }, async () => {
    const acked = new Map<string, Attempt>();
    const inDoubt = new Map<string, Attempt>();
    const send = async (a: Attempt) => payer.call('transfer.create', { transferId: a.id, to: payeeAccount, amount: a.amount });
    for (let i = 0; i < 20; i++) {
      const a = { id: randomUUID(), amount: 100 + i };
      expect((await send(a)).ok).toBe(true);
      acked.set(a.id, a);
    }

    const filler = path.join(mnt, 'filler');
    await fillUp(filler);

    // Transfers go on until the disk refuses one (a few may still fit in pages already held).
    let refusal: string | undefined;
    for (let i = 0; i < 5000 && refusal === undefined; i++) {
      const a = { id: randomUUID(), amount: 1 + (i % 50) };
      const r = await send(a);
      if (r.ok) acked.set(a.id, a);
      else {
        expect(r.error.code).toBe('IN_DOUBT');
        refusal = r.error.message;
        inDoubt.set(a.id, a);
      }
    }
    expect(refusal, 'the full disk refused a write').toMatch(/the bank could not save changes: its disk refused a write/);
    expect(refusal).toMatch(/same transfer id is applied at most once/);

    // While it lasts: changes are refused up front, reads are served, and /healthz says why.
    const during = { id: randomUUID(), amount: 7 };
    const refused = await send(during);
    expect(refused.ok === false && refused.error.code).toBe('UNAVAILABLE');
    expect(refused.ok === false && refused.error.message).toMatch(/cannot save changes right now: its disk refused a write\. Nothing was changed/);
    expect((await payer.request('account.balance', {})).account).toBe(payerAccount);
    const health = await healthz(t.wsPort);
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('disk-error');
    expect((await payer.call('ping', {})).ok).toBe(true);

    // The disk comes back.
    await rm(filler);

    // Retrying the in-doubt transfer with its own id settles it exactly once.
    const [retryId, retry] = [...inDoubt][0]!;
    await expect.poll(async () => (await send(retry)).ok, { timeout: 20_000, interval: 100 }).toBe(true);
    acked.set(retryId, retry);
    inDoubt.delete(retryId);
    expect((await healthz(t.wsPort)).status).toBe(200);
    const after = { id: randomUUID(), amount: 3 };
    expect((await send(after)).ok).toBe(true);
    acked.set(after.id, after);

    const check = async (who: BankClient) => {
      expect(await who.request('admin.ledger.verify', {})).toMatchObject({ ok: true, sum: 0 });
      expect(await who.request('admin.audit.verify', {})).toMatchObject({ ok: true });
      const listed = (await allTransfers(who, payerAccount, 500)).filter((x) => x.from !== CASH_ACCOUNT);
      const ids = listed.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of acked.keys()) expect(ids, `acknowledged ${id}`).toContain(id);
      for (const id of ids) expect(acked.has(id) || inDoubt.has(id), `${id} was never sent`).toBe(true);
      expect(ids).not.toContain(during.id);
      const moved = listed.reduce((n, x) => n + x.amount, 0);
      const balances = await balancesByAccount(who);
      expect(balances.get(payerAccount)).toBe(OPENING - moved);
      expect(balances.get(payeeAccount)).toBe(moved);
    };
    await check(admin);

    // A restart on the same directory agrees with what the running relay said.
    payer.close();
    admin.close();
    await t.stop();
    t = await startTestRelay({ dataDir: path.join(mnt, 'data'), diskRetryMs: 200 });
    admin = await connect(t, 'ws');
    await admin.request('auth.login', { username: 'admin', password: ADMIN_PASSWORD });
    await check(admin);
    payer = await connect(t, 'tcp');
  });
});
