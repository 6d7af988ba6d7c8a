import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TransferIdFilter } from '../../relay/store/leveldb/transfer-id-filter.js';

describe('TransferIdFilter', () => {
  it('names the seq of every id it holds, through many growths', () => {
    const filter = new TransferIdFilter();
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    ids.forEach((id, i) => filter.add(id, i + 1));
    expect(filter.size).toBe(ids.length);
    expect(ids.every((id, i) => filter.candidates(id).includes(i + 1))).toBe(true);
  });

  it('has no candidate for nearly every id it does not hold (a candidate only costs a read)', () => {
    const filter = new TransferIdFilter(20_000);
    for (let i = 0; i < 20_000; i++) filter.add(randomUUID(), i + 1);
    const strangers = Array.from({ length: 20_000 }, () => randomUUID());
    const maybes = strangers.filter((id) => filter.candidates(id).length > 0).length;
    // 64-bit fingerprints: a false candidate is expected about 20,000² / 2⁶⁴ times, i.e. never.
    expect(maybes).toBe(0);
  });

  it('counts an id added twice at one seq once, and tells ids apart by every character', () => {
    const filter = new TransferIdFilter();
    const id = '123e4567-e89b-12d3-a456-426614174000';
    filter.add(id, 7);
    filter.add(id, 7);
    expect(filter.size).toBe(1);
    expect(filter.candidates(id)).toEqual([7]);
    expect(filter.candidates('123e4567-e89b-12d3-a456-426614174001')).toEqual([]);
    expect(filter.candidates('023e4567-e89b-12d3-a456-426614174000')).toEqual([]);
    expect(filter.candidates('')).toEqual([]);
  });

  it('keeps a seq that does not fit out, rather than storing a wrong one', () => {
    const filter = new TransferIdFilter();
    expect(() => filter.add(randomUUID(), 2 ** 32)).toThrow(RangeError);
    expect(() => filter.add(randomUUID(), 0)).toThrow(RangeError);
  });
});
