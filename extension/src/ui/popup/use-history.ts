import { useMemo, useRef, useState } from 'preact/hooks';
import type { Entry, LegacyEntry } from '../../../../common/schemas/models.js';
import { call } from '../bridge.js';
import { toShownError, type ShownError } from './errors.js';

export const PAGE_SIZE = 20;

export interface History {
  /** Every entry known, newest first, without duplicates. */
  entries: Entry[];
  /** Entries imported from the old bank, loaded after every own entry (newest first). */
  imported: LegacyEntry[];
  /** Whether older entries exist beyond what is shown. */
  hasMore: boolean;
  loading: boolean;
  error?: ShownError | undefined;
  loadMore: () => void;
}

/**
 * The live first page (`recent`, pushed by the background) plus older pages fetched on demand.
 * Entries are kept by transferId, so an entry that a live update pushes out of `recent` is not
 * lost from the list, and a page that overlaps what is shown adds no duplicates. For a person
 * imported from the old bank (`hasImported`), the pages go on into the imported history.
 */
export function useHistory(recent: readonly Entry[], recentNext: string | undefined, hasImported = false): History {
  const known = useRef(new Map<string, Entry>());
  const [older, setOlder] = useState<Entry[]>([]);
  const [imported, setImported] = useState<LegacyEntry[]>([]);
  // undefined until a page has been loaded: until then the cursor is the background's.
  const [cursor, setCursor] = useState<{ next: string | undefined }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ShownError>();

  const entries = useMemo(() => {
    for (const e of recent) known.current.set(e.transferId, e);
    for (const e of older) if (!known.current.has(e.transferId)) known.current.set(e.transferId, e);
    return [...known.current.values()].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  }, [recent, older]);

  // When the first page holds every own entry, the imported ones start at their own cursor.
  const next = cursor ? cursor.next : (recentNext ?? (hasImported ? 'legacy:0' : undefined));

  function loadMore(): void {
    if (loading || !next) return;
    setLoading(true);
    setError(undefined);
    call('account.history', { limit: PAGE_SIZE, before: next, ...(hasImported && { legacy: true }) }).then(
      (page) => {
        setOlder((o) => [...o, ...page.entries]);
        if (page.legacyEntries?.length) setImported((o) => [...o, ...page.legacyEntries!]);
        setCursor({ next: page.next });
        setLoading(false);
      },
      (e: unknown) => {
        setError(toShownError(e));
        setLoading(false);
      },
    );
  }

  return { entries, imported, hasMore: Boolean(next), loading, error, loadMore };
}
