import type { TransferRecord } from '../../ledger/types.js';
import { chunkKey, chunkOf, firstSeqOf, transfersOf, type JournalRow } from './journal.js';
import type { LevelTables, ReadAt } from './tables.js';

/** The journal's chunks, as the relay's readers walk them. */

/** Chunks read per round trip while walking the journal. */
const STEP = 64;

/** Every chunk from `fromChunk` on, in order: its number and its rows. */
export async function* chunksForward(t: LevelTables, at: ReadAt = {}, fromChunk = 0): AsyncGenerator<[number, JournalRow[]]> {
  const it = t.journal.iterator({ ...at, gte: chunkKey(fromChunk) });
  try {
    for (;;) {
      const page = await it.nextv(STEP);
      if (page.length === 0) return;
      for (const [key, rows] of page) yield [Number(key), rows as JournalRow[]];
    }
  } finally {
    await it.close();
  }
}

/** Every transfer in the ledger's order, from seq `fromSeq` on. */
export async function* transfersForward(t: LevelTables, at: ReadAt = {}, fromSeq = 1): AsyncGenerator<TransferRecord> {
  for await (const [chunk, rows] of chunksForward(t, at, chunkOf(fromSeq))) {
    for (const record of transfersOf(chunk, rows)) if (record.seq >= fromSeq) yield record;
  }
}

/** Every transfer newest first, below seq `below` when given. */
export async function* transfersBackward(t: LevelTables, below?: number): AsyncGenerator<TransferRecord> {
  const it = t.journal.iterator({ reverse: true, ...(below !== undefined && { lte: chunkKey(chunkOf(below)) }) });
  try {
    for (;;) {
      const page = await it.nextv(STEP);
      if (page.length === 0) return;
      for (const [key, rows] of page) {
        const records = transfersOf(Number(key), rows as JournalRow[]);
        for (let i = records.length - 1; i >= 0; i--) if (below === undefined || records[i]!.seq < below) yield records[i]!;
      }
    }
  } finally {
    await it.close();
  }
}

/** The journal's last chunk (the one being filled), or undefined when there are no transfers. */
export async function lastChunk(t: LevelTables, at: ReadAt = {}): Promise<{ chunk: number; rows: JournalRow[] } | undefined> {
  for await (const [key, rows] of t.journal.iterator({ ...at, reverse: true, limit: 1 })) return { chunk: Number(key), rows: rows as JournalRow[] };
  return undefined;
}

/** How many transfers the journal holds (the last seq). */
export async function transferCount(t: LevelTables, at: ReadAt = {}): Promise<number> {
  const last = await lastChunk(t, at);
  return last ? firstSeqOf(last.chunk) + last.rows.length - 1 : 0;
}

/**
 * Recently read chunks, decoded, for point reads by seq (history pages, replays). A chunk only
 * ever grows (rows are appended, never changed), so a cached one answers for the seqs it holds
 * and is read again for a seq past its end.
 */
export class ChunkCache {
  private readonly cache = new Map<number, TransferRecord[]>();

  constructor(
    private readonly t: LevelTables,
    private readonly size = 256,
  ) {}

  /** The transfers at these seqs (those the journal holds), in one read of the chunks not cached. */
  async transfersAt(seqs: Iterable<number>): Promise<Map<number, TransferRecord>> {
    const wanted = [...seqs];
    const missing = new Set<number>();
    for (const seq of wanted) {
      const cached = this.cache.get(chunkOf(seq));
      if (!cached || seq - firstSeqOf(chunkOf(seq)) >= cached.length) missing.add(chunkOf(seq));
    }
    if (missing.size > 0) {
      const chunks = [...missing];
      const found = (await this.t.journal.getMany(chunks.map(chunkKey))) as (JournalRow[] | undefined)[];
      chunks.forEach((chunk, i) => {
        const rows = found[i];
        if (!rows) return;
        this.cache.delete(chunk);
        this.cache.set(chunk, transfersOf(chunk, rows));
      });
      while (this.cache.size > this.size) this.cache.delete(this.cache.keys().next().value!);
    }
    const out = new Map<number, TransferRecord>();
    for (const seq of wanted) {
      const record = this.cache.get(chunkOf(seq))?.[seq - firstSeqOf(chunkOf(seq))];
      if (record) out.set(seq, record);
    }
    return out;
  }

  /** Forgets every chunk (after the database was reopened and re-read). */
  clear(): void {
    this.cache.clear();
  }
}
