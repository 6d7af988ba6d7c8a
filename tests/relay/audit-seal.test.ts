import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditHash, sealAuditEntry, verifyChain, type AuditDraft } from '../../relay/audit/chain.js';
import { EMPTY_HEAD } from '../../relay/audit/chain.js';

/*
 * The writer seals every audit entry with a canonical JSON written for the entry's known fields
 * (it seals one per change: a hot path). It must be byte for byte what the general canonical
 * JSON (which `audit verify` recomputes) gives, for any draft.
 */
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const draft: fc.Arbitrary<AuditDraft> = fc.record(
  {
    actor: text,
    role: fc.constantFrom('user', 'admin', 'system', 'anonymous'),
    action: text,
    target: text,
    outcome: text,
    details: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  },
  { requiredKeys: ['actor', 'role', 'action', 'outcome'] },
);

describe('sealing an audit entry', () => {
  it('hashes exactly what audit verify recomputes, for any draft, and chains', async () => {
    fc.assert(
      fc.property(fc.array(draft, { minLength: 1, maxLength: 8 }), (drafts) => {
        let head = EMPTY_HEAD;
        for (const d of drafts) {
          const entry = sealAuditEntry(JSON.parse(JSON.stringify(d)) as AuditDraft, head, '2026-12-04T12:00:00.000Z');
          const { hash, ...body } = entry;
          expect(hash).toBe(auditHash(body));
          head = { seq: entry.seq, hash };
        }
      }),
      { numRuns: 300 },
    );
    const entries = [sealAuditEntry({ actor: 'a', role: 'user', action: 'x', outcome: 'ok' }, EMPTY_HEAD, '2026-01-01T00:00:00.000Z')];
    entries.push(sealAuditEntry({ actor: 'b', role: 'admin', action: 'y', target: 't', outcome: 'ok', details: { z: 1, a: [1, 'two'] } }, { seq: 1, hash: entries[0]!.hash }, '2026-01-01T00:00:01.000Z'));
    async function* each() {
      yield* entries;
    }
    expect(await verifyChain(each(), { seq: 2, hash: entries[1]!.hash })).toMatchObject({ ok: true, entries: 2 });
  });
});
