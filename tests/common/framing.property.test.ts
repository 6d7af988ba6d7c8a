import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FramingError } from '../../common/protocol/framing.js';
import { acceptHello, HandshakeError, startClientHandshake } from '../../common/protocol/handshake.js';
import { nodeCryptoSuite, nodeIdentityFromPem, generateIdentityKeyPem } from '../../common/protocol/crypto-node.js';
import { utf8Decode, utf8Encode } from '../../common/encoding.js';

/*
 * Hostile input: property-based tests (fast-check) of the frame decoder and the
 * handshake parser. BANK_FUZZ_RUNS raises the number of cases (npm run soak).
 */
const RUNS = Number(process.env.BANK_FUZZ_RUNS ?? 0) || 1000;
const MAX_FRAME = 4096;

/** Splits bytes into chunks at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('the TCP frame decoder, on generated input', () => {
  it('returns exactly the frames that were sent, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (bodies, cuts) => {
        const decoder = new FrameDecoder(MAX_FRAME);
        const got = split(concat(bodies.map(encodeFrame)), cuts).flatMap((chunk) => decoder.push(chunk).map((f) => Uint8Array.from(f)));
        expect(got).toEqual(bodies.map((b) => Uint8Array.from(b)));
        expect(decoder.pendingBytes).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('on any bytes, only yields frames within the limit or fails with a FramingError, and never holds more than maxFrame + 4 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 10 }), (chunks) => {
        const decoder = new FrameDecoder(MAX_FRAME);
        for (const chunk of chunks) {
          let frames: Uint8Array[];
          try {
            frames = decoder.push(chunk);
          } catch (err) {
            expect(err).toBeInstanceOf(FramingError);
            // Once failed it stays failed.
            expect(() => decoder.push(new Uint8Array([1]))).toThrow(FramingError);
            return;
          }
          for (const f of frames) expect(f.length >= 1 && f.length <= MAX_FRAME).toBe(true);
          expect(decoder.pendingBytes).toBeLessThanOrEqual(MAX_FRAME + 4 + chunk.length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the handshake parser (relay side), on generated hellos', () => {
  const signer = nodeIdentityFromPem(generateIdentityKeyPem());
  const opts = { psk: new Uint8Array(0), heartbeatMs: 20_000, maxFrame: MAX_FRAME };

  async function outcome(bytes: Uint8Array): Promise<'accepted' | string> {
    try {
      await acceptHello(nodeCryptoSuite, signer, bytes, opts);
      return 'accepted';
    } catch (err) {
      // Only a HandshakeError, with a code the wire knows, may come out: never a TypeError or a crash.
      expect(err).toBeInstanceOf(HandshakeError);
      return (err as HandshakeError).code;
    }
  }

  it('refuses random bytes with a HandshakeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        expect(await outcome(bytes)).not.toBe('accepted');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses random JSON, and hellos with a field changed, dropped or added, without throwing anything else', async () => {
    const valid = JSON.parse(utf8Decode((await startClientHandshake(nodeCryptoSuite)).helloBytes)) as Record<string, unknown>;
    const mutated = fc.oneof(
      fc.jsonValue(),
      fc.record({ field: fc.constantFrom(...Object.keys(valid)), value: fc.jsonValue() }).map(({ field, value }) => ({ ...valid, [field]: value })),
      fc.constantFrom(...Object.keys(valid)).map((field) => {
        const { [field]: _gone, ...rest } = valid;
        return rest;
      }),
      fc.record({ key: fc.string({ maxLength: 10 }), value: fc.jsonValue() }).map(({ key, value }) => ({ ...valid, [key]: value })),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (message) => {
        const result = await outcome(utf8Encode(JSON.stringify(message)));
        // Adding a key that was already there with its own value leaves a valid hello.
        if (result === 'accepted') expect(message).toMatchObject(valid);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers v other than 1 with UNSUPPORTED_VERSION (no downgrade)', async () => {
    const valid = JSON.parse(utf8Decode((await startClientHandshake(nodeCryptoSuite)).helloBytes)) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue().filter((v) => v !== 1),
        async (v) => {
          expect(await outcome(utf8Encode(JSON.stringify({ ...valid, v })))).toBe('UNSUPPORTED_VERSION');
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );
  });
});
