import { isValidAccountNumber, normalizeAccountNumber } from '../../../common/account-number.js';
import type { Actor } from '../../auth/users.js';
import type { AliasReservation, AliasWriter, NewLegacyIdentity } from '../aliases.js';

/**
 * How names and numbers typed into the old client map onto this bank. After `bank-relay legacy
 * import` (or the gateway's CreateNewUser), an old account number (`ACC1003`) is an alias of a new
 * account and an old username may be a sign-in alias; otherwise old numbers are simply this
 * bank's account numbers and usernames its usernames.
 */
export interface LegacyDirectory {
  /** The bank's account number for what the person typed, or undefined when it names no account. */
  accountOf(typed: string): Promise<string | undefined>;
  /** The bank's username for a typed name (the sign-in alias when there is one). */
  userOf(typed: string): Promise<string>;
  /** How replies show an account: its old number when it has one, else the bank's number. */
  shownAccount(account: string): Promise<string>;
  /** How replies show a user: their old name when they have one, else the bank's username. */
  shownUser(username: string): Promise<string>;
  /** Holds an old account number for CreateNewUser until `link` (undefined: taken, as an alias of anyone, closed users included). */
  reserve(typed: string): Promise<AliasReservation | undefined>;
  /** Records the typed name and number as the old identity of the user CreateNewUser just made (through the bank's writer, audited). */
  link(writer: AliasWriter, identity: NewLegacyIdentity, by: Actor): Promise<unknown>;
}

/** What the alias directory needs of the import's index (relay/legacy/aliases.ts) and of the ledger. */
export interface AliasIndex {
  byLegacyUsername(legacyUsername: string): Promise<{ username: string } | undefined>;
  byLegacyAccount(legacyAccount: string): Promise<{ username: string } | undefined>;
  byUsername(username: string): Promise<{ legacyUsername: string; legacyAccount?: string } | undefined>;
  reserve(legacyAccount: string): Promise<AliasReservation | undefined>;
  link(writer: AliasWriter, identity: NewLegacyIdentity, by: Actor): Promise<unknown>;
}

export interface AccountOwners {
  account(number: string): Promise<{ owner: string | null } | undefined>;
  accountStatesOf(owner: string): Promise<{ account: string }[]>;
}

/**
 * After `bank-relay legacy import`: old account numbers and usernames, matched exactly as the old
 * system did (case-sensitive), name the imported users; anything else is read as this bank's own
 * (spaces and case ignored in its numbers, names as typed). Replies show an imported user's old
 * name and number. Without an import there are no aliases, and every name and number is the bank's.
 */
export function aliasDirectory(aliases: AliasIndex, ledger: AccountOwners): LegacyDirectory {
  return {
    async accountOf(typed) {
      const alias = await aliases.byLegacyAccount(typed);
      if (alias) return (await ledger.accountStatesOf(alias.username))[0]?.account;
      return isValidAccountNumber(typed) ? normalizeAccountNumber(typed) : undefined;
    },
    async userOf(typed) {
      return (await aliases.byLegacyUsername(typed))?.username ?? typed;
    },
    async shownAccount(account) {
      const owner = (await ledger.account(account))?.owner;
      const legacy = owner ? (await aliases.byUsername(owner))?.legacyAccount : undefined;
      return legacy ?? account;
    },
    async shownUser(username) {
      return (await aliases.byUsername(username))?.legacyUsername ?? username;
    },
    reserve: (typed) => aliases.reserve(typed),
    link: (writer, identity, by) => aliases.link(writer, identity, by),
  };
}
