import type { ComponentChildren, JSX } from 'preact';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Notice } from '../../components/Notice.js';
import { Spinner } from '../../components/Spinner.js';
import { errorMessage } from '../lib/errors.js';

export interface TableStateProps {
  /** What the table lists ("Users"): names the region that scrolls it sideways. */
  label: string;
  loading: boolean;
  error: unknown;
  /** Rows to show; 0 shows the empty state. */
  count: number;
  emptyTitle: string;
  emptyText?: ComponentChildren;
  onRetry?: () => void;
  /** The table itself. */
  children: ComponentChildren;
  /** What is loading, for screen readers ("Loading users…"). */
  loadingLabel?: string;
}

/**
 * Loading, error and empty states around a table, so no list is ever a blank area. While a
 * reload runs with rows already shown, they stay (dimmed) instead of flashing away.
 */
export function TableState({ label, loading, error, count, emptyTitle, emptyText, onRetry, children, loadingLabel = 'Loading…' }: TableStateProps): JSX.Element {
  if (error !== undefined && error !== null) {
    return (
      <Notice tone="error" title="Could not load this list" actions={onRetry ? <Button onClick={onRetry}>Try again</Button> : undefined}>
        {errorMessage(error)}
      </Notice>
    );
  }
  if (loading && count === 0) {
    return (
      <div class="o-loading">
        <Spinner size={20} />
        <span role="status">{loadingLabel}</span>
      </div>
    );
  }
  if (count === 0) return <EmptyState title={emptyTitle}>{emptyText}</EmptyState>;
  // A table wider than the window scrolls sideways inside this box; a keyboard can scroll only
  // what it can focus, and a table of text has nothing focusable in it, so the box takes focus.
  return (
    <div
      class={loading ? 'o-table-wrap o-table-wrap--busy' : 'o-table-wrap'}
      role="region"
      aria-label={label}
      tabIndex={0}
      aria-busy={loading || undefined}
    >
      {children}
    </div>
  );
}

export interface PagerProps {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  /** What a page holds, e.g. "users". */
  noun?: string;
  shown?: number;
}

/** Previous / Next for cursor-paged lists (the relay's cursors only go forwards; we keep the trail). */
export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext, noun = 'items', shown }: PagerProps): JSX.Element | null {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav class="o-pager" aria-label={`Pages of ${noun}`}>
      <Button size="sm" onClick={onPrevious} disabled={!hasPrevious}>
        ← Previous
      </Button>
      <span class="o-pager__info">
        Page {page}
        {shown !== undefined ? ` · ${shown} ${noun}` : ''}
      </span>
      <Button size="sm" onClick={onNext} disabled={!hasNext}>
        Next →
      </Button>
    </nav>
  );
}
