import { normalizeUsername, passwordSchema } from '../../../common/schemas/primitives.js';
import { LEGACY_HISTORY_MAX, type LegacyHistoryItem } from '../record.js';

/**
 * Reads the old Qt bank's `BankDatabase.json` (LEGACY-PROTOCOL §3) and validates every record,
 * with no I/O: what can be imported, and every record rejected or changed with the reason, for
 * the reconciliation a person checks against the file. Rules of §3.4: find `users` and `admins`
 * by key (warn when they are not at positions 0 and 1), amounts to minor units only when exact,
 * never guess; a negative or unreadable balance, a missing account number or password, a
 * duplicate name or account, a name in both lists are rejected; `is_logged_in` is ignored;
 * unknown keys are reported.
 */

/** The largest file read (the old system's whole bank; its sample is about 6 KiB). */
export const LEGACY_FILE_MAX_BYTES = 32 * 1024 * 1024;

export interface LegacyCustomer {
  /** Where in the file: `users[3]`. */
  place: string;
  username: string;
  account: string;
  /** Minor units, ≥ 0. */
  balance: number;
  password: string;
  /** Below today's policy: imported, and bankrelay/1 asks for a new one at the next sign-in. */
  weakPassword: boolean;
  /** Newest first, at most LEGACY_HISTORY_MAX. */
  history: LegacyHistoryItem[];
}

export interface LegacyAdmin {
  place: string;
  username: string;
  password: string;
  weakPassword: boolean;
}

/** A record (or a part of one) the import did not take as written, and why. */
export interface Finding {
  place: string;
  /** The old username (or account number) it concerns, when known. */
  who?: string;
  reason: string;
}

export interface ParsedLegacyFile {
  /** `positional`: `[{users}, {admins}]` as the old system wrote it; `by-key`: found elsewhere. */
  layout: 'positional' | 'by-key';
  customers: LegacyCustomer[];
  admins: LegacyAdmin[];
  /** Records in the file, valid or not. */
  inFile: { users: number; admins: number; history: number };
  /** Not imported: whole records, or single history entries. */
  rejected: Finding[];
  /** Imported, but not as written (a generated id, history over the cap). */
  changed: Finding[];
  /** Worth a look, nothing lost (layout, unknown keys, duplicate ids). */
  warnings: Finding[];
}

/** The file as a whole cannot be imported (not JSON, no users and no admins, ambiguous). */
export class LegacyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyFileError';
  }
}

const USER_KEYS = new Set(['account_number', 'balance', 'is_logged_in', 'password', 'transactions', 'username']);
const ADMIN_KEYS = new Set(['is_logged_in', 'password', 'username']);
const TRANSACTION_KEYS = new Set(['amount', 'date', 'transactionId']);
/** Longest old account number kept as an alias (the old system's are 7–10 characters). */
const ACCOUNT_MAX = 64;
const USERNAME_MAX = 256;
/** What bankrelay/1's sign-in accepts (loginPasswordSchema): a longer one could never be typed there. */
const PASSWORD_MAX = 256;

