import { loginUsernameSchema, normalizeUsername, usernameSchema } from '../../common/schemas/primitives.js';
import type { Role } from '../../common/schemas/primitives.js';
import type { UserRecord } from '../auth/records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { AccountState } from '../ledger/types.js';
import type { BankStore } from '../store/bank-store.js';

/**
 * Who answers to an old name or number of the Qt bank: the lookup API for the legacy gateway and
 * for bankrelay/1's sign-in. The aliases live on the imported users' records (`UserRecord.legacy`,
 * relay/legacy/record.ts); this is an index of them in memory, read from the store on first use.
 *
 * Freshness: on LevelDB only this process writes the bank (an import runs with the relay stopped),
 * so the index read once stays right as long as whoever writes a user with a `legacy` field here
 * calls `remember`. On PostgreSQL an import may run while relays serve the bank, so a miss reads
 * the users again, at most once per `refreshMs` (so unknown names cannot make it scan often).
 */

/** A user of this bank as the old system knew them. */
export interface LegacyAlias {
  /** The user in this bank (bankrelay/1's username). */
  username: string;
  role: Role;
  /** The old username, exactly as the old system matched it (case-sensitive, spaces kept). */
  legacyUsername: string;
  /** A customer's old account number, exactly as the old system wrote it. */
  legacyAccount?: string;
}

export interface LegacyAliasOptions {
  clock?: () => number;
  /** On a miss, read the store again when the last read is older than this (ms); default 30 s on PostgreSQL, never on LevelDB. */
  refreshMs?: number;
}

export class LegacyAliases {
  private byOldName = new Map<string, LegacyAlias>();
  private byOldAccount = new Map<string, LegacyAlias>();
  private byNewName = new Map<string, LegacyAlias>();
  /** The old username's bankrelay/1 sign-in form (normalized) → user, for names today's rules cannot keep. */
  private bySignIn = new Map<string, string>();
  private loadedAt: number | undefined;
  private loading: Promise<void> | undefined;
  private readonly clock: () => number;
  private readonly refreshMs: number;

  constructor(
    private readonly bank: Pick<BankStore, 'users' | 'kind'>,
    opts: LegacyAliasOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.refreshMs = opts.refreshMs ?? (bank.kind === 'postgres' ? 30_000 : Number.POSITIVE_INFINITY);
  }

  /** An index read at once (the import uses it to find what an earlier run imported). */
  static async load(bank: Pick<BankStore, 'users' | 'kind'>, opts: LegacyAliasOptions = {}): Promise<LegacyAliases> {
    const aliases = new LegacyAliases(bank, opts);
    await aliases.reload();
    return aliases;
  }

  /** The user who was `legacyUsername` in the old bank: exact match, as the old system compared names. */
  byLegacyUsername(legacyUsername: string): Promise<LegacyAlias | undefined> {
    return this.find(() => this.byOldName.get(legacyUsername));
  }

  /** The customer whose old account number is `legacyAccount`: exact match (`ACC1003`, not `acc1003`). */
  byLegacyAccount(legacyAccount: string): Promise<LegacyAlias | undefined> {
    return this.find(() => this.byOldAccount.get(legacyAccount));
  }

  /** What a user of this bank was in the old one, if imported from it. */
  byUsername(username: string): Promise<LegacyAlias | undefined> {
    return this.find(() => this.byNewName.get(username));
  }

  /**
   * bankrelay/1's sign-in: the user to check the password of when someone types their old name,
   * or undefined to use the name as typed. Only names today's rules do not allow are looked up
   * (`adham hossam`): a valid name always means the user of that name, so an alias never
   * shadows a real user, and ordinary sign-ins never touch the index.
   */
  async signInName(typed: string): Promise<string | undefined> {
    const parsed = loginUsernameSchema.safeParse(typed);
    if (!parsed.success || usernameSchema.safeParse(typed).success) return undefined;
    const key = parsed.data;
    return this.find(() => this.bySignIn.get(key));
  }

  /** The customer's account in this bank for an old account number, with its alias. */
  async resolveAccount(ledger: Pick<LedgerStore, 'accountStatesOf'>, legacyAccount: string): Promise<{ alias: LegacyAlias; account: AccountState } | undefined> {
    const alias = await this.byLegacyAccount(legacyAccount);
    if (!alias) return undefined;
    const [account] = await ledger.accountStatesOf(alias.username);
    return account ? { alias, account } : undefined;
  }

  /** Every alias known, by new username (for reports and tests). */
  async all(): Promise<LegacyAlias[]> {
    await this.ensureLoaded();
    return [...this.byNewName.values()];
  }

  /** Takes in a user record just written (with or without `legacy`): call after writing one on this process. */
  remember(user: Pick<UserRecord, 'username' | 'role' | 'legacy'>): void {
    this.forget(user.username);
    const legacy = user.legacy;
    if (!legacy) return;
    const alias: LegacyAlias = { username: user.username, role: user.role, legacyUsername: legacy.username, ...(legacy.account !== undefined && { legacyAccount: legacy.account }) };
    this.byNewName.set(alias.username, alias);
    this.byOldName.set(alias.legacyUsername, alias);
    if (alias.legacyAccount !== undefined) this.byOldAccount.set(alias.legacyAccount, alias);
    const signIn = signInFormOf(alias.legacyUsername);
    if (signIn !== undefined && signIn !== alias.username && !usernameSchema.safeParse(alias.legacyUsername).success) this.bySignIn.set(signIn, alias.username);
  }

  /** Drops a user's aliases (e.g. renamed or gone). */
  forget(username: string): void {
    const old = this.byNewName.get(username);
    if (!old) return;
    this.byNewName.delete(username);
    if (this.byOldName.get(old.legacyUsername) === old) this.byOldName.delete(old.legacyUsername);
    if (old.legacyAccount !== undefined && this.byOldAccount.get(old.legacyAccount) === old) this.byOldAccount.delete(old.legacyAccount);
    const signIn = signInFormOf(old.legacyUsername);
    if (signIn !== undefined && this.bySignIn.get(signIn) === username) this.bySignIn.delete(signIn);
  }

  private async find<T>(look: () => T | undefined): Promise<T | undefined> {
    await this.ensureLoaded();
    const found = look();
    if (found !== undefined) return found;
    if (this.loadedAt !== undefined && this.clock() - this.loadedAt >= this.refreshMs) {
      await this.reload();
      return look();
    }
    return undefined;
  }

  private async ensureLoaded(): Promise<void> {
    if (this.loadedAt === undefined) await this.reload();
  }

  /** Reads every user again; concurrent callers share one read. */
  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const next = new LegacyAliases(this.bank, { clock: this.clock, refreshMs: this.refreshMs });
        for await (const user of this.bank.users()) if (user.legacy) next.remember(user);
        this.byOldName = next.byOldName;
        this.byOldAccount = next.byOldAccount;
        this.byNewName = next.byNewName;
        this.bySignIn = next.bySignIn;
        this.loadedAt = this.clock();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}

/** How bankrelay/1's sign-in sees a typed name (trimmed, NFKC, lowercase), or undefined when it cannot be typed there. */
export function signInFormOf(legacyUsername: string): string | undefined {
  const parsed = loginUsernameSchema.safeParse(legacyUsername);
  return parsed.success ? parsed.data : undefined;
}

/** The same form without the length check, for comparing names (case-insensitive collisions). */
export function foldedName(name: string): string {
  return normalizeUsername(name);
}
