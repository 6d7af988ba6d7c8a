import type { RelayConfig } from '../config.js';
import type { LedgerRules } from './types.js';

export function ledgerRules(config: RelayConfig): LedgerRules {
  return { currency: config.currency, largeTransferAlert: config.largeTransferAlert, defaultLimits: config.defaultLimits };
}
