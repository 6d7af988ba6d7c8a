import { formatAccountNumber } from '../../../common/account-number.js';
import type { ImportReport, MappingRow, Tally } from './apply.js';
import type { Finding } from './parse.js';
import { formatMinor } from './parse.js';

/**
 * The reconciliation of `bank-relay legacy import` for a person to check against the file:
 * counts, the sum of the balances (in the file's own units), every record's mapping, and every
 * record rejected or changed with the reason. Balances print as the old system's numbers
 * (3796 → 3796.00), so they compare with the file directly.
 */
export function formatImportReport(r: ImportReport, opts: { where: string; option: string; stopped: boolean }): string {
  const lines: string[] = [];
  lines.push(`legacy import of ${r.file} (sha256 ${r.sha256.slice(0, 16)}…) into ${opts.where}${r.dryRun ? ': DRY RUN, nothing written' : ''}`);
  lines.push(`  layout:            ${r.layout === 'positional' ? 'users and admins at positions 0 and 1, as the old system wrote them' : 'users and admins found by key (not where the old system put them)'}`);
  lines.push(`  in the file:       ${r.inFile.users} users, ${r.inFile.admins} admins, ${r.inFile.history} history entries`);
  lines.push(`  ${(r.dryRun || opts.stopped ? 'would import:' : 'imported now:').padEnd(18)} ${tally(r.imported)}`);
  lines.push(`  already imported:  ${tally(r.alreadyImported)}`);
  lines.push(`  rejected:          ${r.rejected.length}`);
  lines.push(`  in the bank:       ${tally(r.accepted)}${r.dryRun || opts.stopped ? ' (after an import)' : ''}`);
  lines.push('');
  lines.push(`mappings (${r.mappings.length}):`);
  for (const m of r.mappings) lines.push(`  ${mapping(m)}`);
  section(lines, 'rejected', r.rejected);
  section(lines, 'changed', r.changed);
  section(lines, 'warnings', r.warnings);
  lines.push('');
  lines.push(outcome(r, opts));
  return `${lines.join('\n')}\n`;
}

function tally(t: Tally): string {
  return `${t.users} users (balances ${formatMinor(t.balances)}), ${t.admins} admins, ${t.history} history entries`;
}

function mapping(m: MappingRow): string {
  const old = m.role === 'user' ? `${JSON.stringify(m.legacyUsername)} ${m.legacyAccount}` : `${JSON.stringify(m.legacyUsername)} (admin)`;
  const now = m.role === 'user' ? `${m.username} ${m.account !== undefined ? formatAccountNumber(m.account) : '(new account)'}` : m.username;
  const money = m.role === 'user' ? `, balance ${formatMinor(m.balance ?? 0)}, ${m.history ?? 0} history` : '';
  const flags = [m.status, ...(m.mustChangePassword ? ['must choose a new password'] : []), ...(m.note !== undefined ? [m.note] : [])].join('; ');
  return `${m.place.padEnd(10)} ${old} → ${now}${money}: ${flags}; ${m.signIn}`;
}

function section(lines: string[], title: string, items: readonly Finding[]): void {
  if (items.length === 0) return;
  lines.push('');
  lines.push(`${title} (${items.length}):`);
  for (const f of items) lines.push(`  ${f.place.padEnd(10)} ${f.who !== undefined ? `${JSON.stringify(f.who)}: ` : ''}${f.reason}`);
}

function outcome(r: ImportReport, opts: { where: string; option: string; stopped: boolean }): string {
  const verify = `check it with: bank-relay ledger verify ${opts.option} ${opts.where} && bank-relay audit verify ${opts.option} ${opts.where}`;
  if (opts.stopped) return `nothing was written: ${r.rejected.length} record${r.rejected.length === 1 ? ' was' : 's were'} rejected. Fix the file and import again, or pass --allow-partial to import the rest.`;
  if (r.dryRun) return 'dry run: nothing was written.';
  if (!r.wrote) return `nothing to import: every record of this file is already in the bank (${r.alreadyImported.users} users, ${r.alreadyImported.admins} admins); nothing was changed.`;
  return `imported ${r.imported.users} users and ${r.imported.admins} admins${r.rejected.length > 0 ? `, ${r.rejected.length} rejected (--allow-partial)` : ''}; ${verify}`;
}
