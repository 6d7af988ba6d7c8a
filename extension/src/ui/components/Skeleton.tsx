import type { JSX } from 'preact';

export interface SkeletonProps {
  /** CSS width, e.g. "60%" or "120px"; default 100%. */
  width?: string;
  /** CSS height; default 0.9em. */
  height?: string;
  /** Rounded pill shape (for a status pill, an avatar). */
  round?: boolean;
}

/** A grey placeholder block where content is about to appear (decorative, hidden from screen readers). */
export function Skeleton({ width = '100%', height = '0.9em', round = false }: SkeletonProps): JSX.Element {
  return <span class={round ? 'skeleton skeleton--round' : 'skeleton'} style={{ width, height }} aria-hidden="true" />;
}
