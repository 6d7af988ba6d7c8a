import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Ledger } from '../../relay/ledger/ledger.js';
import type { LedgerRules } from '../../relay/ledger/types.js';
import { tempDir } from '../helpers/relay.js';
import { openLevelBank, type LevelBank } from '../helpers/stores.js';

/*
 * Owners (their limits and today's spending) are no longer read at start-up but on first need
 * (start-up on a large bank). What was stored must still hold after a restart:
 * a limit an admin set, and what a customer already sent today, on a real LevelDB directory.
 */
const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1e12, defaultLimits: { perTransfer: 10_000, perDay: 50_000 } };
const NOW = () => new Date('2026-12-01T10:00:00Z');
const by = { actor: 'admin', role: 'admin' as const };

describe('owner state read on demand', () => {
  let dir: string;
  let accounts: string[];
  beforeAll(async () => {
    dir = await tempDir('bank-owners-');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const open = (): Promise<LevelBank> => openLevelBank(dir, RULES, NOW);
  const send = (ledger: Ledger, from: string, to: string, amount: number, actor: string) =>
    ledger.move({ kind: 'transfer', transferId: randomUUID(), from, to, amount, actor }, { actor, role: 'user', action: 'transfer.create' });

  it('keeps a limit set before a restart, and the day\'s spending, without reading every owner at start', async () => {
    const first = await open();
    accounts = [];
    for (const owner of ['carol', 'dave', 'erin']) {
      const a = await first.ledger.openAccount(owner, [], [{ ...by, action: 'account.open', target: owner, outcome: 'ok' }]);
      await first.ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: a.account, amount: 100_000, actor: 'admin' }, { ...by, action: 'admin.account.deposit' });
      accounts.push(a.account);
    }
    const [carol, dave, erin] = accounts as [string, string, string];
    await first.ledger.setLimits('carol', { perTransfer: 500 }, [], [{ ...by, action: 'admin.user.update', target: 'carol', outcome: 'ok' }]);
    await send(first.ledger, dave, erin, 9_000, 'dave');
    await send(first.ledger, dave, erin, 9_000, 'dave');
    await first.close();

    const second = await open();
    try {
      // Nothing of the owners is in memory after the start…
      expect(second.storage.engine.owners.size).toBe(0);
      // …and yet carol's limit holds, and shows once asked for.
      await expect(send(second.ledger, carol, erin, 501, 'carol')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/per-transfer limit of 500/) });
      await second.storage.ensureOwners(['carol']);
      expect(await second.ledger.limitsOf('carol')).toEqual({ perTransfer: 500, perDay: 50_000 });
      // dave already sent 18,000 today: 32,000 more is the most the day allows.
      for (let i = 0; i < 3; i++) await send(second.ledger, dave, erin, 10_000, 'dave');
      await expect(send(second.ledger, dave, erin, 2_001, 'dave')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/already sent today: 48000/) });
      // Concurrent first requests of one owner share one read and are applied in order.
      const burst = await Promise.allSettled(Array.from({ length: 5 }, () => send(second.ledger, erin, carol, 10_000, 'erin')));
      expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      await expect(send(second.ledger, erin, carol, 1, 'erin')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    } finally {
      await second.close();
    }
  });
});
