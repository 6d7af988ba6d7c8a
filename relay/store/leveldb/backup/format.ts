import { createHash, type Hash } from 'node:crypto';

/**
 * The backup file, `bankrelay-backup/1`:
 *
 *   header   one line of JSON, then "\n" (BackupHeader)
 *   records  tag (1 byte) ‖ u32 BE length ‖ name/key bytes ‖ u32 BE length ‖ value bytes
 *              tag 1: a LevelDB key/value pair, raw bytes, every sublevel (keys keep their "!name!" prefix)
 *              tag 2: a file of the data directory (identity.pem), name ‖ content
 *   trailer  tag 0 ‖ u64 BE record count ‖ SHA-256 (32 bytes) of every byte before the hash
 *
 * The file may be gzip-compressed as a whole (restore detects it); the checksum is over the
 * uncompressed bytes. A truncated file has no trailer; a flipped byte fails the hash.
 */
export const BACKUP_FORMAT = 'bankrelay-backup/1';
export const TAG_END = 0;
export const TAG_KV = 1;
export const TAG_FILE = 2;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  created: string;
  /** SPKI fingerprint (hex) of the relay's identity key. */
  fingerprint: string;
  /** Key/value records per sublevel. */
  counts: Record<string, number>;
  records: number;
  files: string[];
  audit: { seq: number; hash: string };
  ledger: { accounts: number; transfers: number };
}

export function encodeRecord(tag: number, key: Uint8Array, value: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + 4 + key.length + 4 + value.length);
  out[0] = tag;
  out.writeUInt32BE(key.length, 1);
  out.set(key, 5);
  out.writeUInt32BE(value.length, 5 + key.length);
  out.set(value, 9 + key.length);
  return out;
}

export function encodeTrailer(count: number, hash: Hash): Buffer {
  const head = Buffer.alloc(9);
  head[0] = TAG_END;
  head.writeBigUInt64BE(BigInt(count), 1);
  hash.update(head);
  return Buffer.concat([head, hash.digest()]);
}

/** The sublevel a raw root key belongs to ("!audit!0000…" → "audit"). */
export function sublevelOf(key: Uint8Array): string {
  const k = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (k[0] !== 0x21) return '';
  const end = k.indexOf(0x21, 1);
  return end < 0 ? '' : k.subarray(1, end).toString('utf8');
}

export type ParsedItem =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'kv'; key: Buffer; value: Buffer }
  | { kind: 'file'; name: string; content: Buffer }
  | { kind: 'end'; count: number };

export class BackupFormatError extends Error {}

/**
 * Parses the uncompressed byte stream incrementally, hashing as it goes. The `end` item is only
 * produced once the trailer's checksum has matched and nothing follows it; anything else (a
 * short file, a bad hash, trailing bytes) throws BackupFormatError.
 */
export async function* parseBackup(chunks: AsyncIterable<Buffer>): AsyncGenerator<ParsedItem> {
  const hash = createHash('sha256');
  let buf: Buffer = Buffer.alloc(0);
  let headerDone = false;
  let count = 0;
  let ended: { count: number; digest: Buffer } | undefined;
  let pending: Buffer | undefined; // the trailer, once read

  const take = (n: number): Buffer => {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };

  for await (const chunk of chunks) {
    if (pending) throw new BackupFormatError('unexpected bytes after the trailer');
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (!headerDone) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        if (buf.length > 1 << 20) throw new BackupFormatError('not a bank-relay backup (no header line)');
        continue;
      }
      const line = take(nl + 1);
      hash.update(line);
      let header: BackupHeader;
      try {
        header = JSON.parse(line.toString('utf8')) as BackupHeader;
      } catch {
        throw new BackupFormatError('not a bank-relay backup (the header is not JSON)');
      }
      if (header?.format !== BACKUP_FORMAT) throw new BackupFormatError(`not a ${BACKUP_FORMAT} file (format ${String(header?.format)})`);
      headerDone = true;
      yield { kind: 'header', header };
    }
    for (;;) {
      if (buf.length < 1) break;
      const tag = buf[0]!;
      if (tag === TAG_END) {
        if (buf.length < 41) break;
        const body = take(9);
        hash.update(body);
        const digest = take(32);
        ended = { count: Number(body.readBigUInt64BE(1)), digest };
        pending = digest;
        if (buf.length > 0) throw new BackupFormatError('unexpected bytes after the trailer');
        break;
      }
      if (tag !== TAG_KV && tag !== TAG_FILE) throw new BackupFormatError(`corrupted record (unknown tag ${tag}) after ${count} records`);
      if (buf.length < 5) break;
      const klen = buf.readUInt32BE(1);
      if (buf.length < 9 + klen) break;
      const vlen = buf.readUInt32BE(5 + klen);
      if (buf.length < 9 + klen + vlen) break;
      const rec = take(9 + klen + vlen);
      hash.update(rec);
      const key = Buffer.from(rec.subarray(5, 5 + klen));
      const value = Buffer.from(rec.subarray(9 + klen));
      count++;
      if (tag === TAG_KV) yield { kind: 'kv', key, value };
      else yield { kind: 'file', name: key.toString('utf8'), content: value };
    }
  }
  if (!headerDone) throw new BackupFormatError('the file is empty or truncated (no header)');
  if (!ended) throw new BackupFormatError(`the file is truncated (no trailer after ${count} records)`);
  if (!hash.digest().equals(ended.digest)) throw new BackupFormatError('checksum mismatch: the file is corrupted');
  if (ended.count !== count) throw new BackupFormatError(`the trailer counts ${ended.count} records but the file holds ${count}`);
  yield { kind: 'end', count };
}
