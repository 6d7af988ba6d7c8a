import type { MetricsSource } from './relay-metrics.js';
import type { RelayContext } from '../context.js';

interface RelayView {
  readonly context: RelayContext;
  readonly startupProblems: readonly string[];
  health(): { status: number };
}

/**
 * The scrape-time figures of a relay that may not exist yet: while the database is opening,
 * /metrics still answers, with zeros and bankrelay_ready 0.
 */
export function relayMetricsSource(relay: () => RelayView | undefined): MetricsSource {
  return {
    connectionsByTransport: () => relay()?.context.live.countByTransport() ?? { tcp: 0, ws: 0, legacy: 0 },
    sessions: () => relay()?.context.live.sessionCount ?? 0,
    auditHeadSeq: () => relay()?.context.commits.auditHead.seq ?? 0,
    ledgerAccounts: () => relay()?.context.ledger.counts().accounts ?? 0,
    ledgerTransfers: () => relay()?.context.ledger.counts().transfers ?? 0,
    ready: () => relay()?.health().status === 200,
    startupCheckPassed: () => (relay()?.startupProblems.length ?? 0) === 0,
  };
}
