import type { AuditEntry } from '../../common/schemas/models.js';
import { AUDIT_GENESIS, type BankDb } from '../store/db.js';
import { verifyChain, type ChainVerdict } from './chain.js';

/** Verifies the chain as stored, in key order, against the stored head. */
export async function verifyStoredChain(bank: BankDb): Promise<ChainVerdict> {
  const head = await bank.auditHead();
  return verifyChain(bank.audit.values() as AsyncIterable<AuditEntry>, head, AUDIT_GENESIS);
}
