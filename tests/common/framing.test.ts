import { describe, expect, it } from 'vitest';
import { concatBytes, hexEncode } from '../../common/encoding.js';
import { encodeFrame, FrameDecoder, FramingError } from '../../common/protocol/framing.js';

const bodies = [Uint8Array.of(1), Uint8Array.of(2, 3, 4, 5, 6), new Uint8Array(9).fill(7), Uint8Array.of(8, 9)];
const stream = concatBytes(...bodies.map(encodeFrame));
const hexes = (frames: Uint8Array[]) => frames.map(hexEncode);

function framingError(fn: () => unknown): FramingError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FramingError);
    return e as FramingError;
  }
  throw new Error('expected a FramingError');
}

describe('encodeFrame', () => {
  it('prefixes a u32 big-endian length', () => {
    expect(hexEncode(encodeFrame(Uint8Array.of(0xaa, 0xbb)))).toBe('00000002aabb');
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('FrameDecoder', () => {
  it('decodes the stream whole', () => {
    const d = new FrameDecoder(64);
    expect(hexes(d.push(stream))).toEqual(hexes(bodies));
    expect(d.pendingBytes).toBe(0);
  });

  it('decodes the stream split at every byte boundary', () => {
    for (let i = 0; i <= stream.length; i++) {
      const d = new FrameDecoder(64);
      const out = [...d.push(stream.subarray(0, i)), ...d.push(stream.subarray(i))];
      expect(hexes(out)).toEqual(hexes(bodies));
    }
  });

  it('decodes the stream split at every pair of boundaries', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const d = new FrameDecoder(64);
        const out = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)].flatMap((c) => d.push(c));
        expect(hexes(out)).toEqual(hexes(bodies));
      }
    }
  });

  it('decodes one byte at a time and reports pending bytes', () => {
    const d = new FrameDecoder(64);
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...d.push(stream.subarray(i, i + 1)));
      expect(d.pendingBytes).toBeLessThan(4 + 9);
    }
    expect(hexes(out)).toEqual(hexes(bodies));
    expect(d.pendingBytes).toBe(0);
  });

  it('copies frames split over chunks (the pushed chunks may be reused)', () => {
    const d = new FrameDecoder(64);
    const a = encodeFrame(Uint8Array.of(1, 2, 3, 4));
    const chunk = a.slice(0, 6);
    expect(d.push(chunk)).toEqual([]);
    const [body] = d.push(a.slice(6));
    chunk.fill(0);
    expect(hexEncode(body!)).toBe('01020304');
  });

  it('handles a large frame delivered in many tiny chunks in linear time', () => {
    const body = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const framed = encodeFrame(body);
    const d = new FrameDecoder(body.length);
    let out: Uint8Array[] = [];
    for (let i = 0; i < framed.length; i += 3) out = out.concat(d.push(framed.subarray(i, i + 3)));
    expect(out).toHaveLength(1);
    expect(hexEncode(out[0]!)).toBe(hexEncode(body));
  });

  it('refuses a zero length', () => {
    const d = new FrameDecoder(64);
    expect(framingError(() => d.push(Uint8Array.of(0, 0, 0, 0, 1))).reason).toBe('ZERO_LENGTH');
  });

  it('refuses an over-max length after only the 4 prefix bytes', () => {
    const d = new FrameDecoder(1024);
    expect(d.push(Uint8Array.of(0, 0, 4))).toEqual([]);
    const err = framingError(() => d.push(Uint8Array.of(1)));
    expect(err.reason).toBe('TOO_LARGE');
    expect(err.length).toBe(1025);
    expect(d.pendingBytes).toBe(0);
    // The decoder stays failed: the stream cannot be resynchronized.
    expect(framingError(() => d.push(Uint8Array.of(1, 2, 3))).reason).toBe('TOO_LARGE');
  });

  it('refuses the largest u32 length without buffering the body', () => {
    const d = new FrameDecoder(1048576);
    const head = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3);
    const err = framingError(() => d.push(head));
    expect(err).toMatchObject({ reason: 'TOO_LARGE', length: 0xffffffff });
    expect(d.pendingBytes).toBe(0);
  });

  it('refuses a bad length that follows good frames in the same chunk, after yielding nothing more', () => {
    const d = new FrameDecoder(8);
    const good = encodeFrame(Uint8Array.of(1));
    expect(framingError(() => d.push(concatBytes(good, Uint8Array.of(0, 0, 0, 9)))).reason).toBe('TOO_LARGE');
  });

  it('accepts exactly maxFrame', () => {
    const max = 4096;
    const body = new Uint8Array(max).fill(5);
    const d = new FrameDecoder(max);
    const [out] = d.push(encodeFrame(body));
    expect(out!.length).toBe(max);
  });
});
