import { existsSync } from 'node:fs';
import { readFile, stat, truncate, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBank, benchUser, BENCH_PASSWORD } from '../../relay/bench/prepare.js';
import { runTransfers } from '../../relay/bench/load.js';
import { EPHEMERAL, connectTcp, killStrays, loadTestConfig, runCli, startRelayProcess, tempRoot, type RelayProcess } from '../helpers/cli.js';

/**
 * Backup while a relay process runs, restore into a new directory, start a relay on it.
 * BANK_BACKUP_TRANSFER_SECONDS makes the load longer (e.g. 120 for a few hundred thousand transfers).
 */
const LOAD_S = Number(process.env.BANK_BACKUP_TRANSFER_SECONDS ?? 2);
// Two load phases of LOAD_S each plus backups and restores: the deadline grows with the load.
const SLOW = { timeout: 300_000 + LOAD_S * 6_000 };
const ACCOUNTS = 20;

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let dataDir: string;
let accounts: string[];
let relay: RelayProcess | undefined;
let transfersBefore = 0;
let transfersDuring = 0;
let busyFile: string;
let idleFile: string;
let busyOut = '';
let busyMs = 0;
let idleMs = 0;

type Raw = Map<string, string>;

/** Every key/value of DIR/db as raw bytes (hex keys, base64 values). */
async function dump(dir: string): Promise<Raw> {
  const db = new Level<Buffer, Buffer>(path.join(dir, 'db'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    const out: Raw = new Map();
    for await (const [k, v] of db.iterator()) out.set(k.toString('hex'), v.toString('base64'));
    return out;
  } finally {
    await db.close();
  }
}

const backup = (args: string[]) => runCli(['backup', ...args], { timeoutMs: 120_000 });
const restore = (args: string[]) => runCli(['restore', ...args], { timeoutMs: 120_000 });

beforeAll(async () => {
  tmp = await tempRoot('bank-backup-');
  dataDir = tmp.path('data');
  accounts = await prepareBank(dataDir, ACCOUNTS, 1_000_000_000);
  relay = await startRelayProcess([...(await loadTestConfig(tmp.root)), '--data', dataDir, ...EPHEMERAL, '--request-log', 'off']);
  const target = { host: '127.0.0.1', tcpPort: relay.tcpPort, wsPort: relay.wsPort };
  const load = { transport: 'tcp' as const, connections: 4, pipeline: 8, accounts, mix: 'uniform' as const };
  transfersBefore = (await runTransfers(target, { ...load, durationS: LOAD_S })).ok;
  busyFile = tmp.path('busy.bak');
  idleFile = tmp.path('idle.bak.gz');
  // A backup taken while transfers keep arriving.
  const t0 = performance.now();
  const [during, res] = await Promise.all([
    runTransfers(target, { ...load, durationS: LOAD_S }),
    backup(['--data', dataDir, '--out', busyFile]).then((r) => ((busyMs = performance.now() - t0), r)),
  ]);
  transfersDuring = during.ok;
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  busyOut = res.stdout;
  // And one of the idle relay (still running), compressed.
  const t1 = performance.now();
  const idle = await backup(['--data', dataDir, '--out', idleFile]);
  idleMs = performance.now() - t1;
  if (process.env.BANK_BACKUP_TRANSFER_SECONDS) {
    console.log(`transfers before ${transfersBefore}, during ${transfersDuring}; busy backup ${Math.round(busyMs)} ms: ${res.stdout.trim()}; idle gzip backup ${Math.round(idleMs)} ms: ${idle.stdout.trim()}`);
  }
  expect(idle.stderr).toBe('');
  expect(idle.code).toBe(0);
  expect(await relay.stop()).toBe(0);
  relay = undefined;
}, SLOW.timeout);

afterAll(async () => {
  await relay?.stop('SIGKILL');
  killStrays();
  await tmp?.remove();
});

describe('bank-relay backup / restore', SLOW, () => {
  it('ran under real load', () => {
    // Real load happened (how much depends on the machine: no figure is asserted).
    expect(transfersBefore).toBeGreaterThan(0);
    expect(transfersDuring).toBeGreaterThan(0);
    expect(busyOut).toMatch(/^backup written to .*busy\.bak: \d+ records, 21 accounts, \d+ transfers, audit head seq \d+, \d+ bytes \(taken while the relay runs, \d attempts?\)\n$/);
    expect(existsSync(`${busyFile}.partial`)).toBe(false);
  });

  it('restores the idle backup exactly, with the identity key (0600), and a relay starts on it with the same key and balances', async () => {
    const source = await dump(dataDir);
    const dir = tmp.path('restored-idle');
    const t = performance.now();
    const res = await restore(['--in', idleFile, '--data', dir]);
    if (process.env.BANK_BACKUP_TRANSFER_SECONDS) console.log(`restore (gzip) ${Math.round(performance.now() - t)} ms: ${res.stdout.trim()}`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^restored \d+ records into .*\nledger OK: 21 accounts, \d+ transfers, balances sum to 0\naudit chain OK: \d+ entries, head seq \d+ [0-9a-f]{64}\n$/);
    const restored = await dump(dir);
    expect(restored.size).toBe(source.size);
    expect(restored).toEqual(source);
    expect(await readFile(path.join(dir, 'identity.pem'), 'utf8')).toBe(await readFile(path.join(dataDir, 'identity.pem'), 'utf8'));
    expect((await stat(path.join(dir, 'identity.pem'))).mode & 0o777).toBe(0o600);
    expect(existsSync(`${dir}.tmp`)).toBe(false);

    for (const cmd of [['ledger', 'verify'], ['audit', 'verify']]) {
      const v = await runCli([...cmd, '--data', dir]);
      expect(v.code).toBe(0);
    }

    const original = await startRelayProcess(['--data', dataDir, ...EPHEMERAL, '--request-log', 'off']);
    const copy = await startRelayProcess(['--data', dir, ...EPHEMERAL, '--request-log', 'off']);
    try {
      expect(copy.fingerprint).toBe(original.fingerprint);
      for (const i of [0, 7, ACCOUNTS - 1]) {
        const balances = await Promise.all(
          [original, copy].map(async (r) => {
            const c = await connectTcp(r);
            await c.request('auth.login', { username: benchUser(i), password: BENCH_PASSWORD });
            const b = await c.request('account.balance', {});
            c.close();
            return b;
          }),
        );
        expect(balances[1]).toEqual(balances[0]);
      }
    } finally {
      await Promise.all([original.stop(), copy.stop()]);
    }
  });

  it('the backup taken under load restores to a consistent earlier state (a prefix of the audit log)', async () => {
    const source = await dump(dataDir);
    const dir = tmp.path('restored-busy');
    const res = await restore(['--in', busyFile, '--data', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const restored = await dump(dir);
    const auditPrefix = Buffer.from('!audit!').toString('hex');
    const restoredAudit = [...restored].filter(([k]) => k.startsWith(auditPrefix));
    expect(restoredAudit.length).toBeGreaterThan(transfersBefore);
    for (const [k, v] of restoredAudit) expect(source.get(k)).toBe(v);
    const transferPrefix = Buffer.from('!transfers!').toString('hex');
    for (const [k, v] of restored) if (k.startsWith(transferPrefix)) expect(source.get(k)).toBe(v);
  });

  it('refuses a truncated file and leaves nothing behind', async () => {
    const bad = tmp.path('truncated.bak');
    const bytes = await readFile(busyFile);
    await writeFile(bad, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const dir = tmp.path('from-truncated');
    const res = await restore(['--in', bad, '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: refusing .*truncated.*nothing was restored\n$/);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
    // Cut just before the last byte of the checksum, too.
    await truncate(bad, 0);
    await writeFile(bad, bytes.subarray(0, bytes.length - 1));
    const res2 = await restore(['--in', bad, '--data', dir]);
    expect(res2.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
  });

  it('refuses a file with one flipped byte and leaves nothing behind', async () => {
    const bytes = Buffer.from(await readFile(busyFile));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    const bad = tmp.path('flipped.bak');
    await writeFile(bad, bytes);
    const dir = tmp.path('from-flipped');
    const res = await restore(['--in', bad, '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: refusing .*(checksum mismatch|corrupted|truncated).*\n$/);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
  });

  it('refuses a flipped byte inside a compressed backup', async () => {
    const bytes = Buffer.from(await readFile(idleFile));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x10;
    const bad = tmp.path('flipped.bak.gz');
    await writeFile(bad, bytes);
    const dir = tmp.path('from-flipped-gz');
    const res = await restore(['--in', bad, '--data', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: refusing /);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
  });

  it('refuses to restore into a non-empty directory', async () => {
    const dir = tmp.path('occupied');
    await mkdir(dir);
    await writeFile(path.join(dir, 'something'), 'x');
    const t = performance.now();
    const res = await restore(['--in', idleFile, '--data', dir]);
    if (process.env.BANK_BACKUP_TRANSFER_SECONDS) console.log(`restore (gzip) ${Math.round(performance.now() - t)} ms: ${res.stdout.trim()}`);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not empty/);
    expect(await readFile(path.join(dir, 'something'), 'utf8')).toBe('x');
  });
});
