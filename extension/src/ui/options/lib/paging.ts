import type { Entry, LegacyEntry, Transfer } from '../../../../../common/schemas/models.js';

/*
 * Walking cursor-paged lists to the end, for exports. A cursor that repeats (a relay bug) ends
 * the walk instead of looping forever.
 */

export interface HistoryPage {
  entries: Entry[];
  next?: string | undefined;
}

/** The size of each page an export asks for (the relay's maximum). */
export const EXPORT_PAGE = 500;

/**
 * An account's entries with since ≤ ts ≤ until, oldest first. History comes newest first, so
 * the walk skips entries after `until` and stops at the first one before `since`.
 */
export async function collectStatement(
  fetchPage: (before: string | undefined) => Promise<HistoryPage>,
  range: { since?: string | undefined; until?: string | undefined },
  onProgress?: (found: number) => void,
): Promise<Entry[]> {
  const since = range.since ? Date.parse(range.since) : -Infinity;
  const until = range.until ? Date.parse(range.until) : Infinity;
  const found: Entry[] = [];
  const seen = new Set<string>();
  let before: string | undefined;
  for (;;) {
    const page = await fetchPage(before);
    for (const entry of page.entries) {
      const ts = Date.parse(entry.ts);
      if (ts > until) continue;
      if (ts < since) return found.reverse();
      found.push(entry);
    }
    onProgress?.(found.length);
    if (!page.next || seen.has(page.next) || page.entries.length === 0) return found.reverse();
    seen.add(page.next);
    before = page.next;
  }
}

export interface ImportedPage {
  legacyEntries?: LegacyEntry[] | undefined;
  next?: string | undefined;
}

/**
 * The entries imported from the old bank with since ≤ ts ≤ until, oldest first: the history's
 * imported part alone, from its own cursor (`legacy:0`, PROTOCOL "Legacy import").
 */
export async function collectImported(
  fetchPage: (before: string) => Promise<ImportedPage>,
  range: { since?: string | undefined; until?: string | undefined },
): Promise<LegacyEntry[]> {
  const since = range.since ? Date.parse(range.since) : -Infinity;
  const until = range.until ? Date.parse(range.until) : Infinity;
  const found: LegacyEntry[] = [];
  const seen = new Set<string>();
  let before = 'legacy:0';
  for (;;) {
    const page = await fetchPage(before);
    for (const entry of page.legacyEntries ?? []) {
      const ts = Date.parse(entry.ts);
      if (ts >= since && ts <= until) found.push(entry);
    }
    if (!page.next || seen.has(page.next) || !page.legacyEntries?.length) return found.reverse();
    seen.add(page.next);
    before = page.next;
  }
}

export interface TransferPage {
  transfers: Transfer[];
  next?: string | undefined;
}

/** Every transfer of a filtered list (the relay applies the filters), in the relay's order. */
export async function collectTransfers(
  fetchPage: (cursor: string | undefined) => Promise<TransferPage>,
  onProgress?: (found: number) => void,
): Promise<Transfer[]> {
  const found: Transfer[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    found.push(...page.transfers);
    onProgress?.(found.length);
    if (!page.next || seen.has(page.next) || page.transfers.length === 0) return found;
    seen.add(page.next);
    cursor = page.next;
  }
}
