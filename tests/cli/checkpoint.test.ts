import { cp, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditHead } from '../../common/schemas/models.js';
import { generateIdentityKeyPem } from '../../common/protocol/crypto-node.js';
import { auditHash } from '../../relay/audit/chain.js';
import { prepareBank } from '../../relay/bench/prepare.js';
import { EPHEMERAL, killStrays, runCli, startRelayProcess, tempRoot } from '../helpers/cli.js';

const SLOW = { timeout: 120_000 };

let tmp: Awaited<ReturnType<typeof tempRoot>>;
let dataDir: string;
let cpFile: string;
let signed: { checkpoint: { seq: number; hash: string; ts: string }; key: string; fingerprint: string; sig: string };
let fingerprint: string;
let copies = 0;

const checkpoint = (dir: string) => runCli(['audit', 'checkpoint', '--data', dir], { timeoutMs: 120_000 });
const verify = (dir: string, file?: string) => runCli(['audit', 'verify', '--data', dir, ...(file ? ['--checkpoint', file] : [])]);

async function copyOf(edit?: (db: Level<string, unknown>) => Promise<void>): Promise<string> {
  const dir = tmp.path(`copy-${++copies}`);
  await cp(dataDir, dir, { recursive: true });
  if (edit) {
    const db = new Level<string, unknown>(path.join(dir, 'db'), { valueEncoding: 'json' });
    await db.open();
    try {
      await edit(db);
    } finally {
      await db.close();
    }
  }
  return dir;
}

beforeAll(async () => {
  tmp = await tempRoot('bank-checkpoint-');
  dataDir = tmp.path('data');
  await prepareBank(dataDir, 5, 1_000_000);
  // Taken while the relay runs (its database is locked): the command reads a verified copy.
  const relay = await startRelayProcess(['--data', dataDir, ...EPHEMERAL]);
  fingerprint = relay.fingerprint;
  const res = await checkpoint(dataDir);
  expect(await relay.stop()).toBe(0);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  signed = JSON.parse(res.stdout) as typeof signed;
  cpFile = tmp.path('checkpoint.json');
  await writeFile(cpFile, res.stdout);
}, SLOW.timeout);

afterAll(async () => {
  killStrays();
  await tmp?.remove();
});

describe('bank-relay audit checkpoint / verify --checkpoint', SLOW, () => {
  it('prints the signed head with the relay key', () => {
    expect(Object.keys(signed).sort()).toEqual(['checkpoint', 'fingerprint', 'key', 'sig']);
    expect(signed.checkpoint.seq).toBeGreaterThanOrEqual(10);
    expect(signed.checkpoint.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(signed.fingerprint).toBe(fingerprint);
    expect(Buffer.from(signed.sig, 'base64url')).toHaveLength(64);
  });

  it('verifies against the untouched log (which has grown since)', async () => {
    const res = await verify(dataDir, cpFile);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^audit chain OK: .*\ncheckpoint OK: seq \d+ [0-9a-f]{64} is in the log, signed by [0-9a-f]{64}\n$/);
  });

  it('catches a whole chain rewritten with recomputed hashes, which plain verify accepts', async () => {
    const dir = await copyOf(async (db) => {
      const audit = db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
      const entries = (await audit.values().all()) as AuditEntry[];
      let prev = '0'.repeat(64);
      const ops: { type: 'put'; key: string; value: AuditEntry }[] = [];
      for (const e of entries) {
        const { hash: _old, ...body } = e;
        const forged = { ...body, prev, ...(e.seq === 2 ? { actor: 'someone-else' } : {}) };
        const hash = auditHash(forged);
        ops.push({ type: 'put', key: String(e.seq).padStart(16, '0'), value: { ...forged, hash } });
        prev = hash;
      }
      await audit.batch(ops);
      const head: AuditHead = { seq: entries.length, hash: prev };
      await db.sublevel<string, unknown>('meta', { valueEncoding: 'json' }).put('audit.head', head);
    });
    const plain = await verify(dir);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^audit chain OK/);
    const res = await verify(dir, cpFile);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^audit chain OK: .*\ncheckpoint FAILED: the entry at seq \d+ has hash .*the log was rewritten\n$/);
  });

  it('catches a log cut back before the checkpoint', async () => {
    const dir = await copyOf(async (db) => {
      const audit = db.sublevel<string, AuditEntry>('audit', { valueEncoding: 'json' });
      const keep = (await audit.values().all()).slice(0, 3) as AuditEntry[];
      await audit.clear({ gt: String(3).padStart(16, '0') });
      await db.sublevel<string, unknown>('meta', { valueEncoding: 'json' }).put('audit.head', { seq: 3, hash: keep[2]!.hash });
    });
    const res = await verify(dir, cpFile);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/checkpoint FAILED: the log has no entry at the checkpoint's seq/);
  });

  it('rejects a checkpoint whose content was edited (signature)', async () => {
    const file = tmp.path('edited.json');
    await writeFile(file, JSON.stringify({ ...signed, checkpoint: { ...signed.checkpoint, seq: 3 } }));
    const res = await verify(dataDir, file);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/checkpoint FAILED: the checkpoint's signature is not valid/);
  });

  it('rejects a data directory whose identity key was replaced', async () => {
    const dir = await copyOf();
    await writeFile(path.join(dir, 'identity.pem'), generateIdentityKeyPem(), { mode: 0o600 });
    const res = await verify(dir, cpFile);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/checkpoint FAILED: the checkpoint was signed by key [0-9a-f]+…, but this data directory's key is/);
  });

  it('checks a checkpoint signed before a key rotation with the old key (--key)', async () => {
    const dir = await copyOf();
    const old = tmp.path('old-identity.pem');
    await rename(path.join(dir, 'identity.pem'), old);
    await writeFile(path.join(dir, 'identity.pem'), generateIdentityKeyPem(), { mode: 0o600 });
    expect((await verify(dir, cpFile)).code).toBe(1);
    const res = await runCli(['audit', 'verify', '--data', dir, '--checkpoint', cpFile, '--key', old]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/checkpoint OK: seq \d+ [0-9a-f]{64} is in the log, signed by [0-9a-f]{64}/);
    const alone = await runCli(['audit', 'verify', '--data', dir, '--key', old]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--key names the identity key a --checkpoint was signed with/);
  });

  it('explains a file that is not a checkpoint', async () => {
    const file = tmp.path('not.json');
    await writeFile(file, '{"hello": 1}');
    const res = await verify(dataDir, file);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bank-relay: .*not\.json is not a checkpoint/);
    const missing = await verify(dataDir, tmp.path('nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the checkpoint .*no such file/);
    void readFile;
  });
});
