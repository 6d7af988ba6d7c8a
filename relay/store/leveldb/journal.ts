import type { TransferKind, TransferRecord } from '../../ledger/types.js';

/**
 * The embedded store's transfers, as its journal: chunks of CHUNK consecutive transfers in the
 * ledger's order (chunk k holds seqs k·CHUNK+1 … (k+1)·CHUNK), each one LevelDB value holding
 * its transfers as compact rows. A batch of a thousand transfers is some thirty puts, not the
 * four thousand that a key per transfer and per leg took; a seq names its chunk by arithmetic,
 * so any transfer is one read away, and the ledger's order is the key order.
 *
 * The chunk being filled is written whole again by each commit that adds to it (the writer
 * keeps it in memory).
 */
export const CHUNK = 32;

/** One transfer as a chunk holds it: everything its record has but its seq (the row's place). */
export type JournalRow = [
  id: string,
  kind: 0 | 1 | 2,
  from: string,
  to: string,
  amount: number,
  actor: string,
  fromEntry: number,
  toEntry: number,
  fromBalanceAfter: number,
  toBalanceAfter: number,
  /** The transfer's time, in ms since the epoch (the ISO string it was made from round-trips). */
  ts: number,
  memo?: string,
];

const KINDS: readonly TransferKind[] = ['transfer', 'deposit', 'withdraw'];

export function chunkOf(seq: number): number {
  return Math.floor((seq - 1) / CHUNK);
}

/** The first seq a chunk holds. */
export function firstSeqOf(chunk: number): number {
  return chunk * CHUNK + 1;
}

/** Chunk keys sort numerically as strings. */
export function chunkKey(chunk: number): string {
  return String(chunk).padStart(16, '0');
}

export function toRow(t: TransferRecord): JournalRow {
  const row: JournalRow = [t.id, KINDS.indexOf(t.kind) as 0 | 1 | 2, t.from, t.to, t.amount, t.actor, t.fromEntry, t.toEntry, t.fromBalanceAfter, t.toBalanceAfter, Date.parse(t.ts)];
  if (t.memo !== undefined) row.push(t.memo);
  return row;
}

export function fromRow(row: JournalRow, seq: number): TransferRecord {
  const [id, kind, from, to, amount, actor, fromEntry, toEntry, fromBalanceAfter, toBalanceAfter, ts, memo] = row;
  return {
    id,
    from,
    to,
    amount,
    ...(memo !== undefined && { memo }),
    ts: new Date(ts).toISOString(),
    status: 'posted',
    kind: KINDS[kind]!,
    seq,
    fromEntry,
    toEntry,
    fromBalanceAfter,
    toBalanceAfter,
    actor,
  };
}

/** The transfers a stored chunk holds, with their seqs. */
export function transfersOf(chunk: number, rows: readonly JournalRow[]): TransferRecord[] {
  const first = firstSeqOf(chunk);
  return rows.map((row, i) => fromRow(row, first + i));
}

/**
 * An account's history index: runs of its entries, one value per account per commit, keyed by
 * the number of the run's first entry and holding each entry's transfer seq in order.
 */
export function legKey(account: string, firstN: number): string {
  return `${account}!${String(firstN).padStart(12, '0')}`;
}

/** The account and first entry number of a run's key. */
export function parseLegKey(key: string): [string, number] {
  const bang = key.indexOf('!');
  return [key.slice(0, bang), Number(key.slice(bang + 1))];
}
