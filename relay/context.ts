import type { RelayConfig } from './config.js';
import type { Logger } from './log.js';
import type { BankStore } from './store/bank-store.js';
import type { CommitSink } from './ledger/writer.js';
import type { UserStore } from './auth/users.js';
import type { SessionStore } from './auth/sessions.js';
import type { LiveConnections } from './session/live.js';
import type { EventBus } from './session/events.js';
import type { RelayIdentity } from './identity.js';
import type { LedgerStore } from './ledger/ledger-store.js';
import type { MinuteRateLimit, WindowRateLimit } from './session/rate-limit.js';
import type { FailureBudget } from './auth/failure-budget.js';
import type { DailyLookupBudget } from './session/daily-lookups.js';
import type { LegacyAliases } from './legacy/aliases.js';

/** Everything an op handler may use. Built once by the relay and shared by all connections. */
export interface RelayContext {
  config: RelayConfig;
  log: Logger;
  bank: BankStore;
  commits: CommitSink;
  users: UserStore;
  sessions: SessionStore;
  ledger: LedgerStore;
  live: LiveConnections;
  events: EventBus;
  identity: RelayIdentity;
  clock: () => number;
  startedAt: number;
  /** True once the relay serves (not while it starts or stops): other requests are answered UNAVAILABLE. */
  serving(): boolean;
  /** Requests served, by op: a cheap figure for `admin.stats`. */
  opCounts: Map<string, number>;
  /** account.lookup allowance per user (over all their sessions). */
  lookupLimit: MinuteRateLimit;
  /** account.lookupMany's distinct accounts per user per day. */
  bulkLookups: DailyLookupBudget;
  /** Failed password checks by IP address (null: no throttle). */
  loginFailuresByIp: FailureBudget | null;
  /** `auth.register` calls by IP address (null: no limit). */
  registrationsByIp: WindowRateLimit | null;
  /** Old usernames and account numbers of users imported from the Qt bank (relay/legacy/aliases.ts). */
  legacy: LegacyAliases;
}
