// TCP framing (PROTOCOL §1): u32 big-endian length L, then L bytes, 1 ≤ L ≤ maxFrame.

const PREFIX = 4;
const U32_MAX = 0xffffffff;

export type FramingErrorReason = 'ZERO_LENGTH' | 'TOO_LARGE';

export class FramingError extends Error {
  override readonly name = 'FramingError';
  readonly reason: FramingErrorReason;
  /** The announced length, when known. */
  readonly length: number;

  constructor(reason: FramingErrorReason, length: number) {
    super(reason === 'ZERO_LENGTH' ? 'zero-length frame' : `frame of ${length} bytes is over the limit`);
    this.reason = reason;
    this.length = length;
  }
}

export function encodeFrame(body: Uint8Array): Uint8Array {
  if (body.length === 0 || body.length > U32_MAX) throw new RangeError(`cannot frame ${body.length} bytes`);
  const out = new Uint8Array(PREFIX + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, PREFIX);
  return out;
}

/**
 * Incremental decoder. Chunks are kept in a list and copied once, when a frame
 * completes, so many small chunks cost linear time. A bad length is refused as
 * soon as its 4 prefix bytes arrive, before any of the body is kept, so at most
 * maxFrame + 4 bytes are ever held. After an error the decoder stays failed.
 *
 * A body that lies within one pushed chunk is returned as a view of it (no copy).
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private head = 0; // index of the first live chunk
  private offset = 0; // consumed bytes of chunks[head]
  private buffered = 0;
  private bodyLength = -1; // -1 while waiting for a prefix
  private failure: FramingError | undefined;

  constructor(readonly maxFrame: number) {
    if (!Number.isInteger(maxFrame) || maxFrame < 1 || maxFrame > U32_MAX) throw new RangeError('bad maxFrame');
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.bodyLength < 0) {
        if (this.buffered < PREFIX) break;
        const p = this.take(PREFIX);
        const length = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
        if (length === 0) this.fail(new FramingError('ZERO_LENGTH', 0));
        if (length > this.maxFrame) this.fail(new FramingError('TOO_LARGE', length));
        this.bodyLength = length;
      }
      if (this.buffered < this.bodyLength) break;
      frames.push(this.take(this.bodyLength));
      this.bodyLength = -1;
    }
    return frames;
  }

  private fail(err: FramingError): never {
    this.failure = err;
    this.chunks = []; // drop whatever followed the bad prefix
    this.head = this.offset = this.buffered = 0;
    throw err;
  }

  /** Removes n ≤ buffered bytes from the front. */
  private take(n: number): Uint8Array {
    const first = this.chunks[this.head]!;
    let out: Uint8Array;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
    } else {
      out = new Uint8Array(n);
      let o = 0;
      while (o < n) {
        const c = this.chunks[this.head]!;
        const k = Math.min(c.length - this.offset, n - o);
        out.set(c.subarray(this.offset, this.offset + k), o);
        o += k;
        this.offset += k;
        if (this.offset === c.length) this.advance();
      }
    }
    if (this.head < this.chunks.length && this.offset === this.chunks[this.head]!.length) this.advance();
    this.buffered -= n;
    return out;
  }

  private advance(): void {
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Amortized compaction keeps the list from growing without shifting on every chunk.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
