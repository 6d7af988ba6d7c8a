import type { RelayConfig } from '../config.js';
import type { BatchEffects } from '../ledger/commands.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { CommitSink } from '../ledger/writer.js';
import type { RelayIdentity } from '../identity.js';
import type { Logger } from '../log.js';
import type { RelayMetrics } from '../metrics/relay-metrics.js';
import type { EventBus } from '../session/events.js';
import type { LiveConnections } from '../session/live.js';
import type { BankStore } from './bank-store.js';

/** What a relay needs to open its store (either kind). */
export interface StoreOpening {
  config: RelayConfig;
  log: Logger;
  clock: () => number;
  metrics: RelayMetrics;
  events: EventBus;
  live: LiveConnections;
  /** The relay's long-term key (the embedded store signs what a clean stop leaves with it). */
  identity: RelayIdentity;
  /** Tells this relay's sessions what a batch this relay committed changed. */
  onCommitted: (effects: BatchEffects) => void;
}

/** A store opened, checked and ready for the relay to serve from. */
export interface OpenedStore {
  bank: BankStore;
  commits: CommitSink;
  ledger: LedgerStore;
  /** What the start-up check found; non-empty only when forceStart made the relay serve anyway. */
  startupProblems: readonly string[];
  /** Why the store takes no changes right now (`/healthz` answers 503 with it), if it does not. */
  readonly trouble: string | undefined;
  /** The relay is stopping: background work (retries, listeners) ends. */
  beginClose(): void;
  /** After every commit has drained: anything kept for the next start is saved, then the store closes. */
  close(): Promise<void>;
}
