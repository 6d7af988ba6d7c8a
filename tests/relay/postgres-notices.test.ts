import { describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, MAX_PAYLOAD, notices, type Posted, type RelayNotice } from '../../relay/store/postgres/event-hub.js';

/*
 * What a PostgreSQL relay announces of a commit: ranges of seqs that name whom they concern,
 * each notice under PostgreSQL's payload limit, batches never split.
 */

const RELAY = 'host.example:12345:0badcafe';

function sent(posted: Posted): { payloads: string[]; ranges: NonNullable<RelayNotice['posted']>[] } {
  const statements = notices(RELAY, { posted, ended: [] });
  const payloads = statements.map((s) => {
    expect(s.values?.[0]).toBe(EVENT_CHANNEL);
    return s.values?.[1] as string;
  });
  return { payloads, ranges: payloads.map((p) => (JSON.parse(p) as RelayNotice).posted!) };
}

/** Transfers from seq 100 on, each from `payer` to the name `payee(i)` gives. */
function transfers(n: number, payee: (i: number) => string | null, large: (i: number) => boolean = () => false): Posted['transfers'] {
  return Array.from({ length: n }, (_, i) => ({ seq: 100 + i, owners: ['payer', payee(i)], large: large(i) }));
}

function seqsOf(ranges: { first: number; last: number }[]): number[] {
  return ranges.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i));
}

describe('PostgreSQL notices of what a commit posted', () => {
  it('name a small commit in one notice: its range, everyone it concerns, its batches, and whether one is large', () => {
    const posted: Posted = { transfers: transfers(6, (i) => (i === 5 ? null : `payee_${i % 2}`), (i) => i === 4), batches: [{ first: 2, count: 3 }] };
    const { ranges } = sent(posted);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toMatchObject({ first: 100, last: 105, large: true, batches: [[102, 104]] });
    expect([...ranges[0]!.owners!].sort()).toEqual(['payee_0', 'payee_1', 'payer']);
  });

  it('spread a commit concerning many people over notices under the limit, each naming exactly the people of its range', () => {
    const name = (i: number) => `customer_with_a_rather_long_username_${i}`;
    const posted: Posted = { transfers: transfers(2_000, name), batches: [] };
    const { payloads, ranges } = sent(posted);
    expect(ranges.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_PAYLOAD);
    expect(seqsOf(ranges)).toEqual(posted.transfers.map((t) => t.seq));
    for (const r of ranges) {
      const expected = new Set(['payer', ...Array.from({ length: r.last - r.first + 1 }, (_, i) => name(r.first + i - 100))]);
      expect(new Set(r.owners)).toEqual(expected);
    }
  });

  it('keep a batch whole: one too large to name its people goes alone and unnamed, the transfers around it in notices of their own', () => {
    const posted: Posted = { transfers: transfers(1_002, (i) => `payee_number_${i}`), batches: [{ first: 1, count: 1_000 }] };
    const { payloads, ranges } = sent(posted);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_PAYLOAD);
    expect(seqsOf(ranges)).toEqual(posted.transfers.map((t) => t.seq));
    const batch = ranges.find((r) => r.batches !== undefined)!;
    expect(batch).toEqual({ first: 101, last: 1_100, batches: [[101, 1_100]] });
    expect(ranges.filter((r) => r !== batch).every((r) => r.owners !== undefined && r.batches === undefined)).toBe(true);
  });

  it('say nothing of a commit that posted nothing, and group ended sessions by reason', () => {
    const statements = notices(RELAY, {
      posted: { transfers: [], batches: [] },
      ended: [
        { key: 'a', reason: 'frozen' },
        { key: 'b' },
        { key: 'c', reason: 'frozen' },
      ],
    });
    const said = statements.map((s) => JSON.parse(s.values?.[1] as string) as RelayNotice);
    expect(said).toEqual([
      { relay: RELAY, ended: ['a', 'c'], reason: 'frozen' },
      { relay: RELAY, ended: ['b'] },
    ]);
  });
});
