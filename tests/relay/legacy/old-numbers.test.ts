import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserRecord } from '../../../relay/auth/records.js';
import type { LedgerRules } from '../../../relay/ledger/types.js';
import { gatewayLegacyRecord } from '../../../relay/legacy/record.js';
import { openPool } from '../../../relay/store/postgres/connect.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/relay.js';
import { openLevelBank, pgRelayLedger } from '../../helpers/stores.js';

/*
 * An old Qt-bank account number names one account for good: the bank's one writer refuses a user
 * record that would give a number another user holds (the store suite checks the rule on both
 * stores). Here the cases a single writer's memory cannot cover: the embedded store started again
 * on a bank that already holds numbers, and two relays on one PostgreSQL database racing to give
 * the same number to different people (the legacy gateway's CreateNewUser on each).
 */

const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1e12, defaultLimits: { perTransfer: 10_000, perDay: 50_000 } };
const NOW = () => new Date('2026-06-01T12:00:00Z');

function withOldNumber(username: string, legacyAccount: string): UserRecord {
  return {
    username,
    displayName: username,
    role: 'user',
    status: 'active',
    createdAt: NOW().toISOString(),
    passwordHash: 'h',
    failedLogins: [],
    accounts: [],
    version: 0,
    legacy: gatewayLegacyRecord(username, legacyAccount, NOW()),
  };
}

describe('old account numbers on the embedded store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('bank-old-numbers-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('after a restart, a number stored before is still taken', async () => {
    const first = await openLevelBank(dir, RULES, NOW);
    await first.writer.commit([{ type: 'user', user: withOldNumber('lena', 'ACC1003'), from: null }]);
    await first.close();

    const again = await openLevelBank(dir, RULES, NOW);
    try {
      // A change of the holder that keeps its number (a sign-in's failure count, say) reads no other user.
      const scans = vi.spyOn(again.bank, 'users');
      await again.writer.commit([{ type: 'user', user: { ...withOldNumber('lena', 'ACC1003'), failedLogins: [1] }, from: 0 }]);
      expect(scans).not.toHaveBeenCalled();
      await expect(again.writer.commit([{ type: 'user', user: withOldNumber('mats', 'ACC1003'), from: null }])).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await again.bank.getUsers(['mats']))[0]).toBeUndefined();
      // Its holder's own changes go on, and another number is free.
      await again.writer.commit([{ type: 'user', user: { ...withOldNumber('lena', 'ACC1003'), displayName: 'Lena N.' }, from: 1 }]);
      await again.writer.commit([{ type: 'user', user: withOldNumber('mats', 'ACC1004'), from: null }]);
      expect((await again.bank.getUsers(['mats']))[0]?.legacy?.account).toBe('ACC1004');
    } finally {
      await again.close();
    }
  });
});

describe('old account numbers with two relays on one PostgreSQL database', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('two relays giving one number to different people at once: exactly one takes it, the other is refused (CONFLICT), every round', async () => {
    const url = await server.createBank('old_numbers');
    const pools = [openPool(url, 4), openPool(url, 4)];
    try {
      const [a, b] = pools.map((p, i) => pgRelayLedger(p, RULES, { now: NOW, relayName: `relay-${'AB'[i]}` }));
      for (let round = 0; round < 20; round++) {
        const number = `ACC${2000 + round}`;
        const outcomes = await Promise.allSettled([
          a!.writer.commit([{ type: 'user', user: withOldNumber(`a_${round}`, number), from: null }]),
          b!.writer.commit([{ type: 'user', user: withOldNumber(`b_${round}`, number), from: null }]),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
      }
      const holders = await pools[0]!.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE record->'legacy'->>'account' LIKE 'ACC2%'`);
      expect(Number(holders.rows[0]!.n)).toBe(20);
      await Promise.all([a!.writer.drain(), b!.writer.drain()]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
