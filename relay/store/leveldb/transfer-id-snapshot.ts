import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TransferIdFilter } from './transfer-id-filter.js';

/**
 * The transfer-id filter saved when the relay stops, so the next start reads one file instead
 * of the whole journal (5 M transfers: seconds). It covers the transfers up to `seq` and is
 * bound to this bank by the id stored at that seq: a snapshot from another bank, or from a later
 * state than the database now holds (an older copy restored in place), does not match and is
 * ignored, and the journal is read as after a crash. A matching snapshot stays valid whatever
 * happens later (transfers are never removed): the ids after `seq` are read from the journal.
 *
 * File: "BRTIDS02" ‖ seq (f64 LE) ‖ count (u32 LE) ‖ id length (u16 LE) ‖ id ‖ table ‖ SHA-256 of all before.
 * (A "BRTIDS01" file, from before the filter kept seqs, is not one: it is ignored.)
 * The table is the filter's memory as is, little-endian: a big-endian host neither writes nor
 * reads one (it scans).
 */
const USABLE = os.endianness() === 'LE';
const MAGIC = Buffer.from('BRTIDS02', 'latin1');

/** The snapshot's place in a data directory (beside `db/` and `identity.pem`). */
export function idSnapshotPath(dataDir: string): string {
  return path.join(dataDir, 'transfer-ids.snapshot');
}

export interface IdSnapshot {
  filter: TransferIdFilter;
  seq: number;
  idAtSeq: string;
}

export async function saveIdSnapshot(file: string, snapshot: IdSnapshot): Promise<void> {
  if (!USABLE) return;
  const id = Buffer.from(snapshot.idAtSeq, 'utf8');
  const head = Buffer.alloc(MAGIC.length + 8 + 4 + 2);
  MAGIC.copy(head, 0);
  head.writeDoubleLE(snapshot.seq, 8);
  head.writeUInt32LE(snapshot.filter.size, 16);
  head.writeUInt16LE(id.length, 20);
  const table = snapshot.filter.tableBytes;
  const digest = createHash('sha256').update(head).update(id).update(table).digest();
  // Written aside and renamed: a crash mid-write leaves the old snapshot or none, never half of one.
  const temp = `${file}.tmp`;
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writev([head, id, table, digest]);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
}

/** The snapshot in `file`, or undefined when there is none or it is damaged. */
export async function loadIdSnapshot(file: string): Promise<IdSnapshot | undefined> {
  if (!USABLE) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  const fixed = MAGIC.length + 8 + 4 + 2;
  if (bytes.length < fixed + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = bytes.subarray(0, bytes.length - 32);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32))) return undefined;
  const seq = bytes.readDoubleLE(8);
  const count = bytes.readUInt32LE(16);
  const idLength = bytes.readUInt16LE(20);
  if (!Number.isSafeInteger(seq) || seq < 1 || fixed + idLength > body.length) return undefined;
  const idAtSeq = body.subarray(fixed, fixed + idLength).toString('utf8');
  const filter = TransferIdFilter.fromTable(body.subarray(fixed + idLength), count);
  return filter ? { filter, seq, idAtSeq } : undefined;
}

