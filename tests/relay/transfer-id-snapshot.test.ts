import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBank, prepareTransfers } from '../../relay/bench/prepare.js';
import { openBankOffline, type OfflineBank } from '../../relay/cli/offline.js';
import { resolveConfig } from '../../relay/config.js';
import { idSnapshotPath, saveIdSnapshot, loadIdSnapshot } from '../../relay/store/leveldb/transfer-id-snapshot.js';
import { ledgerCheckpointPath } from '../../relay/store/leveldb/ledger-checkpoint.js';
import { TransferIdFilter } from '../../relay/store/leveldb/transfer-id-filter.js';
import type { TransferRecord } from '../../relay/ledger/types.js';
import { tempRoot } from '../helpers/cli.js';

let tmp: Awaited<ReturnType<typeof tempRoot>>;
beforeAll(async () => {
  tmp = await tempRoot('bank-id-snapshot-');
});
afterAll(async () => {
  await tmp.remove();
});

async function withLedger<T>(dataDir: string, fn: (ledger: OfflineBank['storage'], offline: OfflineBank) => Promise<T>): Promise<T> {
  const offline = await openBankOffline(resolveConfig({ dataDir }));
  try {
    return await fn(offline.storage, offline);
  } finally {
    await offline.close();
  }
}

/** Asks again for every stored transfer with its own arguments: each must replay, none move money. */
/** What a clean stop saves, the id snapshot included however small the bank. */
function saveAtStop(dataDir: string, offline: OfflineBank): Promise<void> {
  return offline.storage.saveAtStop({ idSnapshot: idSnapshotPath(dataDir), checkpoint: { file: ledgerCheckpointPath(dataDir), signer: offline.identity.signer } }, 0);
}

async function retryAll(ledger: OfflineBank['storage'], offline: OfflineBank): Promise<{ replays: number; applied: number }> {
  const stored: TransferRecord[] = [];
  for await (const t of offline.bank.transfersInOrder()) stored.push(t);
  const before = ledger.engine.transferSeq;
  let replays = 0;
  for (const t of stored) {
    const r = await offline.ledger.move({ kind: t.kind, transferId: t.id, from: t.from, to: t.to, amount: t.amount, actor: t.actor }, { actor: t.actor, role: 'user', action: 'transfer.create' });
    if (r.replay) replays++;
  }
  return { replays, applied: ledger.engine.transferSeq - before };
}

describe('the transfer-id snapshot', () => {
  it('is used when it belongs to the bank, covers the transfers after it through the journal, and keeps every retry a replay', async () => {
    const dataDir = tmp.path('bank');
    const accounts = await prepareBank(dataDir, 20, 1_000_000);
    await prepareTransfers(dataDir, accounts, 40);
    // Small banks write none on their own (scanning is quick); ask for one.
    await withLedger(dataDir, async (ledger, offline) => {
      expect(ledger.startup.idsFrom).toBe('journal');
      await saveAtStop(dataDir, offline);
    });
    // Transfers made after the snapshot: the next start reads them from the journal.
    await prepareTransfers(dataDir, accounts, 30);
    await withLedger(dataDir, async (ledger, offline) => {
      expect(ledger.startup.idsFrom).toBe('snapshot');
      expect(await retryAll(ledger, offline)).toEqual({ replays: 20 + 40 + 30, applied: 0 });
    });
  });

  it('is ignored, and the ids scanned, when it is another bank\'s, damaged, or ahead of the database', async () => {
    const a = tmp.path('a');
    const b = tmp.path('b');
    const accountsA = await prepareBank(a, 12, 1_000_000);
    await prepareBank(b, 12, 1_000_000);
    await prepareTransfers(a, accountsA, 10);
    await withLedger(a, (_ledger, offline) => saveAtStop(a, offline));

    await copyFile(idSnapshotPath(a), idSnapshotPath(b));
    await withLedger(b, async (ledger, offline) => {
      expect(ledger.startup.idsFrom).toBe('journal');
      expect(await retryAll(ledger, offline)).toEqual({ replays: 12, applied: 0 });
    });

    const bytes = await readFile(idSnapshotPath(a));
    const flipped = Buffer.from(bytes);
    flipped[40] = flipped[40]! ^ 0x01;
    await writeFile(idSnapshotPath(a), flipped);
    expect(await loadIdSnapshot(idSnapshotPath(a))).toBeUndefined();
    await withLedger(a, async (ledger) => expect(ledger.startup.idsFrom).toBe('journal'));

    // A snapshot claiming more transfers than the database holds (an older copy restored in place).
    await writeFile(idSnapshotPath(a), bytes);
    const good = (await loadIdSnapshot(idSnapshotPath(a)))!;
    await saveIdSnapshot(idSnapshotPath(a), { ...good, seq: good.seq + 5 });
    await withLedger(a, async (ledger, offline) => {
      expect(ledger.startup.idsFrom).toBe('journal');
      expect(await retryAll(ledger, offline)).toEqual({ replays: 22, applied: 0 });
    });
  });

  it('reads back what it saved whatever the length of the id it is bound to (the table is aligned after it)', async () => {
    for (const idAtSeq of ['a', 'ab', 'abc', 'abcd', '8f2e6a0c-1b3d-4e5f-9a7b-0c1d2e3f4a5b', 'é']) {
      const filter = new TransferIdFilter();
      const ids = Array.from({ length: 300 }, (_, i) => `${idAtSeq}-${i}`);
      ids.forEach((id, i) => filter.add(id, i + 1));
      const file = tmp.path(`aligned-${Buffer.byteLength(idAtSeq)}`);
      await saveIdSnapshot(file, { filter, seq: 300, idAtSeq });
      const back = (await loadIdSnapshot(file))!;
      expect({ seq: back.seq, idAtSeq: back.idAtSeq, size: back.filter.size }).toEqual({ seq: 300, idAtSeq, size: 300 });
      ids.forEach((id, i) => expect(back.filter.candidates(id)).toEqual([i + 1]));
      expect(back.filter.candidates(`${idAtSeq}-none`)).toEqual([]);
      // It grows past what it read like any other.
      for (let i = 300; i < 2_000; i++) back.filter.add(`${idAtSeq}-${i}`, i + 1);
      expect(back.filter.candidates(`${idAtSeq}-7`)).toEqual([8]);
      expect(back.filter.candidates(`${idAtSeq}-1999`)).toEqual([2000]);
    }
  });
});
