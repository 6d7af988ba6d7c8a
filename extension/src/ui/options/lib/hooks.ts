import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change (and on reload), keeping the last data while reloading.
 * A slower earlier answer never overwrites a newer one.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Calls `fn` every `ms` while `enabled`, waiting for one call to finish before the next. */
export function usePolling(fn: () => Promise<void>, ms: number, enabled: boolean): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await fnRef.current();
      } catch {
        // the callback shows its own errors
      }
      if (!stopped) timer = setTimeout(run, ms);
    };
    timer = setTimeout(run, ms);
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [ms, enabled]);
}

export interface CursorPages<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  page: number;
  hasNext: boolean;
  hasPrevious: boolean;
  next: () => void;
  previous: () => void;
  reload: () => void;
}

/**
 * Cursor paging for a table: the cursors of the pages seen are kept, so Previous goes back
 * exactly. Changing `deps` (the filters) starts again at the first page.
 */
export function useCursorPages<T extends { next?: string | undefined }>(
  load: (cursor: string | undefined) => Promise<T>,
  deps: readonly unknown[],
): CursorPages<T> {
  const depsKey = JSON.stringify(deps);
  const [trail, setTrail] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: depsKey, cursors: [undefined] });
  const cursors = trail.key === depsKey ? trail.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const state = useAsync(() => load(cursor), [depsKey, cursors.length, cursor]);
  const nextCursor = state.data?.next;
  return {
    ...state,
    page: cursors.length,
    hasNext: !state.loading && nextCursor !== undefined,
    hasPrevious: cursors.length > 1,
    next: () => {
      if (nextCursor !== undefined) setTrail({ key: depsKey, cursors: [...cursors, nextCursor] });
    },
    previous: () => {
      if (cursors.length > 1) setTrail({ key: depsKey, cursors: cursors.slice(0, -1) });
    },
  };
}

/** Tells the background the person is active (resets auto-lock), at most once per interval. */
export function useActivitySignal(signal: () => void, intervalMs = 30_000): void {
  const last = useRef(0);
  const signalRef = useRef(signal);
  signalRef.current = signal;
  useEffect(() => {
    const onActivity = () => {
      const now = Date.now();
      if (now - last.current < intervalMs) return;
      last.current = now;
      signalRef.current();
    };
    document.addEventListener('keydown', onActivity, true);
    document.addEventListener('pointerdown', onActivity, true);
    return () => {
      document.removeEventListener('keydown', onActivity, true);
      document.removeEventListener('pointerdown', onActivity, true);
    };
  }, [intervalMs]);
}
