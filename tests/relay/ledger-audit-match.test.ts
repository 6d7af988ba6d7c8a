import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASH_ACCOUNT } from '../../common/account-number.js';
import type { Ledger } from '../../relay/ledger/ledger.js';
import type { AccountState, LedgerRules, TransferRecord } from '../../relay/ledger/types.js';
import { openPool } from '../../relay/store/postgres/connect.js';
import { PgBank } from '../../relay/store/postgres/pg-bank.js';
import { chunkKey, chunkOf, legKey, toRow, type JournalRow } from '../../relay/store/leveldb/journal.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/relay.js';
import { openLevelBank, pgRelayLedger } from '../helpers/stores.js';

/*
 * Someone who can write the store re-points a posted transfer to another payee and keeps every
 * number consistent: the transfer, both payees' entries, their balances. Balances still sum to
 * 0, every account's entries still run 1..n and end at its balance, both legs still match the
 * transfer, and the audit chain is untouched, so every check but one passes. `ledger verify`
 * compares each transfer with its audit record, which still names the first payee.
 */
const RULES: LedgerRules = { currency: 'USD', largeTransferAlert: 1e12, defaultLimits: { perTransfer: 1e9, perDay: 1e12 } };
const by = { actor: 'admin', role: 'admin' as const };

/** Three customers with money; alice's last transfer pays bob. Answers it. */
async function makeBank(ledger: Ledger): Promise<{ transfer: TransferRecord; carol: string }> {
  const opened: string[] = [];
  for (const owner of ['alice', 'bob', 'carol']) {
    const a = await ledger.openAccount(owner, [], [{ ...by, action: 'account.open', target: owner, outcome: 'ok' }]);
    await ledger.move({ kind: 'deposit', transferId: randomUUID(), from: CASH_ACCOUNT, to: a.account, amount: 10_000, actor: 'admin' }, { ...by, action: 'admin.account.deposit' });
    opened.push(a.account);
  }
  const [alice, bob, carol] = opened as [string, string, string];
  await ledger.move({ kind: 'transfer', transferId: randomUUID(), from: bob, to: carol, amount: 50, actor: 'bob' }, { actor: 'bob', role: 'user', action: 'transfer.create' });
  const { transfer } = await ledger.move({ kind: 'transfer', transferId: randomUUID(), from: alice, to: bob, amount: 700, actor: 'alice' }, { actor: 'alice', role: 'user', action: 'transfer.create' });
  return { transfer, carol };
}

/** The transfer as it would read had it paid `to` (whose account is `payee`, before the change). */
function repointed(t: TransferRecord, payee: AccountState): TransferRecord {
  return { ...t, to: payee.account, toEntry: payee.entrySeq + 1, toBalanceAfter: payee.balance + t.amount };
}

describe('ledger verify against the audit log: a transfer re-pointed consistently behind the relay\'s back', () => {
  it('on LevelDB, is caught, naming the transfer and both payees', async () => {
    const dir = await tempDir('bank-repoint-');
    try {
      const opened = await openLevelBank(dir, RULES);
      const { transfer: t, carol } = await makeBank(opened.ledger);
      expect(await opened.bank.verifyLedger()).toMatchObject({ ok: true });
      await opened.close();

      const { bank } = await openLevelBank(dir, RULES);
      const bob = (await bank.accounts.get(t.to)) as AccountState;
      const carolBefore = (await bank.accounts.get(carol)) as AccountState;
      const moved = repointed(t, carolBefore);
      // The journal's row now pays carol; bob's history loses the entry, carol's gains it.
      const chunk = chunkKey(chunkOf(t.seq));
      const rows = (await bank.journal.get(chunk)) as JournalRow[];
      rows[rows.length - 1] = toRow(moved);
      await bank.db.batch([
        { type: 'put', key: bank.prefix('journal') + chunk, value: rows },
        { type: 'del', key: bank.prefix('legs') + legKey(t.to, t.toEntry) },
        { type: 'put', key: bank.prefix('legs') + legKey(carol, moved.toEntry), value: [t.seq] },
        { type: 'put', key: bank.prefix('accounts') + t.to, value: { ...bob, balance: bob.balance - t.amount, entrySeq: bob.entrySeq - 1 } },
        { type: 'put', key: bank.prefix('accounts') + carol, value: { ...carolBefore, balance: moved.toBalanceAfter, entrySeq: moved.toEntry } },
      ]);
      const verdict = await bank.verifyLedger();
      expect(verdict).toMatchObject({ ok: false, sum: 0 });
      expect(verdict.problem).toMatch(new RegExp(`^transfer ${t.id}: the ledger has ${t.from} → ${carol} for 700, its audit record \\(seq \\d+\\) ${t.from} → ${t.to} for 700$`));
      expect(await bank.verifyAudit()).toMatchObject({ ok: true });
      await bank.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('on PostgreSQL', () => {
    let server: TestPostgres | undefined;
    beforeAll(async () => {
      server = await startPostgres();
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('is caught, naming the transfer and both payees', async () => {
      const pool = openPool(await server!.createBank('repointed'), 3);
      try {
        const { ledger, writer } = pgRelayLedger(pool, RULES);
        await ledger.openCashAccount();
        const { transfer: t, carol } = await makeBank(ledger);
        await writer.drain();
        const bank = new PgBank(pool);
        expect(await bank.verifyLedger()).toMatchObject({ ok: true });
        const carolBefore = (await pool.query<{ record: AccountState }>('SELECT record FROM accounts WHERE account = $1', [carol])).rows[0]!.record;
        const moved = repointed(t, carolBefore);
        const edit = await pool.connect();
        try {
          await edit.query('BEGIN');
          await edit.query('UPDATE transfers SET to_account = $2, to_entry = $3, record = $4 WHERE id = $1', [t.id, carol, moved.toEntry, JSON.stringify(moved)]);
          await edit.query(
            `UPDATE accounts SET balance = balance - $2, record = jsonb_set(jsonb_set(record, '{balance}', to_jsonb((record->>'balance')::bigint - $2)), '{entrySeq}', to_jsonb((record->>'entrySeq')::bigint - 1)) WHERE account = $1`,
            [t.to, t.amount],
          );
          await edit.query(`UPDATE accounts SET balance = $2, record = $3 WHERE account = $1`, [carol, moved.toBalanceAfter, JSON.stringify({ ...carolBefore, balance: moved.toBalanceAfter, entrySeq: moved.toEntry })]);
          await edit.query('COMMIT');
        } finally {
          edit.release();
        }
        const verdict = await bank.verifyLedger();
        expect(verdict).toMatchObject({ ok: false, sum: 0 });
        expect(verdict.problem).toMatch(new RegExp(`^transfer ${t.id}: the ledger has ${t.from} → ${carol} for 700, its audit record \\(seq \\d+\\) ${t.from} → ${t.to} for 700$`));
        expect(await bank.verifyAudit()).toMatchObject({ ok: true });
      } finally {
        await pool.end();
      }
    });
  });
});
