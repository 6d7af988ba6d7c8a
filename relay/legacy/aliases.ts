import { BankError } from '../../common/errors.js';
import { loginUsernameSchema, normalizeUsername, usernameSchema } from '../../common/schemas/primitives.js';
import type { Role } from '../../common/schemas/primitives.js';
import type { UserRecord } from '../auth/records.js';
import type { Actor, UserStore } from '../auth/users.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { AccountState } from '../ledger/types.js';
import type { CommitSink } from '../ledger/writer.js';
import type { BankStore } from '../store/bank-store.js';
import { KeyedLock } from '../store/keyed-lock.js';
import { gatewayLegacyRecord, LEGACY_ALIAS_ACTION, LEGACY_ACCOUNT_MAX } from './record.js';

/**
 * Who answers to an old name or number of the Qt bank: the lookup API for the legacy gateway and
 * for bankrelay/1's sign-in. The aliases live on the imported users' records (`UserRecord.legacy`,
 * relay/legacy/record.ts); this is an index of them in memory, read from the store on first use.
 *
 * Freshness: on LevelDB only this process writes the bank (an import runs with the relay stopped),
 * so the index read once stays right as long as whoever writes a user with a `legacy` field here
 * calls `remember`. On PostgreSQL an import may run while relays serve the bank, so a miss reads
 * the users again, at most once per `refreshMs` (so unknown names cannot make it scan often).
 *
 * Writing (`reserve`, `link`): the legacy gateway's CreateNewUser records the account number the
 * administrator typed as the new user's old identity, on the user's record through the bank's one
 * writer (a `user` RecordWrite from the version read, with a `legacy.alias` audit entry), so it
 * survives a restart like an imported one. An old number names one account for good: one already
 * an alias (of an open or a closed user) is refused, and `reserve` holds a number on this
 * process from the check until the link, so two creations rarely get as far as the write. The
 * writer is what guarantees it (execute.ts): a record giving a number another user holds is
 * refused with CONFLICT, also when another relay of one PostgreSQL bank recorded it moments ago.
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

/** The bank's writer, for recording an identity (the relay's own UserStore and CommitSink). */
export interface AliasWriter {
  users: Pick<UserStore, 'get' | 'withUser'>;
  commits: Pick<CommitSink, 'commit'>;
}

/** An old identity to record for a user this bank made on the legacy gateway. */
export interface NewLegacyIdentity {
  /** The user in this bank. */
  username: string;
  /** The name the administrator typed, exactly. */
  legacyUsername: string;
  /** The account number the administrator typed, exactly. */
  legacyAccount: string;
}

/** A number held by `reserve` until the user it is for is linked (or not made). */
export interface AliasReservation {
  release(): void;
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
  /** Old account numbers held by `reserve` on this process. */
  private readonly reserved = new Set<string>();
  private readonly numberLock = new KeyedLock();
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

  /**
   * Holds an old account number for a user about to be made (the gateway's CreateNewUser), or
   * undefined when it is taken: an alias already (of any user, closed ones included) or held.
   * Release it once the user is linked or was not made.
   */
  async reserve(legacyAccount: string): Promise<AliasReservation | undefined> {
    return this.numberLock.run(legacyAccount, async () => {
      if (this.reserved.has(legacyAccount) || (await this.byLegacyAccount(legacyAccount)) !== undefined) return undefined;
      this.reserved.add(legacyAccount);
      let held = true;
      return {
        release: () => {
          if (held) this.reserved.delete(legacyAccount);
          held = false;
        },
      };
    });
  }

  /**
   * Records `identity` on its user's record through the bank's writer, audited as
   * `legacy.alias` by `by`, and indexes it: later commands with the old number reach the user's
   * account, also after a restart. Refused (CONFLICT) when the number is another user's alias
   * (the writer checks it, on every store and across relays) or the user already has an old
   * identity; NOT_FOUND when the user is gone. Reserve the number first (`reserve`), so that a
   * number this relay knows is taken is refused before the user is made.
   */
  async link(writer: AliasWriter, identity: NewLegacyIdentity, by: Actor, at: Date = new Date(this.clock())): Promise<LegacyAlias> {
    const { username, legacyUsername, legacyAccount } = identity;
    if (legacyAccount.length === 0 || legacyAccount.length > LEGACY_ACCOUNT_MAX) throw new BankError('BAD_REQUEST', `legacyAccount: must be 1 to ${LEGACY_ACCOUNT_MAX} characters`);
    if (legacyUsername.length === 0) throw new BankError('BAD_REQUEST', 'legacyUsername: must not be empty');
    const written = await writer.users.withUser(username, async () => {
      const user = await writer.users.get(username);
      if (!user) throw new BankError('NOT_FOUND', `no user ${username}`);
      if (user.legacy) {
        if (user.legacy.account === legacyAccount && user.legacy.username === legacyUsername) return user;
        throw new BankError('CONFLICT', `${username} already has an old identity (${user.legacy.username})`);
      }
      const next: UserRecord = { ...user, legacy: gatewayLegacyRecord(legacyUsername, legacyAccount, at) };
      await writer.commits.commit(
        [{ type: 'user', user: next, from: user.version }],
        [{ ...by, action: LEGACY_ALIAS_ACTION, target: username, outcome: 'ok', details: { legacyUsername, legacyAccount, via: 'legacy gateway CreateNewUser' } }],
      );
      return next;
    });
    this.remember(written);
    return (await this.byUsername(username))!;
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
