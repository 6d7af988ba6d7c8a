/**
 * Every transfer id the ledger holds, as 64-bit fingerprints with the transfer's seq, in one
 * open-addressing table: "no candidate" is certain, so a new transfer (nearly every request)
 * needs no LevelDB read for its idempotency check; a candidate (a retry, or a rare fingerprint
 * collision) names the seq whose journal chunk holds the transfer, one read that settles it.
 * 12 bytes a slot at most 70 % load (5 M transfers: 96 MiB), where a Map of the id strings
 * would take over ten times that; the journal needs no index by id on disk.
 *
 * Seqs are stored in 32 bits: a bank of more than 4,294,967,295 transfers needs a wider table.
 */
export class TransferIdFilter {
  /** [fingerprint a, fingerprint b, seq] per slot; (0, 0) marks an empty one. */
  private table: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let slots = 1024;
    while (slots * 0.7 < expected) slots *= 2;
    this.table = new Uint32Array(slots * 3);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The table as bytes (little-endian u32 triples), for a snapshot file. */
  get tableBytes(): Uint8Array {
    return new Uint8Array(this.table.buffer, this.table.byteOffset, this.table.byteLength);
  }

  /** A filter over snapshot bytes (which it then owns); undefined when they cannot be one (the caller scans instead). */
  static fromTable(bytes: Uint8Array, count: number): TransferIdFilter | undefined {
    const slots = bytes.byteLength / 12;
    if (!Number.isInteger(slots) || slots < 1024 || (slots & (slots - 1)) !== 0 || count > slots * 0.7) return undefined;
    const filter = new TransferIdFilter();
    // The bytes themselves when aligned (a snapshot's are), else a copy.
    filter.table = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, slots * 3) : new Uint32Array(bytes.slice().buffer);
    filter.mask = slots - 1;
    filter.count = count;
    return filter;
  }

  /** The seqs of stored transfers whose id may be `id` (nearly always none, or the one that is). */
  candidates(id: string): readonly number[] {
    const [a, b] = fingerprint(id);
    let out: number[] | undefined;
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const sa = this.table[3 * i]!;
      const sb = this.table[3 * i + 1]!;
      if (sa === 0 && sb === 0) return out ?? NONE;
      if (sa === a && sb === b) (out ??= []).push(this.table[3 * i + 2]!);
    }
  }

  /** Records that the transfer at `seq` has id `id` (again: nothing changes). */
  add(id: string, seq: number): void {
    if (!Number.isInteger(seq) || seq < 1 || seq > 0xffffffff) throw new RangeError(`transfer seq ${seq} does not fit the id filter`);
    if (this.count + 1 > (this.mask + 1) * 0.7) this.grow();
    const [a, b] = fingerprint(id);
    if (this.insert(a, b, seq)) this.count++;
  }

  private insert(a: number, b: number, seq: number): boolean {
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const sa = this.table[3 * i]!;
      const sb = this.table[3 * i + 1]!;
      if (sa === 0 && sb === 0) {
        this.table[3 * i] = a;
        this.table[3 * i + 1] = b;
        this.table[3 * i + 2] = seq;
        return true;
      }
      if (sa === a && sb === b && this.table[3 * i + 2] === seq) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = (this.mask + 1) * 2 - 1;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!, old[i + 2]!);
    }
  }
}

const NONE: readonly number[] = Object.freeze([]);

/** Two independent 32-bit FNV-1a style hashes; (0, 0) marks an empty slot, so it is never returned. */
function fingerprint(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b) >>> 0;
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35) >>> 0;
  if (a === 0 && b === 0) b = 1;
  return [a, b];
}
