import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TransferIdFilter } from '../../relay/store/leveldb/transfer-id-filter.js';

describe('TransferIdFilter', () => {
  it('never says "no" for an id it holds, through many growths', () => {
    const filter = new TransferIdFilter();
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    for (const id of ids) filter.add(id);
    expect(filter.size).toBe(ids.length);
    expect(ids.every((id) => filter.mayHave(id))).toBe(true);
  });

  it('says "no" for nearly every id it does not hold (a "maybe" only costs a read)', () => {
    const filter = new TransferIdFilter(20_000);
    for (let i = 0; i < 20_000; i++) filter.add(randomUUID());
    const strangers = Array.from({ length: 20_000 }, () => randomUUID());
    const maybes = strangers.filter((id) => filter.mayHave(id)).length;
    // 64-bit fingerprints: a false "maybe" is expected about 20,000² / 2⁶⁴ times, i.e. never.
    expect(maybes).toBe(0);
  });

  it('counts an id added twice once, and tells ids apart by every character', () => {
    const filter = new TransferIdFilter();
    const id = '123e4567-e89b-12d3-a456-426614174000';
    filter.add(id);
    filter.add(id);
    expect(filter.size).toBe(1);
    expect(filter.mayHave(id)).toBe(true);
    expect(filter.mayHave('123e4567-e89b-12d3-a456-426614174001')).toBe(false);
    expect(filter.mayHave('023e4567-e89b-12d3-a456-426614174000')).toBe(false);
    expect(filter.mayHave('')).toBe(false);
  });
});
