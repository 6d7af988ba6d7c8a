import type { ComponentChildren, JSX } from 'preact';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Notice } from '../../components/Notice.js';
import { Spinner } from '../../components/Spinner.js';
import { t } from '../../../shared/i18n.js';
import { formatNumber } from '../../format.js';
import { errorMessage } from '../lib/errors.js';
import type { CursorPages } from '../lib/hooks.js';

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
export function TableState({ label, loading, error, count, emptyTitle, emptyText, onRetry, children, loadingLabel = t('common_loading') }: TableStateProps): JSX.Element {
  if (error !== undefined && error !== null) {
    return (
      <Notice tone="error" title={t('table_load_failed')} actions={onRetry ? <Button onClick={onRetry}>{t('common_try_again')}</Button> : undefined}>
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
  /** The list's paging (useCursorPages). */
  pages: Pick<CursorPages<unknown>, 'page' | 'hasPrevious' | 'hasNext' | 'previous' | 'next'>;
  /** Names the pager for screen readers: "Pages of users". */
  label: string;
  /** What the page shows, e.g. "25 users". */
  shown?: string;
}

/** Previous / Next for cursor-paged lists (the relay's cursors only go forwards; we keep the trail). */
export function Pager({ pages, label, shown }: PagerProps): JSX.Element | null {
  const { page, hasPrevious, hasNext, previous, next } = pages;
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav class="o-pager" aria-label={label}>
      <Button size="sm" onClick={previous} disabled={!hasPrevious}>
        {t('pager_previous')}
      </Button>
      <span class="o-pager__info">
        {t('pager_page', formatNumber(page))}
        {shown !== undefined ? `${t('common_list_separator')}${shown}` : ''}
      </span>
      <Button size="sm" onClick={next} disabled={!hasNext}>
        {t('pager_next')}
      </Button>
    </nav>
  );
}
