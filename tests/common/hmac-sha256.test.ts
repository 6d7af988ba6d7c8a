import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../common/protocol/hmac-sha256.js';

describe('HmacSha256 (the secure channel\'s JavaScript MAC for small frames)', () => {
  it('agrees with node:crypto for every length from 0 to 600 bytes, and keys of any length up to a block', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64]) {
      const key = randomBytes(keyLength);
      const mac = new HmacSha256(key);
      for (let n = 0; n <= 600; n++) {
        const data = randomBytes(n);
        expect(Buffer.from(mac.mac(data)).toString('hex'), `key ${keyLength}, ${n} bytes`).toBe(createHmac('sha256', key).update(data).digest('hex'));
      }
    }
  });

  it('gives RFC 4231 test case 2 ("what do ya want for nothing?")', () => {
    const mac = new HmacSha256(Buffer.from('Jefe'));
    expect(Buffer.from(mac.mac(Buffer.from('what do ya want for nothing?'))).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('writes a truncated tag in place, and refuses keys longer than a block', () => {
    const key = randomBytes(32);
    const out = Buffer.alloc(40, 0xee);
    new HmacSha256(key).macInto(Buffer.from('frame'), out, 8, 16);
    expect(out.subarray(8, 24).toString('hex')).toBe(createHmac('sha256', key).update('frame').digest().subarray(0, 16).toString('hex'));
    expect(out.subarray(0, 8).every((b) => b === 0xee) && out.subarray(24).every((b) => b === 0xee)).toBe(true);
    expect(() => new HmacSha256(new Uint8Array(65))).toThrow(RangeError);
  });
});
