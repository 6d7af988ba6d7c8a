import { useState } from 'preact/hooks';

export interface LocalPages<T> {
  items: readonly T[];
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previous: () => void;
  next: () => void;
}

/** Pages of a list held in the page (a file's rows), for the shared Pager; `deps` changing starts again at page 1. */
export function useLocalPages<T>(all: readonly T[], size: number, deps: readonly unknown[]): LocalPages<T> {
  const key = JSON.stringify(deps);
  const [state, setState] = useState({ key, page: 1 });
  const pages = Math.max(1, Math.ceil(all.length / size));
  const page = state.key === key ? Math.min(state.page, pages) : 1;
  return {
    items: all.slice((page - 1) * size, page * size),
    page,
    hasPrevious: page > 1,
    hasNext: page < pages,
    previous: () => setState({ key, page: Math.max(1, page - 1) }),
    next: () => setState({ key, page: Math.min(pages, page + 1) }),
  };
}
