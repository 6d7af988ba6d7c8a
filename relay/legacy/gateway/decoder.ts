import { createHash } from 'node:crypto';
import { LEGACY_XOR_KEY, legacyXor } from './xor.js';

/** A request over this many bytes closes the connection (LEGACY-PROTOCOL §4, "Limits"). */
export const LEGACY_MAX_REQUEST_BYTES = 64 * 1024;

export type DecodedItem =
  /** One whole request: its decrypted JSON text (UTF-8 bytes). */
  | { kind: 'request'; plaintext: Buffer }
  /** Bytes that cannot start a request (the first does not decrypt to `{`): one error reply, then they are dropped. */
  | { kind: 'garbage' };

export class LegacyFramingError extends Error {}

const OPEN_BRACE = 0x7b;
const NEWLINE = 0x0a;
const SEND_TRAILER_BYTES = 32;

/**
 * The old protocol has no framing: a request is one XOR-ed JSON object written in one go, and
 * the old server took each socket read as one request. This decoder finds request boundaries in
 * the stream instead, by following the decrypted JSON's structure (depth, strings, escapes) as
 * bytes arrive, so two requests in one read give two requests and one split over reads gives one.
 * A request ends at the `}` that closes the top level, plus one optional `\n` (the client writes
 * one). After a free-text "Send" request the client appends the SHA-256 of the request's
 * ciphertext, not XOR-ed: those 32 bytes are recognised and discarded.
 */
export class LegacyDecoder {
  /** Bytes received and not yet taken (ciphertext). */
  private pending: Buffer = Buffer.alloc(0);
  /** Scan state of the request being read (its start is pending[0]). */
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** After a request: whether its optional `\n` may still come, at which key offset, and its ciphertext. */
  private after: { newlineAt: number; ciphertext: Buffer; trailer: boolean } | undefined;

  constructor(private readonly maxRequest = LEGACY_MAX_REQUEST_BYTES) {}

  /** Whether part of a request is waiting for more bytes (for the idle timeout). */
  get partial(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Takes a chunk from the socket and returns every request it completes, in order. `isSend`
   * tells, for a finished request, whether it is the free-text "Send" kind (command "" and no
   * args), after which a 32-byte trailer may follow. Throws LegacyFramingError when a request
   * grows past the limit.
   */
  push(chunk: Uint8Array, isSend: (plaintext: Buffer) => boolean): DecodedItem[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: DecodedItem[] = [];
    for (;;) {
      if (this.after && !this.settleAfter()) break;
      if (this.pending.length === 0) break;
      if (this.scanned === 0 && (this.pending[0]! ^ LEGACY_XOR_KEY[0]!) !== OPEN_BRACE) {
        // Not a request: like the old server, one error reply for what came, which is dropped.
        this.pending = Buffer.alloc(0);
        out.push({ kind: 'garbage' });
        break;
      }
      const end = this.scan();
      if (end === undefined) {
        if (this.pending.length > this.maxRequest) throw new LegacyFramingError(`a request longer than ${this.maxRequest} bytes`);
        break;
      }
      if (end > this.maxRequest) throw new LegacyFramingError(`a request longer than ${this.maxRequest} bytes`);
      const ciphertext = this.pending.subarray(0, end);
      const plaintext = legacyXor(ciphertext);
      this.pending = this.pending.subarray(end);
      this.resetScan();
      this.after = { newlineAt: end, ciphertext: Buffer.from(ciphertext), trailer: isSend(plaintext) };
      out.push({ kind: 'request', plaintext });
    }
    if (this.pending.length > 0 && this.pending.byteOffset !== 0) this.pending = Buffer.from(this.pending);
    return out;
  }

  /**
   * Consumes what may follow a request (its `\n`, a "Send" trailer). False while it cannot yet
   * tell (too few bytes), true once the next request's bytes start at pending[0].
   */
  private settleAfter(): boolean {
    const after = this.after!;
    if (after.newlineAt >= 0) {
      if (this.pending.length === 0) return false;
      // A request's first byte decrypts to `{`, never to `\n` at any key offset: no ambiguity.
      if ((this.pending[0]! ^ LEGACY_XOR_KEY[after.newlineAt % LEGACY_XOR_KEY.length]!) === NEWLINE) {
        after.ciphertext = Buffer.concat([after.ciphertext, this.pending.subarray(0, 1)]);
        this.pending = this.pending.subarray(1);
      }
      after.newlineAt = -1;
    }
    if (after.trailer) {
      const digest = createHash('sha256').update(after.ciphertext).digest();
      const have = Math.min(this.pending.length, SEND_TRAILER_BYTES);
      if (!this.pending.subarray(0, have).equals(digest.subarray(0, have))) {
        after.trailer = false;
      } else if (have < SEND_TRAILER_BYTES) {
        return false;
      } else {
        this.pending = this.pending.subarray(SEND_TRAILER_BYTES);
        after.trailer = false;
      }
    }
    this.after = undefined;
    return true;
  }

  /** Scans on from where it stopped; the end offset (exclusive) of the request, or undefined. */
  private scan(): number | undefined {
    const buf = this.pending;
    const n = LEGACY_XOR_KEY.length;
    for (let i = this.scanned; i < buf.length; i++) {
      const c = buf[i]! ^ LEGACY_XOR_KEY[i % n]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth <= 0) {
          this.scanned = i + 1;
          return i + 1;
        }
      }
    }
    this.scanned = buf.length;
    return undefined;
  }

  private resetScan(): void {
    this.scanned = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}
