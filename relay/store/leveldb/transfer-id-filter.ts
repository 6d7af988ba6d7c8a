/**
 * Every transfer id the ledger holds, as 64-bit fingerprints in one open-addressing table: a
 * "no" is certain, so a new transfer (nearly every request) needs no LevelDB read for its
 * idempotency check; a "maybe" (a retry, or a rare fingerprint collision) is settled by the
 * read. About 8 bytes per transfer at most 70 % load (5 M transfers: 64 MiB), where a Set of
 * the id strings would take over ten times that.
 */
export class TransferIdFilter {
  private table: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let slots = 1024;
    while (slots * 0.7 < expected) slots *= 2;
    this.table = new Uint32Array(slots * 2);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The table as bytes (little-endian u32 pairs), for a snapshot file. */
  get tableBytes(): Uint8Array {
    return new Uint8Array(this.table.buffer, this.table.byteOffset, this.table.byteLength);
  }

  /** A filter from snapshot bytes; undefined when they cannot be one (the caller scans instead). */
  static fromTable(bytes: Uint8Array, count: number): TransferIdFilter | undefined {
    const slots = bytes.byteLength / 8;
    if (!Number.isInteger(slots) || slots < 1024 || (slots & (slots - 1)) !== 0 || count > slots * 0.7) return undefined;
    const filter = new TransferIdFilter();
    filter.table = new Uint32Array(slots * 2);
    new Uint8Array(filter.table.buffer).set(bytes);
    filter.mask = slots - 1;
    filter.count = count;
    return filter;
  }

  /** false: no transfer with this id exists. true: one may (look it up). */
  mayHave(id: string): boolean {
    const [a, b] = fingerprint(id);
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const sa = this.table[2 * i]!;
      const sb = this.table[2 * i + 1]!;
      if (sa === 0 && sb === 0) return false;
      if (sa === a && sb === b) return true;
    }
  }

  add(id: string): void {
    if ((this.count + 1) > (this.mask + 1) * 0.7) this.grow();
    const [a, b] = fingerprint(id);
    if (this.insert(a, b)) this.count++;
  }

  private insert(a: number, b: number): boolean {
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const sa = this.table[2 * i]!;
      const sb = this.table[2 * i + 1]!;
      if (sa === 0 && sb === 0) {
        this.table[2 * i] = a;
        this.table[2 * i + 1] = b;
        return true;
      }
      if (sa === a && sb === b) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
    }
  }
}

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
