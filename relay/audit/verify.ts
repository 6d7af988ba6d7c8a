import { AUDIT_GENESIS, type BankDb } from '../store/db.js';
import { verifyChain, type ChainVerdict } from './chain.js';

/** Marks a stored value that is not valid JSON; verifyChain reports it as a break at its place. */
const UNREADABLE = Symbol('unreadable audit entry');

/** Verifies the chain as stored, in key order, against the stored head. */
export async function verifyStoredChain(bank: BankDb): Promise<ChainVerdict> {
  const head = await bank.auditHead();
  return verifyChain(decodeEach(bank), head, AUDIT_GENESIS);
}

/**
 * The entries as raw text, each parsed on its own: with the sublevel's JSON encoding one
 * corrupted value would throw out of the iterator and the verifier could not say where.
 */
async function* decodeEach(bank: BankDb): AsyncGenerator<unknown> {
  for await (const text of bank.audit.values({ valueEncoding: 'utf8' }) as AsyncIterable<string>) {
    try {
      yield JSON.parse(text) as unknown;
    } catch {
      yield UNREADABLE;
    }
  }
}
