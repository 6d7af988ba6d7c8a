import { describe, expect, it } from 'vitest';
import {
  b64urlDecode,
  b64urlEncode,
  bytesEqual,
  concatBytes,
  hexDecode,
  hexEncode,
  utf8Decode,
  utf8Encode,
} from '../../common/encoding.js';

const nodeB64url = (u8: Uint8Array) => Buffer.from(u8).toString('base64url');

describe('base64url', () => {
  it('round-trips every length and agrees with Node', () => {
    for (let n = 0; n < 70; n++) {
      const u8 = new Uint8Array(n).map((_, i) => (i * 97 + n * 13) & 0xff);
      const s = b64urlEncode(u8);
      expect(s).toBe(nodeB64url(u8));
      expect(hexEncode(b64urlDecode(s))).toBe(hexEncode(u8));
    }
    expect(b64urlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it('is strict', () => {
    for (const bad of ['QQ==', 'QQ=', 'A', 'AAAAA', 'QQ+', 'QQ/', 'Q Q', 'QR', 'QUF', 'é']) {
      expect(() => b64urlDecode(bad), bad).toThrow(Error);
    }
    expect(b64urlDecode('')).toEqual(new Uint8Array(0));
  });
});

describe('hex', () => {
  it('round-trips and is strict', () => {
    expect(hexEncode(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff');
    expect(hexDecode('00ABff')).toEqual(Uint8Array.of(0, 0xab, 0xff));
    for (const bad of ['0', 'zz', '0g', ' 00']) expect(() => hexDecode(bad), bad).toThrow(Error);
  });
});

describe('utf8 and bytes', () => {
  it('round-trips text and rejects invalid UTF-8', () => {
    expect(utf8Decode(utf8Encode('€ ok'))).toBe('€ ok');
    expect(() => utf8Decode(Uint8Array.of(0xc3, 0x28))).toThrow();
    expect(utf8Decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x31))).toBe('\ufeff1'); // BOM kept, not stripped
  });

  it('concatenates and compares', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});
