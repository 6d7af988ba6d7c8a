import { displayNameSchema, usernameSchema } from '../../../common/schemas/primitives.js';
import type { LegacyAlias } from '../aliases.js';
import { signInFormOf } from '../aliases.js';
import type { Finding, LegacyAdmin, LegacyCustomer, ParsedLegacyFile } from './parse.js';

/**
 * Decides what each valid record of the file becomes in this bank, before anything is written:
 * its username under today's rules (usernameSchema), how the person signs in with the old one,
 * and whether an earlier run imported it already (keyed by the old account number, §3.4.6).
 */

/** How the old username survives in this bank. */
export type NameMapping =
  /** Kept as is (already lowercase and valid). */
  | 'kept'
  /** Kept up to case or width: bankrelay/1 folds both, so the person types what they always typed. */
  | 'folded'
  /** Today's rules cannot keep it (spaces, length, characters): a new name; the old one is a sign-in alias. */
  | 'renamed'
  /** Its form is taken by another user of this bank: a new name; the old one works only on the legacy port. */
  | 'taken';

export interface PlannedRecord {
  role: 'user' | 'admin';
  source: LegacyCustomer | LegacyAdmin;
  username: string;
  displayName: string;
  mapping: NameMapping;
  /** How the person signs in over bankrelay/1, for the report. */
  signIn: string;
  /** Imported by an earlier run: nothing is written for it (its opening deposit is checked). */
  already?: LegacyAlias;
}

export interface ImportPlan {
  records: PlannedRecord[];
  /** Valid in the file, refused against this bank (e.g. an old account number imported for someone else). */
  rejected: Finding[];
}

export interface PlanLookups {
  /** What an earlier import made of an old account number or name. */
  byLegacyAccount(account: string): Promise<LegacyAlias | undefined>;
  byLegacyUsername(name: string): Promise<LegacyAlias | undefined>;
  /** Whether a username is taken in this bank. */
  isTaken(username: string): Promise<boolean>;
}

/** The username a valid old name becomes, with how (before checking it is free). */
export function mapUsername(old: string): { username: string; mapping: 'kept' | 'folded' | 'renamed' } {
  const parsed = usernameSchema.safeParse(old);
  if (parsed.success) return { username: parsed.data, mapping: parsed.data === old ? 'kept' : 'folded' };
  let s = old.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  s = s.replace(/[^a-z0-9_.-]+/g, '_').replace(/^[^a-z0-9]+/, '').replace(/[_.-]+$/, '').slice(0, 32).replace(/[_.-]+$/, '');
  if (s.length === 0) s = 'legacy_user';
  else if (s.length < 3) s = `${s}_user`;
  return { username: s, mapping: 'renamed' };
}

/** `name` with a numbered suffix that fits the 32-character limit. */
function withSuffix(name: string, n: number): string {
  const suffix = `_${n}`;
  return `${name.slice(0, 32 - suffix.length).replace(/[_.-]+$/, '')}${suffix}`;
}

export async function planImport(parsed: ParsedLegacyFile, lookups: PlanLookups): Promise<ImportPlan> {
  const records: PlannedRecord[] = [];
  const rejected: Finding[] = [];
  /** Names given to this file's records, so two of them never get the same one. */
  const planned = new Set<string>();
  const sources: { role: 'user' | 'admin'; source: LegacyCustomer | LegacyAdmin }[] = [
    ...parsed.customers.map((source) => ({ role: 'user' as const, source })),
    ...parsed.admins.map((source) => ({ role: 'admin' as const, source })),
  ];
  for (const { role, source } of sources) {
    const account = role === 'user' ? (source as LegacyCustomer).account : undefined;
    const byAccount = account !== undefined ? await lookups.byLegacyAccount(account) : undefined;
    const byName = await lookups.byLegacyUsername(source.username);
    const earlier = byAccount ?? byName;
    if (earlier) {
      const same = earlier.legacyUsername === source.username && earlier.legacyAccount === account && earlier.role === role;
      if (!same) {
        rejected.push({
          place: source.place,
          who: source.username,
          reason:
            byAccount && byAccount.legacyUsername !== source.username
              ? `old account number "${account}" was imported earlier for "${byAccount.legacyUsername}" (now ${byAccount.username})`
              : `old username "${source.username}" was imported earlier as ${earlier.role === 'admin' ? 'an administrator' : `the customer of "${earlier.legacyAccount ?? '?'}"`} (now ${earlier.username})`,
        });
        continue;
      }
      planned.add(earlier.username);
      records.push({ role, source, username: earlier.username, displayName: earlier.username, mapping: mappingOf(source.username, earlier.username), signIn: signInNote(source.username, earlier.username), already: earlier });
      continue;
    }
    const mapped = mapUsername(source.username);
    let username = mapped.username;
    let mapping: NameMapping = mapped.mapping;
    for (let n = 2; planned.has(username) || (await lookups.isTaken(username)); n++) {
      username = withSuffix(mapped.username, n);
      if (mapped.mapping !== 'renamed') mapping = 'taken';
    }
    planned.add(username);
    const display = displayNameSchema.safeParse(source.username);
    records.push({ role, source, username, displayName: display.success ? display.data : username, mapping, signIn: signInNote(source.username, username, mapping) });
  }
  return { records, rejected };
}

function mappingOf(old: string, username: string): NameMapping {
  const mapped = mapUsername(old);
  return mapped.username === username ? mapped.mapping : mapped.mapping === 'renamed' ? 'renamed' : 'taken';
}

/** How the person signs in over bankrelay/1, in words for the report. */
function signInNote(old: string, username: string, mapping: NameMapping = mappingOf(old, username)): string {
  switch (mapping) {
    case 'kept':
      return `signs in as "${username}"`;
    case 'folded':
      return `signs in as "${old}" (the same as "${username}": sign-in ignores case)`;
    case 'renamed':
      return signInFormOf(old) !== undefined
        ? `signs in as "${username}", or with the old name "${old}" (an alias)`
        : `signs in as "${username}" (the old name is too long to type at sign-in; it still works on the legacy port)`;
    case 'taken':
      return `signs in as "${username}": "${old}" belongs to another user of this bank (the old name still works on the legacy port)`;
  }
}
