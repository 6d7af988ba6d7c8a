import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../common/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: 2, c: { z: true, y: null } })).toBe('{"a":2,"b":1,"c":{"y":null,"z":true}}');
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('sorts by UTF-16 code units, not by code point or locale', () => {
    // U+E000 is one unit 0xE000; U+1F600 is the surrogate pair 0xD83D 0xDE00, so it sorts first.
    const value = { '\u{E000}': 1, '\u{1F600}': 2, a: 3, B: 4, é: 5 };
    expect(canonicalJson(value)).toBe('{"B":4,"a":3,"é":5,"😀":2,"\u{E000}":1}');
  });

  it('keeps array order and nests', () => {
    expect(canonicalJson([3, 1, [2, { b: [], a: {} }]])).toBe('[3,1,[2,{"a":{},"b":[]}]]');
  });

  it('writes strings and numbers as JSON.stringify does', () => {
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
    expect(canonicalJson('Zoë 😀 €')).toBe('"Zoë 😀 €"');
    expect(canonicalJson([0, -0, 1.5, 1e21, 1e-7, -12345, Number.MAX_SAFE_INTEGER])).toBe(
      '[0,0,1.5,1e+21,1e-7,-12345,9007199254740991]',
    );
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });

  it('omits undefined properties and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1, f: () => 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('uses toJSON (dates)', () => {
    expect(canonicalJson({ ts: new Date(0) })).toBe('{"ts":"1970-01-01T00:00:00.000Z"}');
  });

  it('throws on what has no JSON form', () => {
    expect(() => canonicalJson(NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson([-Infinity])).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('agrees with JSON.parse', () => {
    const value = { z: [1, 'two', { three: 3 }], a: 'ünïcødé', m: -0.5 };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