export function parseLegacyFile(text: string): ParsedLegacyFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LegacyFileError(`not a JSON document: ${(err as Error).message}`);
  }
  const out: ParsedLegacyFile = { layout: 'positional', customers: [], admins: [], inFile: { users: 0, admins: 0, history: 0 }, rejected: [], changed: [], warnings: [] };
  const { users, admins, layout, note } = locate(doc);
  out.layout = layout;
  if (note) out.warnings.push({ place: 'file', reason: note });

  out.inFile.users = users.length;
  out.inFile.admins = admins.length;
  const customers = users.map((raw, i) => readCustomer(raw, `users[${i}]`, out));
  const adminRecords = admins.map((raw, i) => readAdmin(raw, `admins[${i}]`, out));
  out.inFile.history = users.reduce<number>((n, u) => n + (isObject(u) && Array.isArray(u.transactions) ? u.transactions.length : 0), 0);

  // A name in both lists: the old system let the admin win at Login, silently; a person decides.
  const adminNames = new Set(adminRecords.filter(isDefined).map((a) => a.username));
  const both = new Set(customers.filter(isDefined).map((c) => c.username).filter((n) => adminNames.has(n)));
  const keep = <T extends { place: string; username: string }>(r: T | undefined): r is T => {
    if (!r) return false;
    if (!both.has(r.username)) return true;
    out.rejected.push({ place: r.place, who: r.username, reason: `"${r.username}" is in both users and admins: a person must decide which it is (fix the file and import again)` });
    return false;
  };
  const validCustomers = customers.filter((c): c is LegacyCustomer => keep(c));
  const validAdmins = adminRecords.filter((a): a is LegacyAdmin => keep(a));

  // Names and account numbers must be unique; names also case-insensitively (bankrelay/1 folds case).
  const names = new Map<string, string>();
  const folded = new Map<string, string>();
  const accounts = new Map<string, string>();
  const accountsFolded = new Map<string, string>();
  const isCustomer = (r: LegacyCustomer | LegacyAdmin): r is LegacyCustomer => 'account' in r;
  for (const r of [...validCustomers, ...validAdmins] as (LegacyCustomer | LegacyAdmin)[]) {
    const exact = names.get(r.username);
    const fold = folded.get(normalizeUsername(r.username));
    let reason: string | undefined;
    if (exact !== undefined) reason = `duplicate username "${r.username}" (first at ${exact})`;
    else if (fold !== undefined) reason = `username "${r.username}" differs only in case or width from the one at ${fold}: a person must decide (bankrelay/1 does not tell them apart)`;
    else if (isCustomer(r)) {
      const taken = accounts.get(r.account);
      if (taken !== undefined) reason = `duplicate account number "${r.account}" (first at ${taken})`;
    }
    if (reason !== undefined) {
      out.rejected.push({ place: r.place, who: r.username, reason });
      continue;
    }
    names.set(r.username, r.place);
    folded.set(normalizeUsername(r.username), r.place);
    if (isCustomer(r)) {
      const caseTwin = accountsFolded.get(r.account.toUpperCase());
      if (caseTwin !== undefined) out.warnings.push({ place: r.place, who: r.username, reason: `account number "${r.account}" differs only in case from the one at ${caseTwin}; both are kept, matched exactly as the old system did` });
      accounts.set(r.account, r.place);
      accountsFolded.set(r.account.toUpperCase(), r.place);
      out.customers.push(r);
    } else {
      out.admins.push(r);
    }
  }
  return out;
}

function locate(doc: unknown): { users: unknown[]; admins: unknown[]; layout: 'positional' | 'by-key'; note?: string } {
  const found: { key: 'users' | 'admins'; at: string; value: unknown }[] = [];
  const look = (obj: unknown, at: string) => {
    if (!isObject(obj)) return;
    for (const key of ['users', 'admins'] as const) if (key in obj) found.push({ key, at, value: obj[key] });
  };
  if (Array.isArray(doc)) doc.forEach((el, i) => look(el, `[${i}]`));
  else look(doc, 'the top level');
  const users = found.filter((f) => f.key === 'users');
  const admins = found.filter((f) => f.key === 'admins');
  if (users.length === 0 && admins.length === 0) throw new LegacyFileError('no "users" and no "admins" found: this is not a BankDatabase.json of the old bank');
  if (users.length > 1) throw new LegacyFileError(`"users" appears ${users.length} times (${users.map((u) => u.at).join(', ')}): cannot tell which is the bank`);
  if (admins.length > 1) throw new LegacyFileError(`"admins" appears ${admins.length} times (${admins.map((a) => a.at).join(', ')}): cannot tell which is the bank`);
  for (const f of found) if (!Array.isArray(f.value)) throw new LegacyFileError(`"${f.key}" at ${f.at} is not a list`);
  const u = users[0];
  const a = admins[0];
  const positional = Array.isArray(doc) && u?.at === '[0]' && a?.at === '[1]';
  const notes: string[] = [];
  if (!positional) notes.push(`"users" and "admins" are not at positions 0 and 1 of a list as the old system wrote them (found users at ${u?.at ?? 'nowhere'}, admins at ${a?.at ?? 'nowhere'}); read by key`);
  return {
    users: (u?.value as unknown[] | undefined) ?? [],
    admins: (a?.value as unknown[] | undefined) ?? [],
    layout: positional ? 'positional' : 'by-key',
    ...(notes.length > 0 && { note: notes.join('; ') }),
  };
}

