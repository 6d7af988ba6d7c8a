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
 * File: "BRTIDS03" ‖ seq (f64 LE) ‖ count (u32 LE) ‖ id length (u16 LE) ‖ id ‖ zeros to a
 * multiple of 4 bytes ‖ table ‖ SHA-256 of all before. (Files of earlier formats are ignored.)
 * The table is the filter's memory as is, little-endian, aligned so that a start uses the bytes
 * it read as the table without copying them; a big-endian host neither writes nor reads one (it
 * scans).
 */
const USABLE = os.endianness() === 'LE';
const MAGIC = Buffer.from('BRTIDS03', 'latin1');
const FIXED = MAGIC.length + 8 + 4 + 2;

/** Zeros after the id, so the table starts at a multiple of 4 bytes. */
function padding(idLength: number): number {
  return (4 - ((FIXED + idLength) % 4)) % 4;
}

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
  const head = Buffer.alloc(FIXED);
  MAGIC.copy(head, 0);
  head.writeDoubleLE(snapshot.seq, 8);
  head.writeUInt32LE(snapshot.filter.size, 16);
  head.writeUInt16LE(id.length, 20);
  const pad = Buffer.alloc(padding(id.length));
  const table = snapshot.filter.tableBytes;
  const digest = createHash('sha256').update(head).update(id).update(pad).update(table).digest();
  // Written aside and renamed: a crash mid-write leaves the old snapshot or none, never half of one.
  const temp = `${file}.tmp`;
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writev([head, id, pad, table, digest]);
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
  if (bytes.length < FIXED + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = bytes.subarray(0, bytes.length - 32);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32))) return undefined;
  const seq = bytes.readDoubleLE(8);
  const count = bytes.readUInt32LE(16);
  const idLength = bytes.readUInt16LE(20);
  const tableAt = FIXED + idLength + padding(idLength);
  if (!Number.isSafeInteger(seq) || seq < 1 || tableAt > body.length) return undefined;
  const idAtSeq = body.subarray(FIXED, FIXED + idLength).toString('utf8');
  const filter = TransferIdFilter.fromTable(body.subarray(tableAt), count);
  return filter ? { filter, seq, idAtSeq } : undefined;
}
