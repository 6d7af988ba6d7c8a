import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../common/schemas/models.js';
import { auditHash } from '../../relay/audit/chain.js';
import { prepareBankPg } from '../../relay/bench/prepare.js';
import { newClient } from '../../relay/store/postgres/connect.js';
import { EPHEMERAL, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/*
 * Signed audit checkpoints on the PostgreSQL store: `audit checkpoint --store URL` signs the
 * head it verified with the identity key in --data (the same key on every relay of the bank),
 * and `audit verify --store URL --checkpoint FILE` proves the database still holds it, so a
 * chain rewritten in SQL with recomputed hashes, which plain verify accepts, is caught.
 */
const SLOW = { timeout: 120_000 };

let server: TestPostgres;
let tmp: Awaited<ReturnType<typeof tempRoot>>;
let url: string;
let dataDir: string;
let fingerprint: string;
let cpFile: string;
let signed: { checkpoint: { seq: number; hash: string; ts: string }; fingerprint: string };
let copies = 0;

const verify = (store: string, file?: string) => runCli(['audit', 'verify', '--store', store, '--data', dataDir, ...(file ? ['--checkpoint', file] : [])]);

/** A copy of the bank's database (CREATE DATABASE … TEMPLATE), edited in SQL; its URL. */
async function copyOf(edit: (db: ReturnType<typeof newClient>) => Promise<void>): Promise<string> {
  const name = `bank_checkpoint_copy_${++copies}`;
  const admin = newClient(server.url);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE bank_checkpoint`);
  } finally {
    await admin.end();
  }
  const copy = url.replace(/\/bank_checkpoint$/, `/${name}`);
  const db = newClient(copy);
  await db.connect();
  try {
    await edit(db);
  } finally {
    await db.end();
  }
  return copy;
}

async function entriesOf(db: ReturnType<typeof newClient>): Promise<AuditEntry[]> {
  return (await db.query<{ entry: AuditEntry }>('SELECT entry FROM audit ORDER BY seq')).rows.map((r) => r.entry);
}

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('bank_checkpoint');
  tmp = await tempRoot('bank-checkpoint-pg-');
  dataDir = tmp.path('data');
  await prepareBankPg(url, 5, 1_000_000);
  // Signed while a relay serves the bank.
  const relay = await startRelayProcess(['--store', url, '--data', dataDir, ...EPHEMERAL], { BANK_RELAY_ADMIN_PASSWORD: 'checkpoint-admin-password' });
  fingerprint = relay.fingerprint;
  const res = await runCli(['audit', 'checkpoint', '--store', url, '--data', dataDir]);
  expect(await relay.stop()).toBe(0);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  signed = JSON.parse(res.stdout) as typeof signed;
  cpFile = tmp.path('checkpoint.json');
  await writeFile(cpFile, res.stdout);
}, SLOW.timeout);

afterAll(async () => {
  killStrays();
  await server?.stop();
  await tmp?.remove();
});

describe('bank-relay audit checkpoint / verify --checkpoint on the PostgreSQL store', SLOW, () => {
  it('signs the verified head with the relay key', () => {
    expect(signed.checkpoint.seq).toBeGreaterThanOrEqual(10);
    expect(signed.checkpoint.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(signed.fingerprint).toBe(fingerprint);
  });

  it('verifies against the untouched database', async () => {
    const res = await verify(url, cpFile);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^audit chain OK: .*\ncheckpoint OK: seq \d+ [0-9a-f]{64} is in the log, signed by [0-9a-f]{64}\n$/);
  });

  it('catches a whole chain rewritten in SQL with recomputed hashes, which plain verify accepts', async () => {
    const copy = await copyOf(async (db) => {
      let prev = '0'.repeat(64);
      await db.query('BEGIN');
      for (const e of await entriesOf(db)) {
        const { hash: _old, ...body } = e;
        const forged = { ...body, prev, ...(e.seq === 2 ? { actor: 'someone-else' } : {}) };
        const hash = auditHash(forged);
        await db.query('UPDATE audit SET entry = $2 WHERE seq = $1', [e.seq, JSON.stringify({ ...forged, hash })]);
        prev = hash;
      }
      await db.query('UPDATE audit_head SET hash = $1', [prev]);
      await db.query('COMMIT');
    });
    const plain = await verify(copy);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^audit chain OK/);
    const res = await verify(copy, cpFile);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^audit chain OK: .*\ncheckpoint FAILED: the entry at seq \d+ has hash .*the log was rewritten\n$/);
  });

  it('catches a log cut back before the checkpoint', async () => {
    const copy = await copyOf(async (db) => {
      const keep = (await entriesOf(db)).slice(0, 3);
      await db.query('DELETE FROM audit WHERE seq > 3');
      await db.query('UPDATE audit_head SET seq = 3, hash = $1', [keep[2]!.hash]);
    });
    const res = await verify(copy, cpFile);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^audit chain OK: 3 entries.*\ncheckpoint FAILED: the log has no entry at the checkpoint's seq/);
  });

  it('refuses to sign a broken chain, and names the missing key', async () => {
    const copy = await copyOf(async (db) => {
      await db.query(`UPDATE audit SET entry = jsonb_set(entry, '{actor}', '"someone-else"') WHERE seq = 2`);
    });
    const res = await runCli(['audit', 'checkpoint', '--store', copy, '--data', dataDir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/refusing to sign a broken audit chain: BROKEN at seq 2/);
    const nokey = await runCli(['audit', 'checkpoint', '--store', url, '--data', tmp.path('nowhere')]);
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toMatch(/no identity key at .*nowhere.*: check --data/);
  });
});