function readCustomer(raw: unknown, place: string, out: ParsedLegacyFile): LegacyCustomer | undefined {
  if (!isObject(raw)) {
    out.rejected.push({ place, reason: 'not a user record (an object)' });
    return undefined;
  }
  const username = readName(raw.username, place, out);
  const who = username ?? (typeof raw.account_number === 'string' ? raw.account_number : undefined);
  const reject = (reason: string) => {
    out.rejected.push({ place, ...(who !== undefined && { who }), reason });
    return undefined;
  };
  if (username === undefined) return undefined;
  const account = raw.account_number;
  if (typeof account !== 'string' || account.length === 0) return reject(`account_number is ${describe(account)}: a customer needs one`);
  if (account.length > ACCOUNT_MAX || /[\p{Cc}]/u.test(account)) return reject(`account_number "${account.slice(0, 80)}" is not one the old client could type (over ${ACCOUNT_MAX} characters or control characters)`);
  const password = readPassword(raw.password);
  if (typeof password !== 'string') return reject(password.reason);
  const balance = toMinorUnits(raw.balance);
  if (typeof balance !== 'number') return reject(`balance ${balance.reason}`);
  if (balance < 0) return reject(`balance is negative (${formatMinor(balance)}): not imported; a person must settle it`);
  noteExtraKeys(raw, USER_KEYS, place, username, out);
  return { place, username, account, balance, password, weakPassword: isWeak(password), history: readHistory(raw.transactions, place, username, account, out) };
}

function readAdmin(raw: unknown, place: string, out: ParsedLegacyFile): LegacyAdmin | undefined {
  if (!isObject(raw)) {
    out.rejected.push({ place, reason: 'not an admin record (an object)' });
    return undefined;
  }
  const username = readName(raw.username, place, out);
  if (username === undefined) return undefined;
  const password = readPassword(raw.password);
  if (typeof password !== 'string') {
    out.rejected.push({ place, who: username, reason: password.reason });
    return undefined;
  }
  noteExtraKeys(raw, ADMIN_KEYS, place, username, out);
  return { place, username, password, weakPassword: isWeak(password) };
}

function readName(raw: unknown, place: string, out: ParsedLegacyFile): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0) {
    out.rejected.push({ place, reason: `username is ${describe(raw)}` });
    return undefined;
  }
  if (raw.length > USERNAME_MAX || /[\p{Cc}]/u.test(raw)) {
    out.rejected.push({ place, who: raw.slice(0, 80), reason: `username is not one the old client could type (over ${USERNAME_MAX} characters or control characters)` });
    return undefined;
  }
  return raw;
}

function readPassword(raw: unknown): string | { reason: string } {
  if (typeof raw !== 'string' || raw.length === 0) return { reason: `password is ${describe(raw)}: nobody could sign in` };
  if (raw.length > PASSWORD_MAX) return { reason: `password is over ${PASSWORD_MAX} characters: it could not be typed at sign-in` };
  if (raw.includes('\0')) return { reason: 'password holds a NUL character' };
  return raw;
}

function isWeak(password: string): boolean {
  return !passwordSchema.safeParse(password).success;
}

function readHistory(raw: unknown, place: string, who: string, account: string, out: ParsedLegacyFile): LegacyHistoryItem[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    out.rejected.push({ place: `${place}.transactions`, who, reason: `transactions is ${describe(raw)}, not a list: no history imported` });
    return [];
  }
  const items: { item: LegacyHistoryItem; order: number }[] = [];
  const ids = new Set<string>();
  raw.forEach((t, i) => {
    const at = `${place}.transactions[${i}]`;
    if (!isObject(t)) {
      out.rejected.push({ place: at, who, reason: 'not a transaction (an object)' });
      return;
    }
    const amount = toMinorUnits(t.amount);
    if (typeof amount !== 'number') {
      out.rejected.push({ place: at, who, reason: `amount ${amount.reason}` });
      return;
    }
    if (typeof t.date !== 'string' || !isDate(t.date)) {
      out.rejected.push({ place: at, who, reason: `date is ${describe(t.date)}, not a yyyy-MM-dd day` });
      return;
    }
    let id: string;
    let generated = false;
    if (t.transactionId === undefined) {
      // Older records have none (§3.2): one is made up, stable for the same file.
      id = `${account}-${raw.length - i}`;
      generated = true;
      out.changed.push({ place: at, who, reason: `no transactionId: imported as "${id}"` });
    } else if (typeof t.transactionId === 'string' && /^[\x21-\x7e]{1,64}$/.test(t.transactionId)) {
      id = t.transactionId;
    } else {
      out.rejected.push({ place: at, who, reason: `transactionId is ${describe(t.transactionId)}` });
      return;
    }
    if (ids.has(id)) out.warnings.push({ place: at, who, reason: `transactionId "${id}" appears twice on this account; both entries kept` });
    ids.add(id);
    for (const key of Object.keys(t)) if (!TRANSACTION_KEYS.has(key)) out.warnings.push({ place: at, who, reason: `unknown key "${key}" not imported` });
    items.push({ item: { id, date: t.date, amount, ...(generated && { generated: true as const }) }, order: i });
  });
  // Newest first, as the old system stored them; same-day entries keep the file's order.
  items.sort((a, b) => (a.item.date === b.item.date ? a.order - b.order : a.item.date < b.item.date ? 1 : -1));
  if (items.length > LEGACY_HISTORY_MAX) {
    const left = items.length - LEGACY_HISTORY_MAX;
    out.changed.push({ place: `${place}.transactions`, who, reason: `${items.length} history entries: the newest ${LEGACY_HISTORY_MAX} imported, the ${left} oldest left out (at most ${LEGACY_HISTORY_MAX} per user)` });
    items.length = LEGACY_HISTORY_MAX;
  }
  return items.map((x) => x.item);
}

function noteExtraKeys(raw: Record<string, unknown>, known: ReadonlySet<string>, place: string, who: string, out: ParsedLegacyFile): void {
  for (const key of Object.keys(raw)) if (!known.has(key)) out.warnings.push({ place, who, reason: `unknown key "${key}" not imported` });
}

/**
 * An amount of the old file in minor units, only when it is exact (§3.4): a JSON number with at
 * most 2 decimals, within the safe range. Anything else is reported, never guessed.
 */
export function toMinorUnits(x: unknown): number | { reason: string } {
  if (typeof x !== 'number') return { reason: `is ${describe(x)}, not a number` };
  if (!Number.isFinite(x)) return { reason: 'is not a finite number' };
  const scaled = x * 100;
  const rounded = Math.round(scaled);
  if (Math.abs(scaled - rounded) >= 1e-6) return { reason: `${x} has more than 2 decimals` };
  if (!Number.isSafeInteger(rounded)) return { reason: `${x} is too large` };
  return rounded === 0 ? 0 : rounded;
}

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** 12345 → "123.45", for reports. */
export function formatMinor(n: number): string {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function describe(x: unknown): string {
  if (x === undefined) return 'missing';
  if (x === null) return 'null';
  if (typeof x === 'string') return x.length === 0 ? 'empty' : `the text ${JSON.stringify(x.slice(0, 40))}`;
  if (Array.isArray(x)) return 'a list';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isDefined<T>(x: T | undefined): x is T {
  return x !== undefined;
}
